// Checks a batch of another copy's records against a log's tip and replays
// them through the rules: shared by Replicas::append (copies of other
// nodes' logs) and Ledger::recover_own (this node's own records, fetched
// back from a peer's verified copy after a restore). Internal to the engine.
#pragma once

#include "cohours/replicas.h"
#include "log_tip.h"
#include "state.h"

namespace cohours {

// Decodes the batch's records, verifies every entry signature (on all
// cores), checks each record's position and hash link, applies each entry
// with apply_entry into `view` and appends it to `tip`; then checks that the
// records make the head's root and that the head is signed by the key the
// log's schedule (as the records leave it) names for its size. `tip` must
// be at batch.from_size. Outcome `appended` when all holds, otherwise the
// refusal (forged, rule_broken, store_failed) with what was wrong; `view`
// and `tip` are then to be thrown away. `size` is left for the caller.
AppendResult apply_batch_records(StateView& view, LogTip& tip, const LogBatch& batch, const Currency& currency);

}  // namespace cohours
