#include "cohours/app/key_unlocker.h"

namespace cohours::app {

namespace fs = std::filesystem;

std::shared_ptr<const KeyFileKey> KeyUnlocker::derived_for_locked(const EncryptedKey& file) const {
  for (const auto& key : derived_)
    if (derived_for(*key, file)) return key;
  return nullptr;
}

Result<SecretKey> KeyUnlocker::open(const EncryptedKey& file, const fs::path& path) {
  const std::string wrong = "wrong passphrase or damaged key file: " + path.string() +
                            " does not open with the passphrase given; nothing was changed";
  // One at a time: an unlock allocates Argon2id's memory, and threads that
  // wait for the same salt then find its key derived.
  std::lock_guard lock(mutex_);
  if (auto key = derived_for_locked(file)) {
    // The passphrase that made this key is the one in use; another
    // derivation of it would give the same key, so the file is damaged or
    // sealed under another passphrase with the same salt (never made so).
    if (auto secret = decrypt_key(file, *key)) return std::move(*secret);
    return Result<SecretKey>(Code::not_permitted, wrong);
  }
  std::vector<GuardedBytes> candidates;
  const bool asked = !source_.file.empty() || source_.ask;
  if (!source_.file.empty()) {
    auto read = read_passphrase_file(source_.file);
    if (!read.ok()) return read.status();
    candidates.push_back(std::move(read).value());
  } else if (source_.ask) {
    auto typed = source_.ask("Passphrase for " + path.string() + ": ");
    if (!typed)
      return Result<SecretKey>(Code::not_permitted, path.string() + " is encrypted and no passphrase was typed");
    candidates.push_back(std::move(*typed));
  } else if (also_.empty()) {
    return Result<SecretKey>(Code::not_permitted,
                             path.string() + " is encrypted with a passphrase; " + kPassphraseHint);
  }
  for (const auto& extra : also_) {
    GuardedBytes copy(extra.size());
    copy.resize(extra.size());
    std::copy(extra.data(), extra.data() + extra.size(), copy.data());
    candidates.push_back(std::move(copy));
  }
  for (const auto& passphrase : candidates) {
    auto key = derive_key_file_key(passphrase.view(), file.salt, file.limits);
    if (!key.ok()) return key.status();
    auto shared = std::make_shared<const KeyFileKey>(std::move(key).value());
    if (auto secret = decrypt_key(file, *shared)) {
      derived_.push_back(std::move(shared));
      return std::move(*secret);
    }
  }
  if (!asked)  // only also_try's passphrases, and they did not open it
    return Result<SecretKey>(Code::not_permitted,
                             path.string() + " is encrypted with a passphrase; " + kPassphraseHint);
  return Result<SecretKey>(Code::not_permitted, wrong);
}

void KeyUnlocker::also_try(GuardedBytes passphrase) {
  std::lock_guard lock(mutex_);
  also_.push_back(std::move(passphrase));
}

void KeyUnlocker::remember(std::shared_ptr<const KeyFileKey> key) {
  std::lock_guard lock(mutex_);
  derived_.push_back(std::move(key));
}

std::shared_ptr<const KeyFileKey> KeyUnlocker::sealing() const {
  std::lock_guard lock(mutex_);
  return sealing_;
}

void KeyUnlocker::seal_new_keys_like(const EncryptedKey& node_key) {
  std::lock_guard lock(mutex_);
  sealing_ = derived_for_locked(node_key);
}

}  // namespace cohours::app
