#include "cohours/app/sync.h"

#include "app_support.h"
#include "cohours/app/consortium.h"

using namespace cohours;
using cohours::test::TestNode;
using cohours::test::TwoNodeFile;

namespace {

// A daemon's view: the node's own log, a copy of riverside's log that the
// daemon stopped fetching, and riverside as a peer.
struct FakePeers final : app::PeerView {
  app::Node& node;
  PublicKey riverside;
  bool connected = true;
  std::uint64_t riverside_has_of_ours = 0;
  FakePeers(app::Node& node, const PublicKey& riverside) : node(node), riverside(riverside) {}

  std::optional<PublicKey> resolve_alias(const std::string&, const std::string&) override {
    return std::nullopt;
  }
  app::SyncState sync_state() override {
    app::SyncState state;
    state.consortium = "county";
    state.listen = "127.0.0.1:7101";
    state.logs = node.replicas().logs().value();
    LogState copy;
    copy.log = riverside;
    copy.name = "riverside (old name)";
    copy.size = 3;
    state.logs.push_back(copy);
    state.broken_logs[riverside] = "it accepted an entry the rules refuse";
    app::PeerState peer;
    peer.name = "riverside";
    peer.key = riverside;
    peer.connected = connected;
    peer.last_contact_ms = 1'795'000'000'000;
    peer.sizes = {{node.identity().public_key, riverside_has_of_ours}, {riverside, 3}};
    state.peers.push_back(peer);
    return state;
  }
};

}  // namespace

TEST_CASE("sync status without a daemon: the logs held here, no peers") {
  TestNode t;
  auto status = app::sync_status(*t, {});
  REQUIRE(status.ok());
  CHECK_FALSE(status->running);
  CHECK_FALSE(status->consortium_joined);
  CHECK_FALSE(status->consortium);
  CHECK(status->peers.empty());
  REQUIRE(status->logs.size() == 1);
  CHECK(status->logs[0].own);
  CHECK(status->logs[0].name == "Hilltop Care Co-op");
  CHECK(status->logs[0].node_name == "Hilltop Care Co-op");
  CHECK(status->logs[0].size == t.node->ledger().log_size());
  CHECK(app::unsynced(*status) == "the daemon is not running (start cohoursd)");
}

TEST_CASE("sync status with a daemon: its peers, logs named as the consortium names them") {
  TestNode t;
  TwoNodeFile county(*t.node);
  REQUIRE(app::join_consortium(*t, {county.signed_text(*t.node)}).ok());
  FakePeers peers(*t.node, county.riverside.public_key);
  t.node->set_peers(&peers);
  auto status = app::sync_status(*t, {});
  REQUIRE(status.ok());
  CHECK(status->running);
  CHECK(status->consortium_joined);
  CHECK(status->consortium == std::optional<std::string>("county"));
  CHECK(status->listen == "127.0.0.1:7101");
  REQUIRE(status->logs.size() == 2);
  for (const auto& log : status->logs) {
    const bool ours = log.log == t.node->identity().public_key;
    CHECK(log.own == ours);
    CHECK(log.name == (ours ? "hilltop" : "riverside"));
    CHECK(log.node_name == log.name);
    CHECK(log.broken.has_value() == !ours);
  }
  REQUIRE(status->peers.size() == 1);
  CHECK(status->peers[0].sizes.size() == 2);

  const std::string size = std::to_string(t.node->ledger().log_size());
  CHECK(app::unsynced(*status) == "riverside holds 0 records of hilltop, this node " + size);
  peers.riverside_has_of_ours = t.node->ledger().log_size();
  CHECK(app::unsynced(app::sync_status(*t, {}).value()) == "");
  peers.connected = false;
  CHECK(app::unsynced(app::sync_status(*t, {}).value()) == "riverside is not connected");
  peers.connected = true;

  // Never "in sync" while signing is held, or with a frozen log.
  REQUIRE(t.node->ledger().hold_signing("it was restored from a backup").ok());
  auto held = app::sync_status(*t, {});
  REQUIRE(held.ok());
  CHECK(held->own_log_unconfirmed == std::optional<std::string>("it was restored from a backup"));
  CHECK(app::unsynced(held.value()).find("its peers have not yet confirmed") != std::string::npos);
  REQUIRE(t.node->ledger().release_signing().ok());
  app::SyncStatusView frozen = app::sync_status(*t, {}).value();
  CHECK(app::unsynced(frozen) == "");
  frozen.logs[0].frozen = true;
  CHECK(app::unsynced(frozen).find("is frozen") != std::string::npos);
}

TEST_CASE("a daemon that joined no consortium is never in sync") {
  TestNode t;
  struct NoConsortium final : app::PeerView {
    app::Node& node;
    explicit NoConsortium(app::Node& n) : node(n) {}
    std::optional<PublicKey> resolve_alias(const std::string&, const std::string&) override { return std::nullopt; }
    app::SyncState sync_state() override {
      app::SyncState state;
      state.logs = node.replicas().logs().value();
      return state;
    }
  } alone(*t.node);
  t.node->set_peers(&alone);
  auto status = app::sync_status(*t, {});
  REQUIRE(status.ok());
  CHECK(status->running);
  CHECK(app::unsynced(status.value()).find("joined no consortium") != std::string::npos);
}

TEST_CASE("clearing, heads and equivocations of a node alone") {
  TestNode t;
  auto clearing = app::clearing(*t, {});
  REQUIRE(clearing.ok());
  CHECK(clearing->pairs.empty());

  auto heads = app::list_heads(*t, {});
  REQUIRE(heads.ok());
  REQUIRE(heads->logs.size() == 1);
  const auto& own = heads->logs[0];
  CHECK(own.own);
  CHECK(own.name == "node-" + to_hex(t.node->identity().public_key).substr(0, 8));
  CHECK(own.size == t.node->ledger().log_size());
  REQUIRE(own.root.has_value());
  CHECK(*own.root == t.node->ledger().latest_head()->head.root);
  CHECK(own.witnessed.empty());

  TwoNodeFile county(*t.node);
  REQUIRE(app::join_consortium(*t, {county.signed_text(*t.node)}).ok());
  CHECK(app::list_heads(*t, {})->logs[0].name == "hilltop");

  auto equivocations = app::list_equivocations(*t, {});
  REQUIRE(equivocations.ok());
  CHECK(equivocations->equivocations.empty());
}
