// The ledger rules (DESIGN.md "Ledger rules"): decide whether one entry is
// allowed in the current state and, if so, write its effects. Used by
// ingest, reindex and audit alike, so all three agree by construction.
#pragma once

#include "cohours/entry.h"
#include "state.h"

namespace cohours {

struct ApplyContext {
  PublicKey node_key;
  std::uint64_t seq = 0;                        // the record's sequence number
  std::int64_t received_ms = 0;                 // the record's receive time
  Currency currency = *Currency::parse("GBP");  // the node's cash currency
};

// Validates `entry` (already signature-checked) against `view`. On success
// writes every effect (derived rows, entry index) into `view`; on rejection
// writes nothing and returns the reason.
Status apply_entry(StateView& view, const SignedEntry& entry, const ApplyContext& context);

// The policy in force (defaults if none was set).
Result<Policy> load_policy(const StateView& view);

}  // namespace cohours
