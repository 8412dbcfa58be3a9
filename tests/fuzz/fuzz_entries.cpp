// The entry codec (engine/src/entry_codec.cpp): signed entry bytes from a
// phone, a peer or the store. Strict: what decodes re-encodes to itself.
#include "cohours/entry.h"
#include "fuzz_support.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input = fuzz::bytes_of(data, size);
  auto decoded = decode_entry(input);
  if (!decoded.ok()) return 0;
  const SignedEntry& entry = decoded.value();
  // One encoding per entry: encode(decode(b)) == b, and the id is of b.
  FUZZ_CHECK(entry.bytes == input);
  FUZZ_CHECK(fuzz::concat(encode_unsigned(entry.entry), entry.signature) == input);
  FUZZ_CHECK(entry.id == entry_id_of(input));
  auto again = decode_entry(entry.bytes);
  FUZZ_CHECK(again.ok() && again->id == entry.id && again->entry.kind() == entry.entry.kind());
  (void)verify_signature(entry);  // must not crash on any key or signature bytes
  return 0;
}
