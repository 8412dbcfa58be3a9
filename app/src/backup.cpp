#include "cohours/app/backup.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "cohours/app/keyring.h"
#include "cohours/app/passphrase.h"
#include "cohours/app/receipts.h"
#include "cohours/audit.h"
#include "cohours/crypto.h"
#include "cohours/key_file.h"
#include "cohours/version.h"
#include "scratch_dir.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

Status backup_io_error(const std::string& what, const std::error_code& error) {
  return Status(Code::io_error, what + ": " + error.message());
}

// A name the backup's steps may use: one path component, no way out.
bool plain_relative(const fs::path& path) {
  if (path.empty() || path.is_absolute()) return false;
  for (const auto& part : path)
    if (part == ".." || part == "." || part.empty()) return false;
  return true;
}

Result<fs::path> backup_dir_of(const Node& node, const std::string& id) {
  if (id.rfind("backup-", 0) != 0 || id.find('/') != std::string::npos || !plain_relative(id))
    return Status(Code::malformed, "no backup is being made under the name '" + id + "'");
  return node.data_dir() / "scratch" / id;
}

// Every regular file under `root`, relative to it, in name order.
Result<std::vector<BackupFile>> files_under(const fs::path& root) {
  std::vector<BackupFile> files;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    files.push_back({fs::relative(it->path(), root, error).generic_string(), it->file_size(error)});
    if (error) break;
  }
  if (error) return backup_io_error("cannot list " + root.string(), error);
  std::sort(files.begin(), files.end(), [](const BackupFile& a, const BackupFile& b) { return a.path < b.path; });
  return files;
}

// Every kept receipt of the node, linked into `to` (copied where a link
// cannot be made): a receipt is written once under its digest and never
// changed, so a link is as good as a copy made now.
Status link_receipts(const fs::path& data_dir, const fs::path& to) {
  std::error_code error;
  fs::create_directories(to, error);
  if (error) return backup_io_error("cannot make " + to.string(), error);
  const fs::path from = receipts_dir_in(data_dir);
  for (fs::directory_iterator it(from, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!receipt_file_digest(name) || !it->is_regular_file(error)) continue;
    std::error_code link_error;
    fs::create_hard_link(it->path(), to / name, link_error);
    if (link_error) fs::copy_file(it->path(), to / name, error);
    if (error) return backup_io_error("cannot copy the receipt " + name, error);
  }
  if (error && error != std::errc::no_such_file_or_directory)
    return backup_io_error("cannot list " + from.string(), error);
  return {};
}

// The node, log size and head of the store at `store_dir`, opened read-only.
Status describe_store(const fs::path& store_dir, const Clock& clock, BackupManifest& manifest) {
  TRY_ASSIGN(std::unique_ptr<Store> store, open_rocks_store(store_dir.string(), OpenMode::open_existing));
  TRY_ASSIGN(std::unique_ptr<Ledger> ledger, Ledger::open_read_only(*store, clock));
  manifest.node = ledger->node_key();
  manifest.name = ledger->node_name();
  manifest.log_size = ledger->log_size();
  if (auto head = ledger->latest_head(); head.ok()) manifest.head_root = head->head.root;
  return {};
}

}  // namespace

Result<BackupStarted> start_backup(Node& node, const StartBackup&) {
  const fs::path dir = new_scratch_dir(node.data_dir(), "backup");
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return backup_io_error("cannot make " + dir.string(), error);
  auto made = [&]() -> Result<BackupStarted> {
    // A checkpoint of the live store: consistent, whatever commits meanwhile.
    TRY_STATUS(node.store().checkpoint((dir / "store").string()));
    BackupStarted started;
    started.id = dir.filename().string();
    BackupManifest& manifest = started.manifest;
    manifest.store_format = store_format();
    manifest.version = version_text();
    manifest.made_ms = node.clock().now_ms();
    // What the copy holds, read from the copy itself.
    TRY_STATUS(describe_store(dir / "store", node.clock(), manifest));
    TRY_ASSIGN(manifest.files, files_under(dir / "store"));
    // Receipts after the checkpoint: every claim in it finds its receipt
    // (one kept meanwhile, for a newer claim, comes too).
    TRY_STATUS(link_receipts(node.data_dir(), dir / "receipts"));
    TRY_ASSIGN(manifest.receipts, files_under(dir / "receipts"));
    return started;
  }();
  if (!made.ok()) fs::remove_all(dir, error);
  return made;
}

Result<BackupChunk> read_backup_file(Node& node, const ReadBackupFile& request) {
  TRY_ASSIGN(fs::path dir, backup_dir_of(node, request.id));
  if ((request.part != "store" && request.part != "receipts") || !plain_relative(request.path))
    return Status(Code::malformed, "'" + request.part + "/" + request.path + "' is not a file of the backup");
  const fs::path path = dir / request.part / request.path;
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(path, error)))
    return Status(Code::not_found, "the backup being made holds no file " + request.part + "/" + request.path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::io_error, "cannot read " + path.string());
  in.seekg(static_cast<std::streamoff>(request.offset));
  BackupChunk chunk;
  chunk.bytes.resize(kBackupChunkBytes);
  in.read(reinterpret_cast<char*>(chunk.bytes.data()), static_cast<std::streamsize>(chunk.bytes.size()));
  if (in.bad()) return Status(Code::io_error, "cannot read " + path.string());
  chunk.bytes.resize(static_cast<std::size_t>(in.gcount()));
  return chunk;
}

Result<BackupEnded> end_backup(Node& node, const EndBackup& request) {
  TRY_ASSIGN(fs::path dir, backup_dir_of(node, request.id));
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) return backup_io_error("cannot remove " + dir.string(), error);
  return BackupEnded{};
}

Result<SealedKeys> seal_keys(Node& node, const SealKeys& request) {
  GuardedBytes passphrase(std::max<std::size_t>(request.passphrase.size(), 1));
  std::copy(request.passphrase.begin(), request.passphrase.end(), passphrase.data());
  passphrase.resize(request.passphrase.size());
  TRY_STATUS(check_new_passphrase(passphrase));
  TRY_ASSIGN(KeyFileKey key, new_key_file_key(passphrase.view()));
  SealedKeys sealed;
  sealed.keys.push_back({"node.key", format_encrypted_key(encrypt_key(node.identity().secret_key, key))});
  std::error_code error;
  const fs::path keyring = node.data_dir() / "keyring";
  std::vector<fs::path> files;
  for (fs::directory_iterator it(keyring, error), end; !error && it != end; it.increment(error))
    if (it->path().extension() == ".key") files.push_back(it->path());
  if (error && error != std::errc::no_such_file_or_directory)
    return backup_io_error("cannot list " + keyring.string(), error);
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    auto member = fixed_from_hex<PublicKey>(file.stem().string());
    if (!member) continue;  // not a key file of the keyring's naming
    TRY_ASSIGN(SecretKey secret, node.keyring().secret(*member));
    sealed.keys.push_back({"keyring/" + file.filename().string(), format_encrypted_key(encrypt_key(secret, key))});
  }
  return sealed;
}

Result<SigningReleased> i_am_alone(Node& node, const IAmAlone&) {
  SigningReleased released;
  released.was_held = node.ledger().signing_hold();
  if (released.was_held) TRY_STATUS(node.ledger().release_signing());
  return released;
}

}  // namespace cohours::app
