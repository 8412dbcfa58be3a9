// Full verification of a node's store from its records, trusting nothing
// derived: signatures, hash links, the Merkle tree, every signed tree head,
// and the derived state recomputed by replaying the rules.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cohours/record.h"
#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

struct AuditReport {
  std::uint64_t records = 0;
  std::uint64_t signatures = 0;    // entry signatures verified
  std::uint64_t hash_links = 0;    // prev-hash links checked
  std::uint64_t tree_nodes = 0;    // stored Merkle nodes compared with recomputed
  std::uint64_t heads = 0;         // signed tree heads verified
  std::uint64_t known_heads = 0;   // heads kept by the auditor, matched
  std::uint64_t accounts = 0;      // balances compared with the replay
  std::uint64_t derived_rows = 0;  // all derived rows compared
  Hash32 root;                     // Merkle root at the log's size
  Hash32 state_digest;             // digest of the recomputed state

  bool passed = false;
  std::uint64_t first_bad_seq = 0;  // 0 if the failure is not tied to a record
  std::string failure;              // what was wrong, empty if passed
};

struct AuditOptions {
  // Heads this auditor saw earlier (e.g. saved with `cohours log head`): the
  // log must still produce each one's root at its size, so rewriting or
  // cutting history after the head was seen is caught even if the node
  // re-signed everything.
  std::vector<SignedTreeHead> known_heads;
  // The node key the auditor expects (from node.key or the consortium);
  // zero to accept the key recorded in the store.
  PublicKey expected_node_key;
  // Which log to audit: zero for this node's own, else the node key of a
  // log this node holds a copy of.
  PublicKey log;
  // Where the replay keeps the state it rebuilds (open_scratch_store): a
  // directory keeps memory flat however long the log; empty keeps it in
  // memory (small logs, tests).
  std::string scratch_dir;
};

// Never modifies the store. Returns an operational error only if the store
// cannot be read at all; everything wrong with its content is a failed report.
// Record damage is reported before damage to derived state.
Result<AuditReport> audit_store(const Store& store, const AuditOptions& options = {},
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

}  // namespace cohours
