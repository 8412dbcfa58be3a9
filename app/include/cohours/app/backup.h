// Backups and restores (docs/operations.md "Backups").
//
// A backup is made by whoever holds the store (the daemon through the
// control socket, or `cohours` itself when no daemon runs): a RocksDB
// checkpoint of the live store, consistent while writes go on, and the
// receipt files (hard links: a receipt never changes once kept), in
// DATA/scratch/backup-PID-N, read back in pieces by the front end, which
// writes the files into the backup directory with its own permissions,
// then removed. The node's keys go in only when asked, sealed under a
// passphrase the person gives (the key file format of `key protect`).
//
// A restore runs in the process that asks, with no daemon (restore_node).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"

namespace cohours::app {

// The backup format this version writes and reads (the manifest's
// "format"). A reader refuses any other.
// v2: receipts in it too (v1, from before 0.2.0 was released, had none).
inline constexpr const char* kBackupFormat = "cohours-backup-v2";
// The most bytes of a file one read returns (well inside a control message).
inline constexpr std::uint64_t kBackupChunkBytes = 4u << 20;

struct BackupFile {
  std::string path;  // relative to the backup's store/ (or receipts/) directory
  std::uint64_t bytes = 0;
};

// What a backup holds: written as DIR/manifest.json by the front end.
struct BackupManifest {
  std::string format = kBackupFormat;
  std::string store_format;  // the store format of its store/
  std::string version;       // the cohours that made it
  PublicKey node;            // the node's log id
  std::string name;
  std::uint64_t log_size = 0;
  std::optional<Hash32> head_root;  // of the latest signed head, at log_size
  std::int64_t made_ms = 0;
  std::vector<BackupFile> files;
  // The receipt files (DATA/receipts) when it was made, each named by its
  // digest; a receipt erased later by `member forget` is still in it.
  std::vector<BackupFile> receipts;
  bool keys = false;  // keys/node.key and keys/keyring/ are in it, sealed under a passphrase
};

// backup, step 1: a checkpoint of the store now, in a new scratch directory.
struct StartBackup {};
struct BackupStarted {
  std::string id;  // the scratch directory's name, for the next steps
  BackupManifest manifest;
};
Result<BackupStarted> start_backup(Node& node, const StartBackup& request);

// backup, step 2: up to kBackupChunkBytes of one of its files from `offset`
// (empty at the end). malformed for an id, part or path that is not the backup's.
struct ReadBackupFile {
  std::string id;
  std::string part;  // "store" or "receipts": which list of the manifest `path` is in
  std::string path;
  std::uint64_t offset = 0;
};
struct BackupChunk {
  Bytes bytes;
};
Result<BackupChunk> read_backup_file(Node& node, const ReadBackupFile& request);

// backup, last step: removes the checkpoint (also after a failed copy).
struct EndBackup {
  std::string id;
};
struct BackupEnded {};
Result<BackupEnded> end_backup(Node& node, const EndBackup& request);

// backup --with-keys: node.key and every keyring key, each sealed under
// `passphrase` (one new salt for all, as `key protect` does), as key file
// texts. malformed for a passphrase under kMinNewPassphraseBytes.
struct SealKeys {
  std::string passphrase;
};
struct SealedKey {
  std::string file;  // "node.key" or "keyring/HEX.key"
  std::string text;
};
struct SealedKeys {
  std::vector<SealedKey> keys;
};
Result<SealedKeys> seal_keys(Node& node, const SealKeys& request);

// restore: the backup in `backup_dir` (its manifest already read by the
// front end) into the node directory `data_dir`, whose daemon must not run
// (the front end checks). Refuses a data directory that holds anything
// unless `force` (then its store, and node.key and keyring if the backup
// brings keys, are moved aside to DATA/before-restore-TIME/, never
// deleted); a manifest of another format
// or store format; files whose sizes differ from the manifest. The store is
// copied to DATA/store.restoring, opened, checked against the manifest
// (node, log size, head) and audited from its records, and, if the node
// joined a consortium, signing is held in it (Ledger::signing_hold) before
// it is renamed into place: the node signs nothing until its peers have
// shown how far its log goes. The backup's receipts, each checked against
// the digest it is named by, are put in DATA/receipts beside any there
// (nothing there is replaced or moved: a receipt is the same bytes
// wherever it is kept).
struct RestoreNode {
  std::filesystem::path backup_dir;
  std::filesystem::path data_dir;
  BackupManifest manifest;
  bool force = false;
};
struct NodeRestored {
  PublicKey node;
  std::string name;
  std::uint64_t log_size = 0;
  std::uint64_t records_audited = 0;
  std::uint64_t receipts = 0;  // receipt files put back (those already there are kept as they are)
  bool keys = false;          // node.key and keyring came from the backup
  bool node_key_present = false;  // DATA/node.key exists after the restore
  std::string moved_aside;    // where --force put what was there; empty: nothing
  bool signing_held = false;  // in a consortium: the node signs nothing until its peers confirm
};
Result<NodeRestored> restore_node(const RestoreNode& request, const Clock& clock);

// node i-am-alone: lets a node whose signing is held (a restore, or a peer
// that holds more of its log) sign again without its peers' word. The
// admin's call, for a node no peer will ever answer (docs/operations.md
// "After a restore": the risk is a forked log, frozen by every peer that
// held more of it).
struct IAmAlone {};
struct SigningReleased {
  std::optional<std::string> was_held;  // why it was held; nullopt: it was not
};
Result<SigningReleased> i_am_alone(Node& node, const IAmAlone& request);

}  // namespace cohours::app
