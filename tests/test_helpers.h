// Small helpers many test files need: bytes from text, whole files, modes,
// dates, seeded keys. One copy here, so test files can also be compiled
// together (CMake's unity build) without two helpers of the same name.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/result.h"
#include "cohours/types.h"

#include <doctest/doctest.h>

namespace cohours::test {

inline Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

// The whole file, byte for byte ("" if it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The permission bits of `path` (0600, say); the file must exist.
inline unsigned mode_of(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// "2026-11-10" as days since 1970; the text must be a date.
inline std::int32_t day(const char* text) {
  return *parse_date(text);
}

inline bool message_has(const Status& status, std::string_view text) {
  return status.message().find(text) != std::string::npos;
}

// A key pair whose seed is 32 bytes of `n`: the same keys every run.
inline KeyPair seeded_key(std::uint8_t n) {
  FixedBytes<32> seed;
  seed.bytes.fill(n);
  return keypair_from_seed(seed);
}

}  // namespace cohours::test
