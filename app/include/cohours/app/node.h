// One node as the use cases see it: its store, ledger, copies of other
// nodes' logs, member directory, keyring, clock and data directory. Whoever
// runs the use cases holds it open: a `cohours` process when no daemon runs,
// or cohoursd for its control socket and its HTTP API.
//
// Data directory layout (docs/operations.md):
//   node.key          the node's ed25519 secret key, hex or encrypted, mode 0600
//   keyring/KEY.key   secret keys of members who have no phone, alike
//   store/            the RocksDB database
//   scratch/          throwaway stores of a running audit or reindex
//
// Thread safety: the parts are thread-safe (Store, Ledger, Replicas,
// Directory); a Node may serve several use cases at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/keyring.h"
#include "cohours/clock.h"
#include "cohours/directory.h"
#include "cohours/ledger.h"
#include "cohours/replicas.h"
#include "cohours/result.h"
#include "cohours/store.h"

namespace cohours::app {

class Mailer;  // app/mailer.h

// One peer as the daemon sees it now.
struct PeerState {
  std::string name;  // in the consortium file
  PublicKey key;
  bool connected = false;
  std::int64_t last_contact_ms = 0;  // 0: never since the daemon started
  std::int64_t banned_until_ms = 0;  // 0: not banned
  std::string ban_reason;
  struct LogSize {
    PublicKey log;
    std::uint64_t size = 0;
  };
  std::vector<LogSize> sizes;  // the size of each log the peer announced, in key order
};

// The daemon's sync: what it listens on, the logs it holds, its peers.
struct SyncState {
  std::string consortium;  // the consortium the daemon follows; empty: none
  std::string listen;      // host:port of the peer listener; empty: none
  std::vector<LogState> logs;
  std::map<PublicKey, std::string> broken_logs;  // logs no longer fetched, and why
  std::vector<PeerState> peers;
};

// What only a running daemon can answer, about its peers. A Node opened by
// a plain `cohours` process has none. Called from the threads that run use
// cases; implementations synchronise with the daemon's own threads.
class PeerView {
 public:
  virtual ~PeerView() = default;
  // The key of member `alias` at the consortium node called `node_name`,
  // asked of that node over the peer link; nullopt if it does not know the
  // alias or cannot be asked now.
  virtual std::optional<PublicKey> resolve_alias(const std::string& node_name, const std::string& alias) = 0;
  // The reverse: the aliases of `members` at the node called `node_name`,
  // asked of that node over the peer link. A member it answered for maps
  // to the alias, or to nullopt when it has no such member (never, or
  // forgotten there); members it could not be asked about or did not
  // answer for in time are left out. The default asks nobody.
  virtual std::map<PublicKey, std::optional<std::string>> member_aliases(const std::string& node_name,
                                                                         const std::vector<PublicKey>& members) {
    (void)node_name;
    (void)members;
    return {};
  }
  // The daemon's sync as it is now.
  virtual SyncState sync_state() = 0;
};

// How a long use case (an audit, a rebuild) reports how far it is:
// (what it does, e.g. "verified"; records done; records in all). The
// front end that watches decides whether and how to show it.
using Progress = std::function<void(const char* verb, std::uint64_t done, std::uint64_t total)>;

// While it lives, the use cases this thread runs report their progress to
// `progress` rather than to their node's (Node::progress). The daemon runs
// calls beside each other on one node, each with its own watcher.
class ProgressOnThisThread {
 public:
  explicit ProgressOnThisThread(Progress progress);
  ~ProgressOnThisThread();
  ProgressOnThisThread(const ProgressOnThisThread&) = delete;
  ProgressOnThisThread& operator=(const ProgressOnThisThread&) = delete;

 private:
  Progress progress_;
  const Progress* previous_;
};

class Node {
 public:
  // Opens the node kept in `data_dir`. not_found, with a sentence pointing
  // at `cohours init`, if there is none; the key files' refusals
  // (app/keyring.h: an encrypted node.key and no passphrase from
  // `passphrase`, a wrong one); the store's own errors otherwise.
  // `clock` must outlive the node.
  static Result<std::unique_ptr<Node>> open(const std::filesystem::path& data_dir, const Clock& clock,
                                            PassphraseSource passphrase = {});
  // A node whose parts the caller holds open (the daemon); they must
  // outlive it. `unlocker` is the one that read `identity` from node.key
  // (read_node_key), so keyring keys open and are written alike; null: a
  // new one with no passphrase source.
  Node(std::filesystem::path data_dir, NodeIdentity identity, Store& store, Ledger& ledger,
       Replicas& replicas, const Clock& clock, std::shared_ptr<KeyUnlocker> unlocker = nullptr);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  // The key that signs for the node now; its log id is ledger().node_key().
  const NodeIdentity& identity() const { return identity_; }
  // After a key rotation (app/node_key_rotation.h); never while use cases run.
  void replace_identity(NodeIdentity identity) { identity_ = std::move(identity); }
  Store& store() { return *store_; }
  Ledger& ledger() { return *ledger_; }
  Replicas& replicas() { return *replicas_; }
  Directory& directory() { return directory_; }
  const Directory& directory() const { return directory_; }
  const Keyring& keyring() const { return keyring_; }
  Keyring& keyring() { return keyring_; }
  const Clock& clock() const { return clock_; }
  // The daemon's peers, or null.
  PeerView* peers() const { return peers_; }
  void set_peers(PeerView* peers) { peers_ = peers; }
  // Where alert digests are sent (app/alerts.h), or null: only the daemon
  // has one (the SMTP client is in net/, which the CLI does not link).
  Mailer* mailer() const { return mailer_; }
  void set_mailer(Mailer* mailer) { mailer_ = mailer; }
  // Where long use cases report progress: the calling thread's watcher
  // if one is set (ProgressOnThisThread: the daemon gives each control call
  // its own), else the node's; empty (the default): they report nothing.
  // set_progress before use cases run, not while they do.
  const Progress& progress() const;
  void set_progress(Progress progress) { progress_ = std::move(progress); }
  // True inside the daemon (the node is held by a long-running process).
  bool hosted() const { return owned_ledger_ == nullptr; }

 private:
  Node(std::filesystem::path data_dir, NodeIdentity identity, std::unique_ptr<Store> store,
       std::unique_ptr<Ledger> ledger, std::unique_ptr<Replicas> replicas, const Clock& clock,
       std::shared_ptr<KeyUnlocker> unlocker);

  std::filesystem::path data_dir_;
  NodeIdentity identity_;
  // Opened by open(); destroyed in reverse order. Null when hosted.
  std::unique_ptr<Store> owned_store_;
  std::unique_ptr<Ledger> owned_ledger_;
  std::unique_ptr<Replicas> owned_replicas_;
  Store* store_;
  Ledger* ledger_;
  Replicas* replicas_;
  Directory directory_;
  Keyring keyring_;
  const Clock& clock_;
  PeerView* peers_ = nullptr;
  Mailer* mailer_ = nullptr;
  Progress progress_;
};

}  // namespace cohours::app
