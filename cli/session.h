// The options every command takes. Commands reach the node through app/
// (client.h); the data directory's layout and its key files are app's
// (app/node.h, app/keyring.h).
#pragma once

#include <string>

namespace cohours::cli {

struct GlobalOptions {
  std::string data_dir = "./cohours-data";
  bool json = false;
  // A file holding the passphrase of encrypted key files
  // (--passphrase-file, or COHOURS_PASSPHRASE_FILE); empty: none.
  std::string passphrase_file;
};

}  // namespace cohours::cli
