// backup, restore (app/backup.h) and node i-am-alone: the backup is made by
// whoever holds the store (the daemon, or this process); this process
// writes its files into the directory named, with the caller's own
// permissions, and its manifest last.
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "client.h"
#include "cohours/app/backup.h"
#include "cohours/app/clock_source.h"
#include "cohours/control/calls_backup.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"
#include "output_paths.h"

namespace cohours::cli {

namespace fs = std::filesystem;

namespace {

// nlohmann's message without its "[json.exception.out_of_range.403] "
// prefix, which means nothing to an admin: "key 'store_format' not found".
std::string without_json_error_id(std::string_view what) {
  if (what.starts_with("[json.exception.")) {
    if (std::size_t end = what.find("] "); end != std::string_view::npos) what.remove_prefix(end + 2);
  }
  return std::string(what);
}

// A new file, 0600 from the start (it may hold the store's personal data or
// sealed keys), written whole and synced.
class BackupOutFile {
 public:
  explicit BackupOutFile(const fs::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) fail(Code::io_error, "cannot write " + path.string() + ": " + std::strerror(errno));
  }
  ~BackupOutFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  BackupOutFile(const BackupOutFile&) = delete;
  BackupOutFile& operator=(const BackupOutFile&) = delete;
  void write(const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::write(fd_, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(Code::io_error, "cannot write " + path_.string() + ": " + std::strerror(errno));
      data += n;
      size -= static_cast<std::size_t>(n);
    }
  }
  void finish() {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0)
      fail(Code::io_error, "cannot write " + path_.string() + ": " + std::strerror(errno));
    fd_ = -1;
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

void write_backup_text(const fs::path& path, const std::string& text) {
  BackupOutFile file(path);
  file.write(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  file.finish();
}

void make_backup_dir(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (!error) fs::permissions(dir, fs::perms::owner_all, error);
  if (error) fail(Code::io_error, "cannot make " + dir.string() + ": " + error.message());
}

// The passphrase the backup's keys are sealed under: from --passphrase-file
// (or COHOURS_PASSPHRASE_FILE), or typed twice on a terminal.
std::string backup_passphrase(const GlobalOptions& options) {
  auto text = [](const GuardedBytes& bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  if (!options.passphrase_file.empty()) {
    GuardedBytes passphrase = check(app::read_passphrase_file(options.passphrase_file));
    check(app::check_new_passphrase(passphrase));
    return text(passphrase);
  }
  app::AskPassphrase ask = app::terminal_asker();
  if (!ask)
    usage_error("backup --with-keys seals the keys under a passphrase: name a file holding it with "
                "--passphrase-file FILE (or COHOURS_PASSPHRASE_FILE), or run it on a terminal to type it");
  auto first = ask("Passphrase for the keys in the backup: ");
  if (!first) fail(Code::malformed, "no passphrase was typed; no backup was made");
  check(app::check_new_passphrase(*first));
  auto again = ask("The same passphrase again: ");
  if (!again || again->size() != first->size() || std::memcmp(again->data(), first->data(), first->size()) != 0)
    fail(Code::malformed, "the two passphrases typed differ; no backup was made");
  return text(*first);
}

void copy_backup_files(Client& client, const app::BackupStarted& started, const fs::path& dir) {
  const app::BackupManifest& manifest = started.manifest;
  std::uint64_t total = 0, copied = 0;
  for (const auto* files : {&manifest.files, &manifest.receipts})
    for (const auto& file : *files) total += file.bytes;
  for (const std::string part : {"store", "receipts"}) {
    make_backup_dir(dir / part);
    for (const auto& file : part == "store" ? manifest.files : manifest.receipts) {
      const fs::path to = dir / part / file.path;
      make_backup_dir(to.parent_path());
      BackupOutFile out_file(to);
      std::uint64_t offset = 0;
      while (offset < file.bytes) {
        app::BackupChunk chunk = client.call(app::ReadBackupFile{started.id, part, file.path, offset});
        if (chunk.bytes.empty()) break;
        out_file.write(chunk.bytes.data(), chunk.bytes.size());
        offset += chunk.bytes.size();
        copied += chunk.bytes.size();
        if (err_is_terminal())
          err() << "\rcopied " << (copied >> 20) << " / " << (total >> 20) << " MiB" << std::flush;
      }
      if (offset != file.bytes)
        fail(Code::io_error, "the " + part + " file " + file.path + " changed size while it was copied; try again");
      out_file.finish();
    }
  }
  if (err_is_terminal()) err() << "\n";
}

void run_backup(const GlobalOptions& options, const std::string& dir_text, bool with_keys) {
  const fs::path dir(dir_text);
  refuse_inside_data_dir(options, dir);
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_empty(dir, error))
    fail(Code::wrong_state, dir_text + " is not empty: name a new directory for the backup");
  const std::string passphrase = with_keys ? backup_passphrase(options) : std::string();
  Client client(options);
  app::BackupStarted started = client.call(app::StartBackup{});
  app::BackupManifest manifest = started.manifest;
  try {
    make_backup_dir(dir);
    copy_backup_files(client, started, dir);
    if (with_keys) {
      app::SealedKeys sealed = client.call(app::SealKeys{passphrase});
      make_backup_dir(dir / "keys");
      make_backup_dir(dir / "keys" / "keyring");
      for (const auto& key : sealed.keys) write_backup_text(dir / "keys" / key.file, key.text);
      manifest.keys = true;
    }
    // Last: a directory with a manifest is a whole backup.
    write_backup_text(dir / "manifest.json", nlohmann::json(manifest).dump(2) + "\n");
  } catch (...) {
    (void)client.call(app::EndBackup{started.id});
    throw;
  }
  (void)client.call(app::EndBackup{started.id});
  std::uint64_t bytes = 0;
  for (const auto* files : {&manifest.files, &manifest.receipts})
    for (const auto& file : *files) bytes += file.bytes;
  if (options.json)
    return print_json({{"dir", dir.string()},
                       {"node", to_hex(manifest.node)},
                       {"log_size", manifest.log_size},
                       {"head_root", manifest.head_root ? to_hex(*manifest.head_root) : std::string()},
                       {"made", format_time_ms(manifest.made_ms)},
                       {"files", manifest.files.size()},
                       {"receipts", manifest.receipts.size()},
                       {"bytes", bytes},
                       {"keys", manifest.keys}});
  out() << "Backed up node \"" << manifest.name << "\" (" << to_hex(manifest.node).substr(0, 12) << ") into "
        << dir.string() << ": log size " << manifest.log_size << ", " << manifest.files.size() << " store files and "
        << manifest.receipts.size() << (manifest.receipts.size() == 1 ? " receipt, " : " receipts, ") << bytes
        << " bytes, made " << format_time_ms(manifest.made_ms) << ".\n";
  if (manifest.keys)
    out() << "The node's keys are in it, sealed under the passphrase given: keep that passphrase apart from "
             "the backup.\n";
  else
    out() << "The keys are not in it (add --with-keys): keep node.key safe elsewhere.\n";
}

void run_restore(const GlobalOptions& options, const std::string& dir_text, bool force) {
  const fs::path dir(dir_text), data(options.data_dir);
  if (check(control::RemoteNode::connect(data)))
    fail(Code::wrong_state, "the daemon is running for " + options.data_dir +
                                "; stop it first: a restore replaces the store it holds");
  app::BackupManifest manifest;
  {
    std::ifstream in(dir / "manifest.json");
    if (!in)
      fail(Code::not_found, (dir / "manifest.json").string() +
                                " cannot be read: name a directory made by `cohours backup` (a backup "
                                "cut short has no manifest)");
    try {
      manifest = nlohmann::json::parse(in).get<app::BackupManifest>();
    } catch (const nlohmann::json::exception& e) {
      fail(Code::malformed, (dir / "manifest.json").string() + " is not a cohours backup manifest: " +
                                without_json_error_id(e.what()));
    }
  }
  app::NodeRestored done =
      check(app::restore_node({dir, data, manifest, force}, *check(app::process_clock())));
  if (options.json)
    return print_json({{"node", to_hex(done.node)},
                       {"name", done.name},
                       {"log_size", done.log_size},
                       {"records_audited", done.records_audited},
                       {"receipts", done.receipts},
                       {"keys", done.keys},
                       {"node_key_present", done.node_key_present},
                       {"moved_aside", done.moved_aside},
                       {"signing_held", done.signing_held}});
  out() << "Restored node \"" << done.name << "\" (" << to_hex(done.node).substr(0, 12) << ") into "
        << options.data_dir << ": log size " << done.log_size << ", " << done.records_audited
        << " records audited, " << done.receipts << (done.receipts == 1 ? " receipt" : " receipts")
        << " put back.\n";
  if (!done.moved_aside.empty()) out() << "What was there before is kept in " << done.moved_aside << ".\n";
  if (done.keys)
    out() << "node.key and the keyring came from the backup, sealed under its passphrase: start cohoursd with "
             "it (--passphrase-file).\n";
  else if (!done.node_key_present)
    out() << "The backup holds no keys and " << options.data_dir
          << " has no node.key: put the node's key back in it before starting cohoursd.\n";
  if (!done.signing_held) {
    out() << "The node joined no consortium: no peer can hold more of its log, and it signs as before.\n";
    return;
  }
  out() << "Signing is held: the node signs nothing until every peer has shown how far its log goes. Start "
           "cohoursd with the peers reachable; it fetches back the records they hold beyond the backup, then "
           "signs again (`cohours sync status` shows it). If no peer ever will answer, see `cohours node "
           "i-am-alone` (docs/operations.md \"After a restore\").\n";
}

void run_i_am_alone(const GlobalOptions& options) {
  Client client(options);
  app::SigningReleased released = client.call(app::IAmAlone{});
  if (options.json)
    return print_json({{"was_held", released.was_held ? nlohmann::json(*released.was_held) : nlohmann::json()}});
  if (!released.was_held) {
    out() << "Signing was not held: nothing changed.\n";
    return;
  }
  out() << "Signing resumes without the peers' word (it was held: " << *released.was_held << ").\n"
        << "If any peer holds more of this node's log than it does, the next entry forks the log and every "
           "peer that holds more freezes it for good.\n";
}

}  // namespace

void add_backup_commands(CLI::App& app, GlobalOptions& options) {
  auto dir = std::make_shared<std::string>();
  auto with_keys = std::make_shared<bool>(false);
  CLI::App* backup = add_command(app, "backup",
                                 "Copy the node's store (a consistent checkpoint, the daemon may run) into a "
                                 "new directory");
  backup->add_option("DIR", *dir, "A new or empty directory for the backup")->required();
  backup->add_flag("--with-keys", *with_keys,
                   "Add node.key and the keyring, sealed under the passphrase from --passphrase-file (or typed)");
  backup->callback([&options, dir, with_keys] { run_backup(options, *dir, *with_keys); });

  auto from = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  CLI::App* restore = add_command(app, "restore",
                                  "Put a backup into --data DIR (the daemon stopped); the node then signs "
                                  "nothing until its peers confirm how far its log goes");
  restore->add_option("DIR", *from, "A directory made by `cohours backup`")->required();
  restore->add_flag("--force", *force,
                    "Restore into a data directory that is not empty (its store, and its keys if the backup "
                    "has keys, are moved aside)");
  restore->callback([&options, from, force] { run_restore(options, *from, *force); });

  CLI::App* node = app.get_subcommand("node");
  CLI::App* alone = add_command(*node, "i-am-alone",
                                "Let a restored node sign again without its peers' word (when no peer will "
                                "ever answer: a risk of a forked log; docs/operations.md)");
  alone->callback([&options] { run_i_am_alone(options); });
}

}  // namespace cohours::cli
