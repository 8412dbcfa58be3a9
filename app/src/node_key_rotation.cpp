#include "cohours/app/node_key_rotation.h"

#include "cohours/app/keyring.h"
#include "cohours/crypto.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

fs::path next_key_path(const fs::path& data_dir) {
  return data_dir / "node.key.next";
}

// The rename is the commit point for the file: node.key then holds the key
// the ledger expects. write_secret_key syncs the file and the directory.
Status promote_next_key(const fs::path& data_dir) {
  std::error_code ec;
  fs::rename(next_key_path(data_dir), data_dir / "node.key", ec);
  if (ec) return Status(Code::io_error, "cannot rename node.key.next over node.key: " + ec.message());
  return Status();
}

}  // namespace

Result<NodeKeyRotated> rotate_node_key(Node& node) {
  if (node.hosted())
    return Result<NodeKeyRotated>(Code::wrong_state,
                                  "the daemon holds this node's key: stop cohoursd, rotate, then start it again");
  Ledger& ledger = node.ledger();
  NodeKeyRotated out;
  out.node = ledger.node_key();
  out.old_key = node.identity().public_key;
  KeyPair made = generate_keypair();
  NodeIdentity next{made.public_key, std::move(made.secret_key)};
  out.new_key = next.public_key;
  const std::shared_ptr<KeyUnlocker>& unlocker = node.keyring().unlocker();
  auto sealing = unlocker ? unlocker->sealing() : nullptr;
  if (Status s = write_secret_key(next_key_path(node.data_dir()), next.secret_key, sealing.get()); !s.ok())
    return s;
  SubmitResult appended = ledger.rotate_key(next);
  if (!appended.ok()) {
    // Whether it landed is read back, never guessed from the error: a
    // stored rotation whose key file were removed would lock the node out.
    auto signers = ledger.node_signers();
    const bool landed = signers.ok() && signers->back().key == next.public_key;
    if (!landed) {
      if (signers.ok()) {
        std::error_code ignored;
        fs::remove(next_key_path(node.data_dir()), ignored);
      }
      return Result<NodeKeyRotated>(appended.code, "the key was not rotated: " + appended.message +
                                                       (signers.ok() ? "" : " (node.key.next is kept: the next "
                                                                            "command settles it)"));
    }
    appended.seq = signers->back().after_size;
  }
  out.seq = appended.seq;
  if (Status s = promote_next_key(node.data_dir()); !s.ok())
    return Result<NodeKeyRotated>(s.code(), s.message() +
                                                "; the rotation is stored: rename node.key.next to node.key "
                                                "by hand (the next command also does)");
  node.replace_identity(std::move(next));
  TRY_ASSIGN(std::vector<NodeSigner> signers, ledger.node_signers());
  out.rotations = signers.size() - 1;
  return out;
}

Result<std::unique_ptr<Ledger>> open_node_ledger(const fs::path& data_dir, Store& store, NodeIdentity& identity,
                                                 KeyUnlocker& unlocker, const Clock& clock) {
  auto ledger = Ledger::open(store, identity, clock);
  std::error_code ec;
  if (!fs::exists(next_key_path(data_dir), ec)) return ledger;
  if (ledger.ok()) {
    // node.key still signs for the node: the rotation never landed.
    fs::remove(next_key_path(data_dir), ec);
    return ledger;
  }
  auto next = read_secret_key(next_key_path(data_dir), &unlocker);
  if (!next.ok()) return ledger.status();
  NodeIdentity candidate{public_key_of(next.value()), std::move(next).value()};
  auto with_next = Ledger::open(store, candidate, clock);
  if (!with_next.ok()) return ledger.status();
  if (Status s = promote_next_key(data_dir); !s.ok()) return s;
  identity = std::move(candidate);
  return with_next;
}

}  // namespace cohours::app
