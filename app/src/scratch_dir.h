// Directories for work that is thrown away (an audit's replayed state), in
// the node's data directory: on the same disk as the store and as private,
// never in a /tmp that may be memory.
#pragma once

#include <filesystem>
#include <string>

namespace cohours::app {

// DATA/scratch/WHAT-PID-N, new for each call. Directories that processes
// no longer running left there (a kill -9 mid-audit) are removed first.
std::string new_scratch_dir(const std::filesystem::path& data_dir, const std::string& what);

}  // namespace cohours::app
