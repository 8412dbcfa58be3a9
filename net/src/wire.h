// Byte-level writer and reader for the handshake and the sync messages
// (net/MESSAGES.md): little-endian fixed-width integers, fixed-size byte
// values, and length-prefixed byte strings. The reader never throws and never
// reads past its input: the first shortfall or bad value is remembered, every
// later read returns zeros, and the caller checks ok() once at the end.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "cohours/types.h"

namespace cohours::net::wire {

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}

  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) { little_endian(value, 2); }
  void u32(std::uint32_t value) { little_endian(value, 4); }
  void u64(std::uint64_t value) { little_endian(value, 8); }
  void raw(std::span<const std::uint8_t> bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  template <std::size_t N>
  void fixed(const FixedBytes<N>& value) {
    raw(value.bytes);
  }
  // u32 length, then the bytes.
  void blob32(std::span<const std::uint8_t> bytes) {
    u32(static_cast<std::uint32_t>(bytes.size()));
    raw(bytes);
  }
  // u16 length, then the bytes.
  void string16(std::string_view text) {
    u16(static_cast<std::uint16_t>(text.size()));
    raw({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }

 private:
  void little_endian(std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  Bytes& out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  // Records the first failure only: later ones are consequences of it.
  void fail(std::string message) {
    if (ok()) error_ = std::move(message);
    pos_ = in_.size();
  }

  std::uint8_t u8(std::string_view field) { return static_cast<std::uint8_t>(little_endian(1, field)); }
  std::uint16_t u16(std::string_view field) { return static_cast<std::uint16_t>(little_endian(2, field)); }
  std::uint32_t u32(std::string_view field) { return static_cast<std::uint32_t>(little_endian(4, field)); }
  std::uint64_t u64(std::string_view field) { return little_endian(8, field); }
  // The next `size` bytes, viewed in place (empty on failure).
  std::span<const std::uint8_t> raw(std::size_t size, std::string_view field) {
    if (!take(size, field)) return {};
    return in_.subspan(pos_ - size, size);
  }
  template <typename T>
  T fixed(std::string_view field) {
    T out;
    auto bytes = raw(T::size(), field);
    if (!bytes.empty()) std::copy(bytes.begin(), bytes.end(), out.bytes.begin());
    return out;
  }
  std::span<const std::uint8_t> blob32(std::string_view field) { return raw(u32(field), field); }
  // A u16-length string of at most `max_bytes` bytes.
  std::string string16(std::size_t max_bytes, std::string_view field) {
    std::uint16_t size = u16(field);
    if (size > max_bytes) {
      fail(std::string(field) + " is " + std::to_string(size) + " bytes, more than the " +
           std::to_string(max_bytes) + " allowed");
      return {};
    }
    auto bytes = raw(size, field);
    return std::string(bytes.begin(), bytes.end());
  }
  // A u32 element count, refused when it is over `max_count` or when that
  // many elements of at least `min_element_bytes` each cannot fit in what is
  // left: a forged count then fails here, before any element is decoded or
  // memory is reserved for elements that are not there.
  std::uint32_t count(std::size_t min_element_bytes, std::size_t max_count, std::string_view field) {
    std::uint32_t n = u32(field);
    if (ok() && n > max_count) {
      fail(std::string(field) + " count " + std::to_string(n) + " is over the cap of " +
           std::to_string(max_count));
      return 0;
    }
    if (n > remaining() / min_element_bytes) {
      fail(std::string(field) + " count " + std::to_string(n) + " exceeds what the remaining " +
           std::to_string(remaining()) + " bytes can hold");
      return 0;
    }
    return n;
  }

 private:
  bool take(std::size_t size, std::string_view field) {
    if (!ok()) return false;
    if (size > remaining()) {
      fail("truncated at " + std::string(field));
      return false;
    }
    pos_ += size;
    return true;
  }
  std::uint64_t little_endian(int width, std::string_view field) {
    if (!take(static_cast<std::size_t>(width), field)) return 0;
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i) value |= std::uint64_t{in_[pos_ - width + i]} << (8 * i);
    return value;
  }

  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace cohours::net::wire
