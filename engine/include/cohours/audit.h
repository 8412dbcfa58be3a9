// Full verification of a node's store from its records, trusting nothing
// derived: signatures, hash links, the Merkle tree, every signed tree head,
// and the derived state recomputed by replaying the rules.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

struct AuditReport {
  std::uint64_t records = 0;
  std::uint64_t signatures = 0;      // entry signatures verified
  std::uint64_t hash_links = 0;      // prev-hash links checked
  std::uint64_t tree_nodes = 0;      // stored Merkle nodes compared with recomputed
  std::uint64_t heads = 0;           // signed tree heads verified
  std::uint64_t accounts = 0;        // balances compared with the replay
  std::uint64_t derived_rows = 0;    // all derived rows compared
  Hash32 root;                       // Merkle root at the log's size
  Hash32 state_digest;               // digest of the recomputed state

  bool passed = false;
  std::uint64_t first_bad_seq = 0;   // 0 if the failure is not tied to a record
  std::string failure;               // what was wrong, empty if passed
};

// Never modifies the store. Returns an operational error only if the store
// cannot be read at all; everything wrong with its content is a failed report.
Result<AuditReport> audit_store(const Store& store,
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress = {});

}  // namespace cohours
