// What this build is and which formats it reads: `--version` of both
// programs prints it, so an admin can tell whether two nodes can sync and
// whether a store needs converting.
#pragma once

#include <string>

namespace cohours {

// e.g. "0.1.0 (entry format 2, store format 3)"
std::string version_text();
// The store format this build reads and writes (e.g. "3").
std::string store_format();

}  // namespace cohours
