// Secret keys the node holds: its own (DATA/node.key) and those of members
// who have no phone (DATA/keyring/KEY.key), each a hex file of mode 0600.
// Members with a phone keep their key on it; the node never sees it.
#pragma once

#include <filesystem>

#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::app {

// Reads a secret key file (64 bytes as hex). not_found if it cannot be
// read, corruption if it holds anything else.
Result<SecretKey> read_secret_key(const std::filesystem::path& path);
// Writes it 0600 from the start (never readable by others, even briefly),
// through a temporary file renamed into place.
Status write_secret_key(const std::filesystem::path& path, const SecretKey& key);

class Keyring {
 public:
  explicit Keyring(std::filesystem::path dir) : dir_(std::move(dir)) {}

  std::filesystem::path path_of(const PublicKey& member) const;
  bool holds(const PublicKey& member) const;
  // not_permitted, with a sentence for people, when the key is not here.
  Result<SecretKey> secret(const PublicKey& member) const;
  // Makes a new key pair and keeps its secret half; returns the public key.
  Result<PublicKey> generate();
  // Removes a member's key; absent is not an error.
  Status remove(const PublicKey& member);

 private:
  std::filesystem::path dir_;
};

}  // namespace cohours::app
