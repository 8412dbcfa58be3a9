#include <algorithm>
#include <fstream>
#include <iterator>

#include "cohours/app/backup.h"
#include "cohours/app/keyring.h"
#include "cohours/app/receipts.h"
#include "cohours/audit.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/net/consortium.h"
#include "cohours/version.h"
#include "scratch_dir.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

Status restore_io_error(const std::string& what, const std::error_code& error) {
  return Status(Code::io_error, what + ": " + error.message());
}

bool restore_relative(const fs::path& path) {
  if (path.empty() || path.is_absolute()) return false;
  for (const auto& part : path)
    if (part == ".." || part == "." || part.empty()) return false;
  return true;
}

// The parts of a node directory a restore replaces: the keys only when
// the backup brings its own (else the node.key there is the node's key).
constexpr const char* kNodeParts[] = {"store", "node.key", "node.key.next", "keyring"};

// The backup's files are what its manifest lists, at the sizes it gives.
Status check_backup_files(const fs::path& backup_dir, const BackupManifest& manifest) {
  if (manifest.format != kBackupFormat)
    return Status(Code::malformed, backup_dir.string() + " is a backup of format '" + manifest.format +
                                       "'; this cohours reads " + kBackupFormat + " only");
  if (manifest.store_format != store_format())
    return Status(Code::malformed, "the backup holds a store of format " + manifest.store_format +
                                       "; this cohours (" + version_text() + ") reads store format " +
                                       store_format() + " only: restore it with the version that made it (" +
                                       manifest.version + ")");
  if (manifest.files.empty()) return Status(Code::corruption, "the backup's manifest lists no store files");
  for (const BackupFile& file : manifest.files) {
    if (!restore_relative(file.path))
      return Status(Code::corruption, "the backup's manifest names a file outside it: " + file.path);
    std::error_code error;
    const fs::path path = backup_dir / "store" / file.path;
    const auto size = fs::file_size(path, error);
    if (error || size != file.bytes)
      return Status(Code::corruption, "the backup is damaged or incomplete: " + path.string() +
                                          (error ? " is missing" : " is " + std::to_string(size) +
                                                                       " bytes, the manifest says " +
                                                                       std::to_string(file.bytes)) +
                                          "; nothing was restored");
  }
  for (const BackupFile& file : manifest.receipts) {
    // Each receipt is the bytes its name is the digest of: a damaged one is
    // found before anything is restored.
    const auto digest = receipt_file_digest(file.path);
    if (!digest) return Status(Code::corruption, "the backup's manifest names a receipt that is no digest: " + file.path);
    const fs::path path = backup_dir / "receipts" / file.path;
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return Status(Code::corruption, "the backup is damaged or incomplete: the receipt " + path.string() +
                                          " is missing; nothing was restored");
    const Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad() || bytes.size() != file.bytes || blake2b_256(bytes) != *digest)
      return Status(Code::corruption, "the backup is damaged or incomplete: the receipt " + path.string() +
                                          " is not the file it is named by; nothing was restored");
  }
  if (manifest.keys && !fs::exists(backup_dir / "keys" / "node.key"))
    return Status(Code::corruption, "the backup's manifest says it holds the keys, but " +
                                        (backup_dir / "keys" / "node.key").string() + " is missing");
  return {};
}

// Copies the store's files into `staging` and checks that what opens there
// is the backup the manifest describes, whole, then holds its signing.
Result<std::uint64_t> stage_store(const RestoreNode& request, const fs::path& staging, const Clock& clock,
                                  bool& held) {
  const BackupManifest& manifest = request.manifest;
  std::error_code error;
  fs::remove_all(staging, error);  // left by a restore cut short
  for (const BackupFile& file : manifest.files) {
    const fs::path to = staging / file.path;
    fs::create_directories(to.parent_path(), error);
    if (!error) fs::copy_file(request.backup_dir / "store" / file.path, to, error);
    if (error) return restore_io_error("cannot copy " + file.path + " into " + staging.string(), error);
  }
  TRY_ASSIGN(std::unique_ptr<Store> store, open_rocks_store(staging.string(), OpenMode::open_existing));
  {
    TRY_ASSIGN(std::unique_ptr<Ledger> ledger, Ledger::open_read_only(*store, clock));
    auto head = ledger->latest_head();
    if (ledger->node_key() != manifest.node || ledger->log_size() != manifest.log_size ||
        (head.ok() ? std::optional<Hash32>(head->head.root) : std::nullopt) != manifest.head_root)
      return Status(Code::corruption,
                    "the backup's store is not what its manifest says (node " + to_hex(manifest.node).substr(0, 12) +
                        ", log size " + std::to_string(manifest.log_size) + "); nothing was restored");
  }
  AuditOptions options;
  options.expected_node_key = manifest.node;
  options.scratch_dir = new_scratch_dir(request.data_dir, "audit");
  TRY_ASSIGN(AuditReport report, audit_store(*store, options));
  if (!report.passed)
    return Status(Code::corruption, "the backup's store does not pass its audit: " + report.failure +
                                        "; nothing was restored");
  // A node that joined no consortium has no peer that could hold more of
  // its log: nothing to wait for.
  if (net::installed_consortium(*store).code() == Code::not_found) return report.records;
  held = true;
  TRY_STATUS(hold_signing_in(*store, "it was restored from a backup made at " +
                                         format_time_ms(manifest.made_ms) + ", when its log held " +
                                         std::to_string(manifest.log_size) +
                                         " records, and its peers may hold more of it"));
  return report.records;
}

// The backup's receipts into DATA/receipts (0700, files 0600). One already
// there is the same bytes (it has the same digest) and stays as it is; so
// do the rest there, which a log recovered from peers may cite.
Result<std::uint64_t> put_back_receipts(const RestoreNode& request) {
  const fs::path to = receipts_dir_in(request.data_dir);
  std::error_code error;
  fs::create_directories(to, error);
  if (!error) fs::permissions(to, fs::perms::owner_all, error);
  if (error) return restore_io_error("cannot make " + to.string(), error);
  std::uint64_t put = 0;
  for (const BackupFile& file : request.manifest.receipts) {
    if (fs::exists(to / file.path)) continue;
    const fs::path partial = to / (file.path + ".restoring");
    fs::copy_file(request.backup_dir / "receipts" / file.path, partial, fs::copy_options::overwrite_existing, error);
    if (!error) fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write, error);
    if (!error) fs::rename(partial, to / file.path, error);
    if (error) return restore_io_error("cannot put back the receipt " + file.path, error);
    ++put;
  }
  return put;
}

Status copy_key_file(const fs::path& from, const fs::path& to) {
  std::error_code error;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, error);
  if (!error) fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, error);
  if (error) return restore_io_error("cannot restore " + to.string(), error);
  return {};
}

}  // namespace

Result<NodeRestored> restore_node(const RestoreNode& request, const Clock& clock) {
  const fs::path& data = request.data_dir;
  TRY_STATUS(check_backup_files(request.backup_dir, request.manifest));
  std::error_code error;
  fs::create_directories(data, error);
  if (!error) fs::permissions(data, fs::perms::owner_all, error);
  if (error) return restore_io_error("cannot make " + data.string(), error);
  std::vector<std::string> held;
  for (fs::directory_iterator it(data, error), end; !error && it != end; it.increment(error))
    if (it->path().filename() != "store.restoring" && it->path().filename() != "scratch")
      held.push_back(it->path().filename().string());
  if (error) return restore_io_error("cannot read " + data.string(), error);
  std::sort(held.begin(), held.end());
  if (!held.empty() && !request.force) {
    std::string list;
    for (const auto& name : held) list += (list.empty() ? "" : ", ") + name;
    return Status(Code::wrong_state, data.string() + " is not empty (it holds " + list +
                                         "): restore into a new directory, or add --force to move its store (and its keys, if the "
                                         "backup has keys) aside first; nothing was changed");
  }
  NodeRestored done;
  const fs::path staging = data / "store.restoring";
  auto staged = stage_store(request, staging, clock, done.signing_held);
  if (!staged.ok()) {
    // A copy that failed its checks is not left behind as debris.
    fs::remove_all(staging, error);
    return staged.status();
  }
  done.records_audited = staged.value();
  // The checked copy goes in; what was there is kept, never deleted.
  if (!held.empty()) {
    const fs::path aside = data / ("before-restore-" + std::to_string(clock.now_ms()));
    for (const char* part : kNodeParts) {
      if (!fs::exists(fs::symlink_status(data / part))) continue;
      if (std::string_view(part) != "store" && !request.manifest.keys) continue;
      fs::create_directories(aside, error);
      if (!error) fs::rename(data / part, aside / part, error);
      if (error) return restore_io_error("cannot move " + (data / part).string() + " aside", error);
      done.moved_aside = aside.string();
    }
  }
  fs::rename(staging, data / "store", error);
  if (error) return restore_io_error("cannot put the restored store in place", error);
  TRY_ASSIGN(done.receipts, put_back_receipts(request));
  if (request.manifest.keys) {
    TRY_STATUS(copy_key_file(request.backup_dir / "keys" / "node.key", data / "node.key"));
    const fs::path keyring = request.backup_dir / "keys" / "keyring";
    fs::create_directories(data / "keyring", error);
    if (!error) fs::permissions(data / "keyring", fs::perms::owner_all, error);
    for (fs::directory_iterator it(keyring, error), end; !error && it != end; it.increment(error))
      TRY_STATUS(copy_key_file(it->path(), data / "keyring" / it->path().filename()));
    if (error && error != std::errc::no_such_file_or_directory)
      return restore_io_error("cannot restore the keyring", error);
    done.keys = true;
  } else if (!fs::exists(data / "keyring")) {
    fs::create_directories(data / "keyring", error);
    if (!error) fs::permissions(data / "keyring", fs::perms::owner_all, error);
  }
  done.node = request.manifest.node;
  done.name = request.manifest.name;
  done.log_size = request.manifest.log_size;
  done.node_key_present = fs::exists(data / "node.key");
  return done;
}

}  // namespace cohours::app
