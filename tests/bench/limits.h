// The physical limits every benchmark figure is set against, measured in
// the same run (absolute rates drift from machine to machine).
#pragma once

#include <cstddef>
#include <filesystem>

namespace cohours::bench {

// ed25519 verifications per second of a `message_bytes` message on
// `threads` threads, each running for about `seconds`.
double verify_rate(unsigned threads, std::size_t message_bytes, double seconds);

// RocksDB synced WriteBatches in a fresh database in `dir`: records of
// `record_bytes` per second when each batch holds `per_batch` of them.
double synced_write_rate(const std::filesystem::path& dir, std::size_t record_bytes, std::size_t per_batch,
                         double seconds);

}  // namespace cohours::bench
