// Signed tree heads (engine/src/record_codec.cpp), as peers send them in
// Heads, Records and Evidence and as exports carry them.
#include "cohours/record.h"
#include "fuzz_support.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input = fuzz::bytes_of(data, size);
  auto decoded = decode_signed_tree_head(input);
  if (!decoded.ok()) return 0;
  const Bytes encoded = encode_signed_tree_head(decoded.value());
  FUZZ_CHECK(encoded == input);
  auto again = decode_signed_tree_head(encoded);
  FUZZ_CHECK(again.ok() && encode_signed_tree_head(again.value()) == input);
  // The signed part is the head's own encoding, whatever the signature says.
  FUZZ_CHECK(fuzz::concat(encode_tree_head(decoded->head), decoded->signature) == input);
  (void)verify_tree_head(decoded.value(), decoded->head.log);
  return 0;
}
