// Rotating the node's own key (docs/operations.md "A stolen node key").
// The node keeps its name (its first key, the log id); from the rotation
// on, a new key signs its heads and its own entries, and the old key never
// signs for it again (Ledger::rotate_key). In three steps, so that a crash
// anywhere leaves a node that opens:
//   1. the new key is written to DATA/node.key.next, sealed like node.key;
//   2. the ledger appends the node.rotate entry, signed by the old key;
//   3. node.key.next is renamed over node.key.
// open_node_ledger settles a rotation cut short between 1 and 3.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "cohours/app/key_unlocker.h"
#include "cohours/app/node.h"
#include "cohours/clock.h"
#include "cohours/ledger.h"
#include "cohours/result.h"
#include "cohours/store.h"

namespace cohours::app {

struct NodeKeyRotated {
  PublicKey node;     // the log id, unchanged
  PublicKey old_key;  // retired
  PublicKey new_key;  // in node.key now
  std::uint64_t seq = 0;
  std::size_t rotations = 0;  // this node's rotations so far, this one included
};

// rotate-key on a node this process opened (no daemon runs: it holds the
// key in memory). wrong_state when `node` is hosted by a daemon; the
// ledger's refusals (kMaxNodeRotations reached); io_error when a key file
// cannot be written (then nothing changed).
Result<NodeKeyRotated> rotate_node_key(Node& node);

// Opens the node's ledger with `identity` (read from node.key). If
// node.key.next is there, a rotation was cut short: when the ledger holds
// the rotation (node.key is retired), node.key.next is the current key and
// is renamed over node.key, and `identity` becomes it; when it does not,
// node.key.next was never used and is removed.
Result<std::unique_ptr<Ledger>> open_node_ledger(const std::filesystem::path& data_dir, Store& store,
                                                 NodeIdentity& identity, KeyUnlocker& unlocker,
                                                 const Clock& clock);

}  // namespace cohours::app
