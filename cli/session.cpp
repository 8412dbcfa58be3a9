#include "session.h"

#include <sys/stat.h>

#include <fstream>

#include "cohours/app/clock_source.h"
#include "cohours/crypto.h"
#include "cohours/net/consortium.h"
#include "output.h"

namespace cohours::cli {

namespace fs = std::filesystem;

SecretKey read_secret_key(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail(Code::not_found, "cannot read key file " + path.string());
  std::string hex;
  in >> hex;
  auto key = fixed_from_hex<SecretKey>(hex);
  if (!key) fail(Code::corruption, "key file " + path.string() + " does not hold a 64-byte hex key");
  return *key;
}

void write_secret_key(const fs::path& path, const SecretKey& key) {
  // Created 0600 from the start, never readable by others even briefly.
  std::string tmp = path.string() + ".tmp";
  mode_t old_mask = ::umask(077);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_hex(key) << "\n";
    out.flush();
    if (!out) {
      ::umask(old_mask);
      fail(Code::io_error, "cannot write key file " + tmp);
    }
  }
  ::umask(old_mask);
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail(Code::io_error, "cannot write key file " + path.string() + ": " + ec.message());
}

Session::Session(const GlobalOptions& options)
    : dir_(resolve_user_path(options.data_dir)), clock_(check(app::process_clock())) {
  if (const HostedNode* host = host_for(options.data_dir)) {
    // Inside the daemon: its store and ledger, which outlive this session.
    host_ = host;
    dir_ = host->data_dir;
    node_ = host->node;
    if (host->clock) clock_ = host->clock;
    store_ = host->store;
    ledger_ = host->ledger;
    directory_ = std::make_unique<Directory>(*store_);
    return;
  }
  if (!fs::exists(dir_ / "node.key"))
    fail(Code::not_found, "no cohours node in " + dir_.string() +
                              "; create one with `cohours init --name \"Your Co-op\"` (or pass --data DIR)");
  node_.secret_key = read_secret_key(dir_ / "node.key");
  node_.public_key = public_key_of(node_.secret_key);
  owned_store_ = check(open_rocks_store((dir_ / "store").string(), OpenMode::open_existing));
  store_ = owned_store_.get();
  owned_ledger_ = check(Ledger::open(*store_, node_, *clock_));
  ledger_ = owned_ledger_.get();
  directory_ = std::make_unique<Directory>(*store_);
}

Session::~Session() {
  // Whatever failed after a note was kept: take the note back out.
  for (const Hash32& digest : unsubmitted_notes_) (void)directory_->erase_note(digest);
}

PublicKey Session::member_key(const std::string& alias_or_key) {
  if (alias_or_key.size() == 64)
    if (auto key = fixed_from_hex<PublicKey>(alias_or_key)) return *key;
  // ALIAS@NODE naming this very node is the plain alias.
  if (auto at = alias_or_key.rfind('@'); at != std::string::npos) {
    auto consortium = net::installed_consortium(*store_);
    const net::ConsortiumNode* self = consortium.ok() ? consortium->find(ledger_->node_key()) : nullptr;
    if (self && alias_or_key.substr(at + 1) == self->name) return member_key(alias_or_key.substr(0, at));
  }
  return check(directory_->key_for(alias_or_key));
}

std::string Session::account_name(const AccountId& account) {
  // Another co-op's clearing account is named after that co-op.
  if (account.kind == AccountKind::clearing) {
    auto consortium = net::installed_consortium(*store_);
    if (consortium.ok())
      if (const net::ConsortiumNode* node = consortium->find(account.key)) return "clearing-" + node->name;
  }
  return account_name_plain(account);
}

std::string Session::account_name_plain(const AccountId& account) {
  switch (account.kind) {
    case AccountKind::pool:
      return account.key == node_.public_key ? "pool" : "pool-" + to_hex(account.key).substr(0, 8);
    case AccountKind::clearing:
      return "clearing-" + to_hex(account.key).substr(0, 8);
    case AccountKind::member:
      return name_of(account.key);
    case AccountKind::member_payable:
      return name_of(account.key) + " (expenses owed)";
    case AccountKind::coop_expenses:
      return "co-op expenses";
    case AccountKind::coop_paid:
      return "co-op cash paid";
  }
  return "?";
}

Hash32 Session::put_note(const std::string& text) {
  if (text.empty()) return {};
  Hash32 digest = check(directory_->put_note(text));
  unsubmitted_notes_.push_back(digest);
  return digest;
}

fs::path Session::keyring_path(const PublicKey& key) const {
  return dir_ / "keyring" / (to_hex(key) + ".key");
}
bool Session::in_keyring(const PublicKey& key) const {
  return fs::exists(keyring_path(key));
}

SubmitResult Session::submit_signed(const Entry& entry, const SecretKey& secret) {
  SignedEntry signed_entry = sign_entry(entry, secret);
  SubmitResult result = ledger_->submit_one(signed_entry.bytes);
  if (!result.ok()) fail(result.code, result.message);
  unsubmitted_notes_.clear();
  return result;
}

SubmitResult Session::submit_as(const PublicKey& author, const EntryBody& body, const PublicKey& on_behalf) {
  // After a rekey another key signs for the member (app/rekey.h).
  PublicKey signer = author;
  if (auto current = ledger_->current_key(author); current.ok()) {
    if (current->is_zero())
      fail(Code::not_permitted, name_of(author) +
                                    "'s key was retired and no new one is enrolled yet (member rekey); a "
                                    "coordinator signs on their behalf");
    signer = current.value();
  }
  if (!in_keyring(signer))
    fail(Code::not_permitted, name_of(author) +
                                  "'s key is not in this node's keyring; "
                                  "members with their own key sign on their phone");
  // Made for this node's log: the entry cannot be replayed into another's.
  Entry entry{kEntryFormatVersion, ledger_->node_key(), signer, on_behalf,
              clock_->now_ms(),    random_u64(),        body};
  return submit_signed(entry, read_secret_key(keyring_path(signer)));
}

SubmitResult Session::submit_as_node(const EntryBody& body) {
  Entry entry{
      kEntryFormatVersion, ledger_->node_key(), node_.public_key, {}, clock_->now_ms(), random_u64(), body};
  return submit_signed(entry, node_.secret_key);
}

}  // namespace cohours::cli
