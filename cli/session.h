// The options every command takes, and the node's secret key files as the
// CLI's tools read them. Commands reach the node through app/ (client.h);
// the data directory's layout is in app/node.h.
#pragma once

#include <filesystem>
#include <string>

#include "cohours/types.h"
#include "output.h"

namespace cohours::cli {

struct GlobalOptions {
  std::string data_dir = "./cohours-data";
  bool json = false;
};

// Reads a secret key file (hex). Fails with a clear message (a CliError).
SecretKey read_secret_key(const std::filesystem::path& path);

}  // namespace cohours::cli
