// Fixed-size byte values used everywhere: keys, signatures, hashes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohours {

using Bytes = std::vector<std::uint8_t>;

template <std::size_t N>
struct FixedBytes {
  std::array<std::uint8_t, N> bytes{};

  static constexpr std::size_t size() { return N; }
  const std::uint8_t* data() const { return bytes.data(); }
  std::uint8_t* data() { return bytes.data(); }
  bool is_zero() const {
    for (auto b : bytes)
      if (b != 0) return false;
    return true;
  }
  auto operator<=>(const FixedBytes&) const = default;
};

// An ed25519 public key: identifies a member or a node.
struct PublicKey : FixedBytes<32> {};
// An ed25519 secret key in libsodium's 64-byte form (seed || public key).
// Move-only, so it is never copied by accident; its bytes are wiped when it
// dies and when it is moved from (crypto.cpp). copy() is the deliberate copy.
struct SecretKey : FixedBytes<64> {
  SecretKey() = default;
  ~SecretKey();
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  SecretKey copy() const;
};
struct Signature : FixedBytes<64> {};
// A BLAKE2b-256 digest (entry ids, record hashes, tree hashes, note digests).
struct Hash32 : FixedBytes<32> {};
using EntryId = Hash32;

std::string to_hex(const std::uint8_t* data, std::size_t size);
template <std::size_t N>
std::string to_hex(const FixedBytes<N>& value) {
  return to_hex(value.data(), N);
}
inline std::string to_hex(const Bytes& value) {
  return to_hex(value.data(), value.size());
}

// Parses exactly 2*N hex digits (either case). Returns nullopt on any other input.
std::optional<Bytes> from_hex(std::string_view hex);
template <typename T>
std::optional<T> fixed_from_hex(std::string_view hex) {
  auto raw = from_hex(hex);
  if (!raw || raw->size() != T::size()) return std::nullopt;
  T out;
  std::copy(raw->begin(), raw->end(), out.bytes.begin());
  return out;
}

}  // namespace cohours
