#include "cohours/app/init.h"

#include "cohours/app/keyring.h"
#include "cohours/crypto.h"
#include "cohours/ledger.h"
#include "cohours/store.h"
#include "cohours/text.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

// A new co-op's defaults that differ from the engine's (whose defaults keep
// logs made before them replaying as they did): respite needs a current
// safeguarding check (docs/safeguarding.md). Signed by the node key, the
// co-op's first entry.
Status sign_default_policy(Store& store, const NodeIdentity& node, const Clock& clock) {
  TRY_ASSIGN(auto ledger, Ledger::open(store, node, clock));
  Entry entry;
  entry.node = node.public_key;
  entry.author = node.public_key;
  entry.created_ms = clock.now_ms();
  entry.nonce = random_u64();
  PolicySetting vetted;
  vetted.target = PolicyTarget::vetted_categories;
  vetted.categories = {"respite"};
  entry.body = PolicySet{{vetted}};
  SubmitResult result = ledger->submit_one(sign_entry(entry, node.secret_key).bytes);
  if (result.code != Code::ok) return Status(result.code, "the new co-op's policy: " + result.message);
  return Status();
}

}  // namespace

Result<NodeCreated> init_node(const fs::path& dir, const std::string& name, const Currency& currency,
                              const Clock& clock) {
  using Answer = Result<NodeCreated>;
  auto characters = utf8_characters(name);
  if (!characters) return Answer(Code::malformed, "--name is not UTF-8 text");
  if (*characters == 0 || *characters > 200)
    return Answer(Code::malformed, "--name must be 1-200 characters");
  std::error_code ec;
  if (fs::exists(dir / "node.key", ec))
    return Answer(Code::already_exists,
                  "a node already exists in " + dir.string() + "; use another --data DIR");
  fs::create_directories(dir / "keyring", ec);
  if (ec) return Answer(Code::io_error, "cannot create " + dir.string() + ": " + ec.message());
  // Only the node's user may read its keys and store; best effort on
  // filesystems without modes.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::permissions(dir / "keyring", fs::perms::owner_all, fs::perm_options::replace, ec);
  KeyPair made = generate_keypair();
  const NodeIdentity node{made.public_key, std::move(made.secret_key)};
  {
    TRY_ASSIGN(auto store, open_rocks_store((dir / "store").string(), OpenMode::create_if_missing));
    TRY_STATUS(Ledger::initialise(*store, node, name, clock, currency));
    TRY_STATUS(sign_default_policy(*store, node, clock));
  }
  // The key file is written last: its presence marks a complete node.
  TRY_STATUS(write_secret_key(dir / "node.key", node.secret_key));
  return NodeCreated{node.public_key};
}

}  // namespace cohours::app
