#include "cohours/app/key_protection.h"

#include <algorithm>
#include <vector>

#include "cohours/app/keyring.h"
#include "cohours/crypto.h"
#include "cohours/store.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

// The keyring's key files (not the .tmp of a write cut short), in order.
Result<std::vector<fs::path>> keyring_files(const fs::path& data_dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  const fs::path dir = data_dir / "keyring";
  if (!fs::exists(dir, ec)) return files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".key" && it->is_regular_file()) files.push_back(it->path());
  if (ec) return Result<std::vector<fs::path>>(Code::io_error, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Status node_exists(const fs::path& data_dir) {
  std::error_code ec;
  if (!fs::exists(data_dir / "node.key", ec))
    return Status(Code::not_found, "no cohours node in " + data_dir.string() + "; pass --data DIR");
  // Rewriting node.key under a rotation cut short would seal the retired key.
  if (fs::exists(data_dir / "node.key.next", ec))
    return Status(Code::wrong_state,
                  "a key rotation was cut short (node.key.next is there): run any command that opens the node, "
                  "e.g. `cohours balance`, to settle it, then run this again; nothing was changed");
  return Status();
}

// The store's lock, held while key files are rewritten: the daemon, or a
// command making a keyring key, must not read or write keys meanwhile.
Result<std::unique_ptr<Store>> hold_node(const fs::path& data_dir) {
  auto store = open_rocks_store((data_dir / "store").string(), OpenMode::open_existing);
  if (!store.ok() && store.code() == Code::io_error && store.status().message().find("in use") != std::string::npos)
    return Result<std::unique_ptr<Store>>(
        Code::wrong_state, "the node's keys cannot be rewritten while it is in use: stop cohoursd (or wait for "
                           "the other cohours command) and run this again; nothing was changed");
  return store;
}

struct HeldKey {
  fs::path path;
  SecretKey secret;
};

// Every key of the node, keyring first and node.key last (the order they
// are written in), or the first refusal.
Result<std::vector<HeldKey>> read_all(const fs::path& data_dir, KeyUnlocker& unlocker) {
  TRY_ASSIGN(std::vector<fs::path> files, keyring_files(data_dir));
  files.push_back(data_dir / "node.key");
  std::vector<HeldKey> keys;
  for (const fs::path& path : files) {
    TRY_ASSIGN(SecretKey secret, read_secret_key(path, &unlocker));
    keys.push_back({path, std::move(secret)});
  }
  return keys;
}

Status rewrite_all(const std::vector<HeldKey>& keys, const KeyFileKey* seal) {
  for (const HeldKey& key : keys) TRY_STATUS(write_secret_key(key.path, key.secret, seal));
  return Status();
}

GuardedBytes copy_of(const GuardedBytes& bytes) {
  GuardedBytes copy(bytes.size());
  copy.resize(bytes.size());
  std::copy(bytes.data(), bytes.data() + bytes.size(), copy.data());
  return copy;
}

}  // namespace

Result<KeyFilesState> key_files_state(const fs::path& data_dir) {
  TRY_STATUS(node_exists(data_dir));
  KeyFilesState state;
  TRY_ASSIGN(state.node_key, read_node_public_key(data_dir));
  TRY_ASSIGN(std::string node_text, read_key_file_text(data_dir / "node.key"));
  if (key_file_form(node_text) == KeyFileForm::encrypted)
    if (auto file = parse_encrypted_key(node_text); file.ok()) state.node_key_encrypted = file->limits;
  wipe(node_text);
  TRY_ASSIGN(std::vector<fs::path> files, keyring_files(data_dir));
  for (const fs::path& path : files) {
    TRY_ASSIGN(std::string text, read_key_file_text(path));
    (key_file_form(text) == KeyFileForm::encrypted ? state.keyring_encrypted : state.keyring_plain) += 1;
    wipe(text);
  }
  return state;
}

Result<KeysRewritten> protect_keys(const fs::path& data_dir, PassphraseSource current,
                                   const GuardedBytes& new_passphrase, KdfLimits limits) {
  TRY_STATUS(node_exists(data_dir));
  TRY_STATUS(check_new_passphrase(new_passphrase));
  TRY_ASSIGN(auto held, hold_node(data_dir));
  KeyUnlocker unlocker(std::move(current));
  unlocker.also_try(copy_of(new_passphrase));
  TRY_ASSIGN(std::vector<HeldKey> keys, read_all(data_dir, unlocker));
  TRY_ASSIGN(KeyFileKey made, new_key_file_key(new_passphrase.view(), limits));
  auto seal = std::make_shared<const KeyFileKey>(std::move(made));
  TRY_STATUS(rewrite_all(keys, seal.get()));
  // node.key is read back as the node will read it: a node key that does
  // not open costs the co-op its log.
  KeyUnlocker check;
  check.remember(seal);
  TRY_ASSIGN(SecretKey reread, read_secret_key(data_dir / "node.key", &check));
  if (!(reread == keys.back().secret))
    return Result<KeysRewritten>(Code::corruption, "node.key did not read back as written; keep the backup");
  return KeysRewritten{keys.size(), limits};
}

Result<KeysRewritten> unprotect_keys(const fs::path& data_dir, PassphraseSource current) {
  TRY_STATUS(node_exists(data_dir));
  TRY_ASSIGN(auto held, hold_node(data_dir));
  TRY_ASSIGN(KeyFilesState state, key_files_state(data_dir));
  if (!state.node_key_encrypted && state.keyring_encrypted == 0) return KeysRewritten{0, std::nullopt};
  KeyUnlocker unlocker(std::move(current));
  TRY_ASSIGN(std::vector<HeldKey> keys, read_all(data_dir, unlocker));
  TRY_STATUS(rewrite_all(keys, nullptr));
  return KeysRewritten{keys.size(), std::nullopt};
}

}  // namespace cohours::app
