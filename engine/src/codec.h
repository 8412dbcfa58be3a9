// One description of each binary layout, used for both directions: a layout
// is a template over Encoder or Decoder, so writing and reading cannot drift
// apart. Both wrap cereal's portable binary archive in little-endian mode.
#pragma once

#include <cereal/archives/portable_binary.hpp>

#include <cstring>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <type_traits>

#include "cohours/types.h"

namespace cohours::codec {

// Appends to a byte vector without an intermediate string copy.
class VectorSink : public std::streambuf {
 public:
  explicit VectorSink(Bytes& out) : out_(out) {}

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    out_.insert(out_.end(), s, s + n);
    return n;
  }
  int_type overflow(int_type ch) override {
    if (ch != traits_type::eof()) out_.push_back(static_cast<std::uint8_t>(ch));
    return ch;
  }

 private:
  Bytes& out_;
};

// Reads from a span; remaining() tells whether the input was consumed.
class SpanSource : public std::streambuf {
 public:
  SpanSource(const std::uint8_t* data, std::size_t size) {
    char* begin = const_cast<char*>(reinterpret_cast<const char*>(data));
    setg(begin, begin, begin + size);
  }
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// Thrown by Decoder on a value out of range; caught at the decode boundary.
struct DecodeError {
  std::string what;
};

class Encoder {
 public:
  explicit Encoder(Bytes& out)
      : sink_(out),
        stream_(&sink_),
        ar_(stream_, cereal::PortableBinaryOutputArchive::Options::LittleEndian()) {}
  static constexpr bool decoding = false;

  template <typename T>
  requires std::is_integral_v<T>
  void num(T& value) { ar_(value); }
  template <typename E>
  requires std::is_enum_v<E>
  void enumeration(E& value, std::underlying_type_t<E> /*min*/, std::underlying_type_t<E> /*max*/) {
    auto raw = static_cast<std::underlying_type_t<E>>(value);
    ar_(raw);
  }
  template <std::size_t N>
  void fixed(FixedBytes<N>& value) {
    ar_(cereal::binary_data(value.data(), N));
  }
  // Short strings: one length byte, then the bytes.
  void short_string(std::string& value, std::size_t max_length) {
    // Front ends check bounds with a message for people; bytes whose count
    // says one thing and whose items say another must never be written.
    if (value.size() > max_length || value.size() > 255)
      throw std::length_error("a string of " + std::to_string(value.size()) + " bytes is over its limit of " +
                              std::to_string(max_length));
    auto length = static_cast<std::uint8_t>(value.size());
    ar_(length);
    ar_(cereal::binary_data(value.data(), value.size()));
  }
  // Byte strings: a 32-bit length, then the bytes.
  void blob(Bytes& value, std::size_t max_length) {
    if (value.size() > max_length)
      throw std::length_error("a byte string of " + std::to_string(value.size()) + " bytes is over its limit of " +
                              std::to_string(max_length));
    auto length = static_cast<std::uint32_t>(value.size());
    ar_(length);
    ar_(cereal::binary_data(value.data(), value.size()));
  }
  template <typename T, typename F>
  void list(std::vector<T>& items, std::size_t max_count, F&& each) {
    if (items.size() > max_count || items.size() > 255)
      throw std::length_error("a list of " + std::to_string(items.size()) + " items is over its limit of " +
                              std::to_string(max_count));
    auto count = static_cast<std::uint8_t>(items.size());
    ar_(count);
    for (auto& item : items) each(item);
  }

 private:
  VectorSink sink_;
  std::ostream stream_;
  cereal::PortableBinaryOutputArchive ar_;
};

class Decoder {
 public:
  // Throws DecodeError if the archive's endianness byte is not little endian.
  Decoder(const std::uint8_t* data, std::size_t size)
      : source_(data, size), stream_(&source_), ar_(check_header(data, size)) {}
  static constexpr bool decoding = true;

  template <typename T>
  requires std::is_integral_v<T>
  void num(T& value) { ar_(value); }
  template <typename E>
  requires std::is_enum_v<E>
  void enumeration(E& value, std::underlying_type_t<E> min, std::underlying_type_t<E> max) {
    std::underlying_type_t<E> raw{};
    ar_(raw);
    if (raw < min || raw > max)
      throw DecodeError{"enumeration value " + std::to_string(raw) + " out of range"};
    value = static_cast<E>(raw);
  }
  template <std::size_t N>
  void fixed(FixedBytes<N>& value) {
    ar_(cereal::binary_data(value.data(), N));
  }
  void short_string(std::string& value, std::size_t max_length) {
    std::uint8_t length = 0;
    ar_(length);
    if (length > max_length) throw DecodeError{"string longer than " + std::to_string(max_length)};
    value.resize(length);
    ar_(cereal::binary_data(value.data(), length));
  }
  void blob(Bytes& value, std::size_t max_length) {
    std::uint32_t length = 0;
    ar_(length);
    if (length > max_length || length > source_.remaining())
      throw DecodeError{"byte string of " + std::to_string(length) + " bytes is too long"};
    value.resize(length);
    ar_(cereal::binary_data(value.data(), length));
  }
  template <typename T, typename F>
  void list(std::vector<T>& items, std::size_t max_count, F&& each) {
    std::uint8_t count = 0;
    ar_(count);
    if (count > max_count) throw DecodeError{"list of " + std::to_string(count) + " items is too long"};
    items.resize(count);
    for (auto& item : items) each(item);
  }
  std::size_t remaining() const { return source_.remaining(); }

 private:
  std::istream& check_header(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || data[0] != 1) throw DecodeError{"not a little-endian cohours encoding"};
    return stream_;
  }
  SpanSource source_;
  std::istream stream_;
  cereal::PortableBinaryInputArchive ar_;
};

}  // namespace cohours::codec
