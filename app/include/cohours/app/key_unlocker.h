// Opens encrypted key files (cohours/key_file.h) for one process: node.key
// at start, keyring keys whenever a member's key signs. The passphrase is
// asked of its source (app/passphrase.h) only when a file needs it, used
// for one Argon2id derivation and wiped; the derived key is kept (in
// guarded memory) so the other files sealed under the same salt, the whole
// keyring, open without asking again. Thread-safe: the daemon's use cases
// read keyring keys from several threads.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "cohours/app/passphrase.h"
#include "cohours/key_file.h"
#include "cohours/result.h"

namespace cohours::app {

class KeyUnlocker {
 public:
  explicit KeyUnlocker(PassphraseSource source = {}) : source_(std::move(source)) {}

  // The secret key sealed in `file` (read from `path`, named in messages).
  // not_permitted when there is no passphrase to be had (the message says
  // how to give one) or it does not open the file ("wrong passphrase or
  // damaged key file"); the source's own refusals otherwise.
  Result<SecretKey> open(const EncryptedKey& file, const std::filesystem::path& path);
  // Also tried when the source's passphrase does not open a file: `key
  // protect` finishing a change of passphrase that was cut short.
  void also_try(GuardedBytes passphrase);
  // Keeps a derived key, as if it had derived it (files just written).
  void remember(std::shared_ptr<const KeyFileKey> key);

  // New keyring keys are written sealed under the key that opened node.key
  // (null: node.key is plain, so are they): one policy for all of a node's
  // keys. Set by read_node_key (app/keyring.h).
  std::shared_ptr<const KeyFileKey> sealing() const;
  void seal_new_keys_like(const EncryptedKey& node_key);

 private:
  std::shared_ptr<const KeyFileKey> derived_for_locked(const EncryptedKey& file) const;

  mutable std::mutex mutex_;
  PassphraseSource source_;
  std::vector<GuardedBytes> also_;
  std::vector<std::shared_ptr<const KeyFileKey>> derived_;
  std::shared_ptr<const KeyFileKey> sealing_;
};

}  // namespace cohours::app
