// How the ledger's commits go, for monitoring (cohoursd's GET /metrics):
// commit groups written, entries they stored, groups that failed, and how
// long each group took from forming to its synced write returning, in a
// histogram of fixed buckets. Integers only: microseconds, counts. The
// renderer turns them into seconds; nothing here touches the ledger's
// state or its rules.
//
// Thread safety: record() and snapshot() may run on any thread at once
// (relaxed atomics: each figure is exact, a snapshot is not one instant).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace cohours {

// Upper bounds of the latency buckets, in microseconds (Prometheus `le`):
// 1 ms to 10 s, where a synced write on a disk or an SSD falls.
inline constexpr std::array<std::uint64_t, 10> kCommitLatencyBoundsUs = {
    1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000, 10'000'000};

struct CommitStatsSnapshot {
  std::uint64_t groups = 0;    // groups written (their synced write returned ok)
  std::uint64_t entries = 0;   // entries those groups appended to the log
  std::uint64_t failures = 0;  // groups whose write failed (nothing acknowledged)
  // Groups written whose latency was at most kCommitLatencyBoundsUs[i] and
  // over the one before; the last counts those over every bound.
  std::array<std::uint64_t, kCommitLatencyBoundsUs.size() + 1> buckets{};
  std::uint64_t latency_sum_us = 0;  // over the groups written
};

class CommitStats {
 public:
  void record_written(std::uint64_t entries, std::uint64_t latency_us);
  void record_failed() { failures_.fetch_add(1, std::memory_order_relaxed); }
  CommitStatsSnapshot snapshot() const;

 private:
  std::atomic<std::uint64_t> groups_{0};
  std::atomic<std::uint64_t> entries_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::array<std::atomic<std::uint64_t>, kCommitLatencyBoundsUs.size() + 1> buckets_{};
  std::atomic<std::uint64_t> latency_sum_us_{0};
};

}  // namespace cohours
