// Creating a node: what `cohours init` does. It runs where the new node
// will live, in the process that asks, never through a daemon (there is
// none yet for a node that does not exist).
#pragma once

#include <filesystem>
#include <string>

#include "cohours/clock.h"
#include "cohours/entry.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::app {

struct NodeCreated {
  PublicKey node_key;
};

// Creates a node in `data_dir` (node.h has the layout): the directory and
// its keyring (mode 0700), the RocksDB store initialised with the co-op's
// `name` and cash `currency`, and a new node key pair. The key file is
// written last: its presence marks a complete node. malformed for a name
// that is not 1-200 characters; already_exists if `data_dir` holds a node;
// io_error if the directory cannot be made. Not safe to run twice at once
// on one directory.
Result<NodeCreated> init_node(const std::filesystem::path& data_dir, const std::string& name,
                              const Currency& currency, const Clock& clock);

}  // namespace cohours::app
