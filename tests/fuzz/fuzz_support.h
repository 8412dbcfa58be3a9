// Shared by the fuzz targets (docs/testing.md "Fuzzing"). A broken invariant
// aborts with the condition, so libFuzzer keeps the input as a crash; an
// exception would be caught by code under test or lose the reason.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "cohours/types.h"

#define FUZZ_CHECK(condition)                                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

namespace cohours::fuzz {

inline Bytes bytes_of(const std::uint8_t* data, std::size_t size) {
  return Bytes(data, data + size);
}

template <std::size_t N>
Bytes concat(Bytes head, const FixedBytes<N>& tail) {
  head.insert(head.end(), tail.bytes.begin(), tail.bytes.end());
  return head;
}

}  // namespace cohours::fuzz
