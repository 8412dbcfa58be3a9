#include "cohours/app/node.h"

#include "cohours/app/node_key_rotation.h"
#include "cohours/crypto.h"

namespace cohours::app {

namespace fs = std::filesystem;

Result<std::unique_ptr<Node>> Node::open(const fs::path& data_dir, const Clock& clock,
                                         PassphraseSource passphrase) {
  std::error_code ec;
  if (!fs::exists(data_dir / "node.key", ec))
    return Result<std::unique_ptr<Node>>(
        Code::not_found, "no cohours node in " + data_dir.string() +
                             "; create one with `cohours init --name \"Your Co-op\"` (or pass --data DIR)");
  auto unlocker = std::make_shared<KeyUnlocker>(std::move(passphrase));
  auto read = read_node_key(data_dir, *unlocker);
  if (!read.ok()) return read.status();
  NodeIdentity identity = std::move(read).value();
  auto store = open_rocks_store((data_dir / "store").string(), OpenMode::open_existing);
  if (!store.ok()) return store.status();
  auto ledger = open_node_ledger(data_dir, *store.value(), identity, *unlocker, clock);
  if (!ledger.ok()) return ledger.status();
  auto replicas = Replicas::open(*store.value(), clock);
  if (!replicas.ok()) return replicas.status();
  return std::unique_ptr<Node>(new Node(data_dir, std::move(identity), std::move(store).value(),
                                        std::move(ledger).value(), std::move(replicas).value(), clock,
                                        std::move(unlocker)));
}

Node::Node(fs::path data_dir, NodeIdentity identity, std::unique_ptr<Store> store,
           std::unique_ptr<Ledger> ledger, std::unique_ptr<Replicas> replicas, const Clock& clock,
           std::shared_ptr<KeyUnlocker> unlocker)
    : data_dir_(std::move(data_dir)),
      identity_(std::move(identity)),
      owned_store_(std::move(store)),
      owned_ledger_(std::move(ledger)),
      owned_replicas_(std::move(replicas)),
      store_(owned_store_.get()),
      ledger_(owned_ledger_.get()),
      replicas_(owned_replicas_.get()),
      directory_(*store_),
      keyring_(data_dir_ / "keyring", std::move(unlocker)),
      clock_(clock) {}

Node::Node(fs::path data_dir, NodeIdentity identity, Store& store, Ledger& ledger, Replicas& replicas,
           const Clock& clock, std::shared_ptr<KeyUnlocker> unlocker)
    : data_dir_(std::move(data_dir)),
      identity_(std::move(identity)),
      store_(&store),
      ledger_(&ledger),
      replicas_(&replicas),
      directory_(store),
      keyring_(data_dir_ / "keyring", std::move(unlocker)),
      clock_(clock) {}

Node::~Node() {
  // The ledger and the copies go before the store they read.
  owned_replicas_.reset();
  owned_ledger_.reset();
  owned_store_.reset();
}

namespace {
// The watcher ProgressOnThisThread set on this thread, or null.
thread_local const Progress* t_progress = nullptr;
}  // namespace

ProgressOnThisThread::ProgressOnThisThread(Progress progress)
    : progress_(std::move(progress)), previous_(t_progress) {
  t_progress = &progress_;
}

ProgressOnThisThread::~ProgressOnThisThread() {
  t_progress = previous_;
}

const Progress& Node::progress() const {
  return t_progress ? *t_progress : progress_;
}

}  // namespace cohours::app
