// Witness cosignatures (engine/src/record_codec.cpp), as peers send them
// in Cosignatures messages.
#include "cohours/record.h"
#include "fuzz_support.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input = fuzz::bytes_of(data, size);
  auto decoded = decode_cosignature(input);
  if (!decoded.ok()) return 0;
  const Bytes encoded = encode_cosignature(decoded.value());
  FUZZ_CHECK(encoded == input);
  auto again = decode_cosignature(encoded);
  FUZZ_CHECK(again.ok() && again->witness == decoded->witness && again->signature == decoded->signature &&
             encode_tree_head(again->head) == encode_tree_head(decoded->head));
  (void)verify_cosignature(decoded.value(), decoded->witness);
  return 0;
}
