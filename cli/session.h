// One CLI invocation's view of a node: its data directory (node key,
// keyring, store), the ledger and the member directory.
//
// Data directory layout (docs/operations.md):
//   node.key          the node's ed25519 secret key, hex, mode 0600
//   keyring/KEY.key   secret keys of members who have no phone, mode 0600
//   store/            the RocksDB database
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "cohours/directory.h"
#include "cohours/ledger.h"
#include "host.h"
#include "output.h"

namespace cohours::cli {

struct GlobalOptions {
  std::string data_dir = "./cohours-data";
  bool json = false;
};

// Reads/writes a secret key file (hex, 0600). Fails with a clear message.
SecretKey read_secret_key(const std::filesystem::path& path);
void write_secret_key(const std::filesystem::path& path, const SecretKey& key);

class Session {
 public:
  // Opens an initialised node; fails with a message pointing at `cohours init`.
  // Under a host serving options.data_dir (host.h: inside the daemon) it
  // uses the host's open store and ledger instead, and leaves them open.
  explicit Session(const GlobalOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  Ledger& ledger() { return *ledger_; }
  Directory& directory() { return *directory_; }
  Store& store() { return *store_; }
  const Clock& clock() const { return *clock_; }
  // The data directory, resolved against the client's cwd (host.h).
  const std::filesystem::path& dir() const { return dir_; }
  // The daemon this session runs in, or null in a plain `cohours` process.
  const HostedNode* host() const { return host_; }

  // The member key for an alias (or a 64-hex key).
  PublicKey member_key(const std::string& alias_or_key);
  std::string name_of(const PublicKey& key) { return display_name(*directory_, key); }
  std::string account_name(const AccountId& account);
  EntryId resolve_id(const std::string& hex) { return check(ledger_->resolve_id(hex)); }

  // Keeps a private note in the erasable directory and returns its digest
  // (zero for empty text). Notes of a submission that is then rejected are
  // erased again, so no personal data outlives a failed command.
  Hash32 put_note(const std::string& text);

  std::filesystem::path keyring_path(const PublicKey& key) const;
  bool in_keyring(const PublicKey& key) const;
  // Signs `body` as the member `author` (an identity) with the keyring key
  // that signs for them now (a newer one after a rekey), on behalf of
  // `on_behalf` if not zero, submits it, and returns the accepted result.
  // Rejections become CliErrors.
  SubmitResult submit_as(const PublicKey& author, const EntryBody& body, const PublicKey& on_behalf = {});
  // Signs with the node key (membership entries by the operator).
  SubmitResult submit_as_node(const EntryBody& body);

 private:
  SubmitResult submit_signed(const Entry& entry, const SecretKey& secret);
  std::string account_name_plain(const AccountId& account);

  std::filesystem::path dir_;
  const Clock* clock_ = nullptr;
  NodeIdentity node_;
  const HostedNode* host_ = nullptr;
  // Opened by this session (no host); destroyed in reverse order.
  std::unique_ptr<Store> owned_store_;
  std::unique_ptr<Ledger> owned_ledger_;
  Store* store_ = nullptr;
  Ledger* ledger_ = nullptr;
  std::unique_ptr<Directory> directory_;
  std::vector<Hash32> unsubmitted_notes_;
};

}  // namespace cohours::cli
