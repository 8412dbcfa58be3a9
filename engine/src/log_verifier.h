// Streams a node's records in order and checks everything that needs no
// derived state: record encoding, sequence, hash links, entry encoding and
// signatures (on all cores), and the Merkle tree recomputed from the records
// against every stored signed head and every head an auditor kept.
// Shared by audit (which also replays the rules) and reindex (which refuses
// to touch derived state unless this passes). Memory is O(batch + log n).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "cohours/entry.h"
#include "cohours/merkle.h"
#include "cohours/record.h"
#include "cohours/store.h"

namespace cohours {

struct VerifiedRecord {
  std::uint64_t seq;
  std::string_view bytes;  // the record bytes as stored
  const Record& record;
  const SignedEntry& entry;
  // Perfect subtrees this record completed, leaf first.
  const std::vector<std::pair<merkle::NodeId, Hash32>>& completed;
};

struct LogCheck {
  std::uint64_t records = 0;
  std::uint64_t signatures = 0;
  std::uint64_t hash_links = 0;
  std::uint64_t heads = 0;        // stored signed heads verified
  std::uint64_t known_heads = 0;  // auditor-kept heads matched
  Hash32 root;
  Hash32 last_hash;
  bool passed = false;
  std::uint64_t first_bad_seq = 0;
  std::string failure;
};

// Whether the meta copies of the log's tip (size, last hash, latest head)
// must match the records: yes for an audit, no for reindex, which rewrites them.
enum class TipMeta { must_match, rebuilt };

// `each` is called for every record that passed its own checks, in order;
// returning a non-empty string stops the walk with that failure at that record.
LogCheck verify_log(const Store& store, const PublicKey& node_key,
                    std::span<const SignedTreeHead> known_heads, TipMeta tip_meta,
                    const std::function<std::string(const VerifiedRecord&)>& each,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress);

// The node key recorded in a store, or not_found.
Result<PublicKey> stored_node_key(const Store& store);

}  // namespace cohours
