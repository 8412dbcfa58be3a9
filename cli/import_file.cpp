#include "import_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "output.h"

namespace cohours::cli {

std::string read_import_file(const std::string& file, std::size_t max_bytes, const std::string& what) {
  std::error_code ec;
  const std::filesystem::path path(file);
  if (!std::filesystem::is_regular_file(path, ec))
    fail(Code::malformed, what + " '" + file + "' does not exist or is not a file");
  if (std::filesystem::file_size(path, ec) > max_bytes)
    fail(Code::malformed, what + " '" + file + "' is larger than " + std::to_string(max_bytes / (1024 * 1024)) +
                              " MiB: split it into smaller files");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) fail(Code::io_error, "cannot read " + what + " '" + file + "'");
  return text.str();
}

void fail_import(Code code, std::size_t refused, const std::string& file, int line, const std::string& message,
                 bool json_printed) {
  CliError error{code, std::to_string(refused) + " rows of " + file + " refused, nothing stored (first: line " +
                           std::to_string(line) + ": " + message + ")"};
  error.json_printed = json_printed;
  throw error;
}

}  // namespace cohours::cli
