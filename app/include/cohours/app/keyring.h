// Secret keys the node holds: its own (DATA/node.key) and those of members
// who have no phone (DATA/keyring/KEY.key), each a file of mode 0600 that
// holds the key as hex or encrypted with a passphrase (cohours/key_file.h;
// `cohours key protect`, app/key_protection.h). Members with a phone keep
// their key on it; the node never sees it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "cohours/app/key_unlocker.h"
#include "cohours/key_file.h"
#include "cohours/ledger.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::app {

// The text of a key file: a regular file of at most 1 KiB (a device or a
// large file fails at once). The caller wipes it (crypto.h wipe).
// not_found if it cannot be read, corruption if it is not such a file.
Result<std::string> read_key_file_text(const std::filesystem::path& path);

// Reads a secret key file, plain or encrypted (opened by `unlocker`; with
// none, an encrypted file is refused with how to give the passphrase).
// not_found if it cannot be read; corruption if it holds anything else or
// its seed does not make its public key; the unlocker's refusals.
Result<SecretKey> read_secret_key(const std::filesystem::path& path, KeyUnlocker* unlocker = nullptr);
// Writes it 0600 from the start (never readable by others, even briefly),
// through a temporary file that is synced, renamed into place, and the
// directory synced. Encrypted under `seal` when given, else as hex.
Status write_secret_key(const std::filesystem::path& path, const SecretKey& key,
                        const KeyFileKey* seal = nullptr);
// DATA/node.key read with `unlocker`. When it is encrypted, the unlocker
// keeps the key that opened it to seal new keyring keys alike.
Result<NodeIdentity> read_node_key(const std::filesystem::path& data_dir, KeyUnlocker& unlocker);
// The public half of DATA/node.key, without a passphrase: an encrypted
// file names it in clear (checked against the seed only when opened).
Result<PublicKey> read_node_public_key(const std::filesystem::path& data_dir);

class Keyring {
 public:
  // `unlocker` opens encrypted keys and says how new ones are written;
  // null: a private one with no passphrase source.
  explicit Keyring(std::filesystem::path dir, std::shared_ptr<KeyUnlocker> unlocker = nullptr)
      : dir_(std::move(dir)), unlocker_(unlocker ? std::move(unlocker) : std::make_shared<KeyUnlocker>()) {}

  // The unlocker that opened node.key: new node keys are sealed alike.
  const std::shared_ptr<KeyUnlocker>& unlocker() const { return unlocker_; }
  std::filesystem::path path_of(const PublicKey& member) const;
  bool holds(const PublicKey& member) const;
  // not_permitted, with a sentence for people, when the key is not here.
  Result<SecretKey> secret(const PublicKey& member) const;
  // Makes a new key pair and keeps its secret half (encrypted when
  // node.key is); returns the public key.
  Result<PublicKey> generate();
  // Removes a member's key; absent is not an error.
  Status remove(const PublicKey& member);

 private:
  std::filesystem::path dir_;
  std::shared_ptr<KeyUnlocker> unlocker_;
};

}  // namespace cohours::app
