// Reading a file a command imports (a timesheet, a member list): the CLI
// reads it as the caller, and sends its text to the use case.
#pragma once

#include <cstddef>
#include <string>

namespace cohours::cli {

// The file's bytes; fails with a message naming `what` ("timesheet file")
// when it is missing, not a regular file, larger than `max_bytes` or cannot
// be read.
std::string read_import_file(const std::string& file, std::size_t max_bytes, const std::string& what);

}  // namespace cohours::cli
