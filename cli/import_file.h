// Reading a file a command imports (a timesheet, a member list): the CLI
// reads it as the caller, and sends its text to the use case.
#pragma once

#include <cstddef>
#include <string>

#include "cohours/result.h"

namespace cohours::cli {

// The file's bytes; fails with a message naming `what` ("timesheet file")
// when it is missing, not a regular file, larger than `max_bytes` or cannot
// be read.
std::string read_import_file(const std::string& file, std::size_t max_bytes, const std::string& what);

// Ends an import some rows of which were refused: the first refused row's
// code and line, the count, and that nothing was stored. `json_printed`:
// the answer was already printed as JSON, so only the exit code follows.
[[noreturn]] void fail_import(Code code, std::size_t refused, const std::string& file, int line,
                              const std::string& message, bool json_printed);

}  // namespace cohours::cli
