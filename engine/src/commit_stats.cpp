#include "cohours/commit_stats.h"

namespace cohours {

void CommitStats::record_written(std::uint64_t entries, std::uint64_t latency_us) {
  std::size_t bucket = 0;
  while (bucket < kCommitLatencyBoundsUs.size() && latency_us > kCommitLatencyBoundsUs[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(latency_us, std::memory_order_relaxed);
  entries_.fetch_add(entries, std::memory_order_relaxed);
  groups_.fetch_add(1, std::memory_order_relaxed);
}

CommitStatsSnapshot CommitStats::snapshot() const {
  CommitStatsSnapshot out;
  out.groups = groups_.load(std::memory_order_relaxed);
  out.entries = entries_.load(std::memory_order_relaxed);
  out.failures = failures_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < buckets_.size(); ++i) out.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  out.latency_sum_us = latency_sum_us_.load(std::memory_order_relaxed);
  return out;
}

}  // namespace cohours
