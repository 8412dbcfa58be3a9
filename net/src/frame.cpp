#include "cohours/net/frame.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>

namespace cohours::net {

std::array<std::uint8_t, kFrameLengthBytes> encode_frame_length(std::size_t payload_size) {
  auto size = static_cast<std::uint32_t>(payload_size);
  return {static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16),
          static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
}

Bytes encode_frame(std::span<const std::uint8_t> payload) {
  assert(!payload.empty() && payload.size() <= kMaxFrameBytes);
  Bytes out(kFrameLengthBytes + payload.size());
  auto length = encode_frame_length(payload.size());
  std::copy(length.begin(), length.end(), out.begin());
  std::copy(payload.begin(), payload.end(), out.begin() + kFrameLengthBytes);
  return out;
}

void FrameDecoder::feed(std::span<const std::uint8_t> bytes) {
  if (!error_.ok()) return;
  // Drop consumed bytes once they are the larger part, so feeding stays
  // linear in the bytes received.
  if (read_pos_ > 0 && read_pos_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(read_pos_));
    read_pos_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

Result<std::optional<Bytes>> FrameDecoder::pop() {
  if (!error_.ok()) return error_;
  if (buffered_bytes() < kFrameLengthBytes) return std::optional<Bytes>();
  const std::uint8_t* p = buffer_.data() + read_pos_;
  std::size_t size = (std::size_t{p[0]} << 24) | (std::size_t{p[1]} << 16) | (std::size_t{p[2]} << 8) | p[3];
  if (size == 0) {
    error_ = Status(Code::malformed, "peer sent a frame of length 0");
    return error_;
  }
  if (size > max_payload_bytes_) {
    error_ = Status(Code::malformed, "peer sent a frame of " + std::to_string(size) +
                                         " bytes, over the limit of " + std::to_string(max_payload_bytes_));
    return error_;
  }
  if (buffered_bytes() < kFrameLengthBytes + size) return std::optional<Bytes>();
  Bytes payload(p + kFrameLengthBytes, p + kFrameLengthBytes + size);
  read_pos_ += kFrameLengthBytes + size;
  if (read_pos_ == buffer_.size()) {
    buffer_.clear();
    read_pos_ = 0;
  }
  return std::optional<Bytes>(std::move(payload));
}

}  // namespace cohours::net
