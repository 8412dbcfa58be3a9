// Running CLI commands inside the daemon (cli/CONTROL.md, protocol 1).
//
// `cohours` no longer sends command lines (every command sends typed calls
// itself, client.h), but the daemon still runs one it is sent, until
// protocol 1 is removed. Two thread-local settings make that work without
// threading anything through the commands:
//   - the current host: the daemon's open store and ledger. A Client for the
//     host's data directory uses them instead of opening the store, and never
//     closes them;
//   - the client's working directory: relative paths the user typed (--data,
//     --receipt FILE, export DIR, ...) name files relative to where `cohours`
//     was run, not where the daemon runs. Commands pass every path argument
//     through resolve_user_path().
// Neither is set in a plain `cohours` process, which then behaves as before.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "cohours/app/node.h"
#include "cohours/clock.h"
#include "cohours/ledger.h"
#include "cohours/store.h"

namespace cohours::cli {

// A node held open by a long-running process (the daemon). Everything it
// points to must outlive every command run under it, and be safe to use
// from the thread that runs the commands (Store and Ledger are thread-safe).
struct HostedNode {
  std::filesystem::path data_dir;  // the node's data directory (made canonical when compared)
  Store* store = nullptr;
  Ledger* ledger = nullptr;
  NodeIdentity node;             // the node's key pair (node.key)
  const Clock* clock = nullptr;  // the daemon's clock; null: the system clock
  // What only the running daemon knows, about its peers (`sync status`,
  // ALIAS@NODE lookups): given to the use cases a command runs. May be null.
  app::PeerView* peers = nullptr;
};

// The host set on this thread, or null.
const HostedNode* current_host();
// The host set on this thread if it serves `data_dir` (as typed, resolved
// with resolve_user_path; compared as canonical paths), else null.
const HostedNode* host_for(const std::string& data_dir);

// Sets the current host of this thread for its lifetime (restores the
// previous one after). The node is not copied: it must outlive the scope.
class HostScope {
 public:
  explicit HostScope(const HostedNode& host);
  ~HostScope();
  HostScope(const HostScope&) = delete;
  HostScope& operator=(const HostScope&) = delete;

 private:
  const HostedNode* previous_;
};

// Sets the client's working directory (absolute) for this thread.
class ClientCwdScope {
 public:
  explicit ClientCwdScope(std::filesystem::path cwd);
  ~ClientCwdScope();
  ClientCwdScope(const ClientCwdScope&) = delete;
  ClientCwdScope& operator=(const ClientCwdScope&) = delete;

 private:
  std::optional<std::filesystem::path> previous_;
};

// A path the user typed, resolved against the client's working directory:
// absolute paths and empty text are returned as they are; a relative path is
// joined to the client's cwd when one is set on this thread, and otherwise
// left relative (it then names the same file from the process's own cwd,
// which is the client's).
std::filesystem::path resolve_user_path(const std::string& text);

}  // namespace cohours::cli
