// Sync messages (net/src/messages.cpp): what an authenticated peer sends
// inside the secure channel. The codec promises exactly one encoding per
// message, so what decodes must re-encode to the input. The first byte
// picks the consortium size the list caps depend on.
#include "cohours/net/messages.h"
#include "fuzz_support.h"

using namespace cohours;
using namespace cohours::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const MessageLimits limits{static_cast<std::size_t>(data[0] % 8 + 1)};
  const Bytes input = fuzz::bytes_of(data + 1, size - 1);
  auto decoded = decode_message(input, limits);
  if (!decoded.ok()) return 0;
  const Bytes encoded = encode_message(decoded.value());
  FUZZ_CHECK(encoded == input);
  auto again = decode_message(encoded, limits);
  FUZZ_CHECK(again.ok() && message_type(again.value()) == message_type(decoded.value()));
  FUZZ_CHECK(message_type_name(message_type(decoded.value())) != nullptr);
  return 0;
}
