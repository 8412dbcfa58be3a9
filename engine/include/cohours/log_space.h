// One log's rows inside a node's store. A node keeps its own log and a
// verified copy of every other consortium node's log in the same columns;
// each log's rows are keyed by the log's node key (32 bytes) followed by
// the row's own key, so records sit by (node, seq) as DESIGN.md asks and a
// log's derived state can be rebuilt or audited on its own.
#pragma once

#include <memory>

#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

// Whether a column holds per-log rows (prefixed by the log's node key) or
// node-level rows (directory, notes, peers, evidence, witnesses, refusals:
// unprefixed).
bool is_log_column(Column column);

// A Store view of one log's rows: keys of log columns are prefixed with
// `log` on the way in and stripped on the way out; node-level columns pass
// through unchanged. clear() removes only this log's rows. The base store
// must outlive the view. Thread-safe as the base store is.
std::unique_ptr<Store> log_space(Store& base, const PublicKey& log);
std::unique_ptr<const Store> log_space(const Store& base, const PublicKey& log);

// The node key of the node that owns this store (unprefixed meta
// "self_node"), or not_found for a store that was never initialised.
Result<PublicKey> self_node_key(const Store& base);

}  // namespace cohours
