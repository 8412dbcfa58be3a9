// Peer frames (net/src/frame.cpp): the length-prefixed stream every peer
// connection starts with, before anything is authenticated. The input is
// fed in pieces whose sizes come from its first byte; the payloads popped
// must re-frame to exactly the bytes they were cut from.
#include <algorithm>

#include "cohours/net/frame.h"
#include "fuzz_support.h"

using namespace cohours;
using namespace cohours::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = data[0] % 16 + 1;
  // A small limit, as during the handshake, so frames over it are reachable.
  FrameDecoder decoder(data[0] & 0x80 ? kMaxFrameBytes : 300);
  Bytes reframed;
  bool broken = false;
  for (std::size_t at = 1; at < size && !broken; at += piece) {
    decoder.feed(std::span<const std::uint8_t>(data + at, std::min(piece, size - at)));
    for (;;) {
      auto popped = decoder.pop();
      if (!popped.ok()) {
        broken = true;
        // Sticky: the stream cannot be resynchronised.
        FUZZ_CHECK(!decoder.pop().ok());
        break;
      }
      if (!popped.value()) break;
      const Bytes& payload = *popped.value();
      FUZZ_CHECK(!payload.empty());
      const Bytes frame = encode_frame(payload);
      reframed.insert(reframed.end(), frame.begin(), frame.end());
    }
  }
  // What came out, framed again, is the start of what went in.
  FUZZ_CHECK(reframed.size() <= size - 1);
  FUZZ_CHECK(std::equal(reframed.begin(), reframed.end(), data + 1));
  if (!broken) FUZZ_CHECK(reframed.size() + decoder.buffered_bytes() == size - 1);
  return 0;
}
