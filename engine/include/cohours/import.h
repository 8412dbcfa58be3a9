// Loads an exported log into an empty store so the engine's own code can
// check it: an auditor verifies a `cohours export` without the node's store.
#pragma once

#include <span>

#include "cohours/entry.h"
#include "cohours/record.h"
#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

// Writes `records` (record bytes, seq 1..n in order), the signed `head` under
// its size and the meta rows a node keeps (node key, currency, log tip,
// latest head) into an empty store, then rebuilds the derived state with
// reindex(), which verifies every record encoding, hash link, entry
// signature and the head's signature and root. Afterwards the store opens
// with Ledger::open_read_only.
//
// already_exists if the store holds a node; corruption (store untouched
// beyond the imported rows) if the log does not verify or the head does not
// cover exactly these records.
Status import_log(Store& store, const PublicKey& node_key, const Currency& currency,
                  std::span<const Bytes> records, const SignedTreeHead& head);

}  // namespace cohours
