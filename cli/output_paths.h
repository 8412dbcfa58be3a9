// Where a command may write the files it makes for the person who ran it.
#pragma once

#include <filesystem>

#include "session.h"

namespace cohours::cli {

// Fails (not_permitted) when `target` is the node's data directory or
// inside it: a report, an export or a consortium file written there could
// overwrite node.key, a keyring key or the store's own files.
void refuse_inside_data_dir(const GlobalOptions& options, const std::filesystem::path& target);

}  // namespace cohours::cli
