#include "cohours/net/frame.h"

#include <doctest/doctest.h>

#include <vector>

using namespace cohours;
using namespace cohours::net;

namespace {

Bytes payload_of(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7);
  return out;
}

// Feeds `stream` in chunks of `chunk` bytes, popping after each.
std::vector<Bytes> decode_in_chunks(const Bytes& stream, std::size_t chunk) {
  FrameDecoder decoder;
  std::vector<Bytes> frames;
  for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
    std::size_t n = std::min(chunk, stream.size() - pos);
    decoder.feed(std::span(stream).subspan(pos, n));
    for (;;) {
      auto frame = decoder.pop();
      REQUIRE(frame.ok());
      if (!frame.value()) break;
      frames.push_back(*frame.value());
    }
  }
  CHECK(decoder.buffered_bytes() == 0);
  return frames;
}

}  // namespace

TEST_CASE("encode_frame writes a big-endian length then the payload") {
  Bytes frame = encode_frame(Bytes{0xaa, 0xbb, 0xcc});
  CHECK(frame == Bytes{0, 0, 0, 3, 0xaa, 0xbb, 0xcc});
  auto length = encode_frame_length(0x01020304);
  CHECK(length == std::array<std::uint8_t, 4>{1, 2, 3, 4});
  CHECK(kMaxFrameBytes == 8 * 1024 * 1024 + 17);
}

TEST_CASE("FrameDecoder: frames split across every chunk size come out whole and in order") {
  std::vector<Bytes> payloads = {payload_of(1, 1), payload_of(300, 2), payload_of(5, 3),
                                 payload_of(70000, 4)};
  Bytes stream;
  for (const auto& payload : payloads) {
    Bytes frame = encode_frame(payload);
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{5},
                            std::size_t{7}, std::size_t{1000}, std::size_t{65536}, stream.size()}) {
    CAPTURE(chunk);
    CHECK(decode_in_chunks(stream, chunk) == payloads);
  }
}

TEST_CASE("FrameDecoder: an incomplete frame waits for more bytes") {
  FrameDecoder decoder;
  Bytes frame = encode_frame(payload_of(10, 9));
  decoder.feed(std::span(frame).first(13));
  auto popped = decoder.pop();
  REQUIRE(popped.ok());
  CHECK_FALSE(popped.value());
  decoder.feed(std::span(frame).subspan(13));
  popped = decoder.pop();
  REQUIRE(popped.ok());
  REQUIRE(popped.value());
  CHECK(*popped.value() == payload_of(10, 9));
}

TEST_CASE("FrameDecoder: a zero length is an error, and it sticks") {
  FrameDecoder decoder;
  decoder.feed(Bytes{0, 0, 0, 0, 1, 2, 3});
  auto popped = decoder.pop();
  REQUIRE_FALSE(popped.ok());
  CHECK(popped.code() == Code::malformed);
  CHECK(popped.status().message().find("length 0") != std::string::npos);
  decoder.feed(encode_frame(Bytes{1}));
  CHECK_FALSE(decoder.pop().ok());
}

TEST_CASE("FrameDecoder: a length over the limit fails from the length bytes alone") {
  FrameDecoder decoder;
  auto length = encode_frame_length(kMaxFrameBytes + 1);
  decoder.feed(length);  // no payload follows: nothing is buffered for it
  auto popped = decoder.pop();
  REQUIRE_FALSE(popped.ok());
  CHECK(popped.code() == Code::malformed);

  FrameDecoder at_limit;
  at_limit.feed(encode_frame_length(kMaxFrameBytes));
  auto waiting = at_limit.pop();
  REQUIRE(waiting.ok());
  CHECK_FALSE(waiting.value());

  FrameDecoder huge;
  huge.feed(Bytes{0xff, 0xff, 0xff, 0xff});
  CHECK_FALSE(huge.pop().ok());
}

TEST_CASE("FrameDecoder: a lowered limit applies to frames not yet started") {
  FrameDecoder decoder(16);
  decoder.feed(encode_frame(payload_of(16, 0)));
  decoder.feed(encode_frame(payload_of(17, 0)));
  auto first = decoder.pop();
  REQUIRE(first.ok());
  CHECK(first.value());
  CHECK_FALSE(decoder.pop().ok());

  FrameDecoder raised(16);
  raised.feed(encode_frame(payload_of(40, 0)));
  raised.set_max_payload_bytes(kMaxFrameBytes);
  auto big = raised.pop();
  REQUIRE(big.ok());
  CHECK(big.value());
}
