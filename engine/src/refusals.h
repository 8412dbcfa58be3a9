// Refusals the ledger remembers (DESIGN.md rule 9: submitting an entry
// twice answers with the first result). An entry the rules refused is kept
// by id in the node-level `refusals` column with the code and message it
// got, written in the same synced batch as its commit group, so a retry of
// the same bytes gets the same answer and is never judged again. Not log
// state: not in the state digest, not rebuilt or dropped by reindex.
// Internal to the engine.
#pragma once

#include <optional>
#include <string>

#include "cohours/entry.h"
#include "state.h"

namespace cohours {

struct Refusal {
  Code code = Code::ok;
  std::string message;
};

// Whether a refusal by the rules of a log's ledger is remembered. Only
// refusals that are the entry's own fault as judged against the log: not
// operational errors, not wrong_node (a copy of another co-op's entry can be
// replayed by anyone, and the answer never changes anyway), and only for an
// entry signed by a member of the log, since anyone can make keys and sign
// entries, and remembering those would let a stranger fill the disk. Nor
// for the node's own key: the node never resubmits the same bytes (it signs
// afresh, and sync retries a stuck transfer.in on every batch, which would
// add a row each time). The others are judged again on every retry.
Result<bool> remembers_refusal(const StateView& view, const SignedEntry& entry, Code code);

void put_refusal(StateView& view, const EntryId& id, const Refusal& refusal);
// The refusal remembered for `id`, if any; corruption if the row is damaged.
Result<std::optional<Refusal>> load_refusal(const StateView& view, const EntryId& id);

}  // namespace cohours
