// The record codec (engine/src/record_codec.cpp): log records from the
// store, a peer's Records message or an export.
#include "cohours/record.h"
#include "fuzz_support.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input = fuzz::bytes_of(data, size);
  auto decoded = decode_record(input);
  if (!decoded.ok()) return 0;
  const Bytes encoded = encode_record(decoded.value());
  FUZZ_CHECK(encoded == input);
  auto again = decode_record(encoded);
  FUZZ_CHECK(again.ok() && again->seq == decoded->seq && again->prev_hash == decoded->prev_hash &&
             again->received_ms == decoded->received_ms && again->entry == decoded->entry);
  return 0;
}
