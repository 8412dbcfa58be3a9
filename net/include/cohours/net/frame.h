// Frames: how messages are delimited on a peer connection. A frame is a
// big-endian u32 payload length followed by the payload; zero-length frames
// do not exist. Pure code, no sockets: the link feeds received bytes in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "cohours/crypto.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::net {

// Largest plaintext sync message.
inline constexpr std::size_t kMaxMessageBytes = 8 * 1024 * 1024;
// Largest frame payload: a sealed message of kMaxMessageBytes.
inline constexpr std::size_t kMaxFrameBytes = kMaxMessageBytes + kSecretStreamOverheadBytes;
inline constexpr std::size_t kFrameLengthBytes = 4;

// The 4-byte length prefix of a frame of `payload_size` bytes.
std::array<std::uint8_t, kFrameLengthBytes> encode_frame_length(std::size_t payload_size);
// Length prefix and payload in one buffer. Precondition (a bug otherwise):
// 0 < payload.size() <= kMaxFrameBytes.
Bytes encode_frame(std::span<const std::uint8_t> payload);

// Splits a byte stream into frame payloads, whatever the boundaries of the
// reads that deliver it. A length of zero or over the limit is an error
// value; it is sticky, since the stream cannot be resynchronised. It is
// detected from the 4 length bytes alone, before any payload is buffered.
// Not thread-safe.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_payload_bytes = kMaxFrameBytes)
      : max_payload_bytes_(max_payload_bytes) {}

  // Lowers or raises the limit for frames not yet started (the handshake
  // runs with a small one).
  void set_max_payload_bytes(std::size_t max_payload_bytes) { max_payload_bytes_ = max_payload_bytes; }
  // Appends received bytes; copies them.
  void feed(std::span<const std::uint8_t> bytes);
  // The next complete payload; ok(nullopt) when more bytes are needed; a
  // `malformed` status when the stream broke the framing rules.
  Result<std::optional<Bytes>> pop();
  // Bytes fed but not yet returned by pop().
  std::size_t buffered_bytes() const { return buffer_.size() - read_pos_; }

 private:
  std::size_t max_payload_bytes_;
  Bytes buffer_;
  std::size_t read_pos_ = 0;
  Status error_;
};

}  // namespace cohours::net
