#include "cohours/net/sync_node.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cohours/crypto.h"
#include "cohours/ledger.h"
#include "cohours/net/logger.h"
#include "cohours/net/messages.h"
#include "cohours/replicas.h"
#include "../test_helpers.h"
#include "quiet_logs.h"

// Small, targeted tests of the sync state machine: two or three nodes, each
// with a memory store, its ledger, its replicas and a SyncNode, on one fake
// clock. Messages go from node to node by hand, each through the codec as it
// would over the wire. The whole-consortium simulation is tests/net/sync_sim.cpp.

using namespace cohours;
using cohours::test::seeded_key;
using cohours::test::QuietLogs;
using namespace cohours::net;

namespace {

// The caps of the largest consortium these tests make.
constexpr MessageLimits kTestLimits{3};

// What the other side of a link reads: the message encoded, then decoded.
Message over_wire(const Message& message) {
  const Bytes bytes = encode_message(message);
  auto decoded = decode_message(bytes, kTestLimits);
  REQUIRE_MESSAGE(decoded.ok(), decoded.status().message());
  CHECK(encode_message(decoded.value()) == bytes);
  return std::move(decoded).value();
}

// The messages of type T among `actions`, sent to `to` (or to anyone).
template <class T>
std::vector<T> sent(const std::vector<Action>& actions, const std::optional<PublicKey>& to = std::nullopt) {
  std::vector<T> out;
  for (const auto& action : actions)
    if (action.kind == Action::Kind::send && (!to || action.peer == *to))
      if (const T* m = std::get_if<T>(&action.message)) out.push_back(*m);
  return out;
}

// The GetRecords among `actions` that ask for `log`, with whom they ask.
std::vector<std::pair<PublicKey, GetRecords>> requests_for(const std::vector<Action>& actions,
                                                           const PublicKey& log) {
  std::vector<std::pair<PublicKey, GetRecords>> out;
  for (const auto& action : actions)
    if (action.kind == Action::Kind::send)
      if (const auto* m = std::get_if<GetRecords>(&action.message); m && m->log == log)
        out.push_back({action.peer, *m});
  return out;
}

std::size_t disconnects(const std::vector<Action>& actions, const PublicKey& peer) {
  std::size_t n = 0;
  for (const auto& action : actions)
    if (action.kind == Action::Kind::disconnect && action.peer == peer) ++n;
  return n;
}

// A ban is a Goodbye(banned) to the peer, then a disconnect, and nothing
// else for it but the next batch asked for while the bad one was checked.
void check_ban(const std::vector<Action>& actions, const PublicKey& peer) {
  std::vector<const Action*> to_peer;
  for (const auto& action : actions)
    if (action.peer == peer &&
        !(action.kind == Action::Kind::send && std::holds_alternative<GetRecords>(action.message)))
      to_peer.push_back(&action);
  REQUIRE(to_peer.size() == 2);
  REQUIRE(to_peer[0]->kind == Action::Kind::send);
  const auto* goodbye = std::get_if<Goodbye>(&to_peer[0]->message);
  REQUIRE(goodbye);
  CHECK(goodbye->reason == GoodbyeReason::banned);
  CHECK_FALSE(goodbye->message.empty());
  CHECK(to_peer[1]->kind == Action::Kind::disconnect);
  CHECK_FALSE(to_peer[1]->reason.empty());
}

struct Node {
  std::string name;
  KeyPair key;
  std::unique_ptr<Store> store = make_memory_store();
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<Replicas> replicas;
  std::unique_ptr<SyncNode> sync;
  std::map<std::string, KeyPair> members;  // by alias; what lookup_alias answers from
  std::uint64_t nonce = 0;

  const PublicKey& pk() const { return key.public_key; }
  NodeIdentity identity() const { return {key.public_key, key.secret_key.copy()}; }
  std::uint64_t copy_size(const Node& owner) const { return replicas->log_state(owner.pk()).value().size; }
};

SyncConfig small_config() {
  SyncConfig config;
  config.batch_records = 8;
  config.request_timeout_ms = 2'000;
  config.anti_entropy_ms = 60'000;  // no rounds unless a test moves the clock that far
  config.ban_ms = 30'000;
  return config;
}

struct Sent {
  int from = 0, to = 0;
  Message message;
};

// Nodes 0, 1, 2 are "a", "b", "c"; every node follows every other's log.
struct SyncConsortium {
  QuietLogs quiet;
  FakeClock clock{1'795'000'000'000};
  SyncConfig config;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<PeerInfo> peers;
  std::set<std::pair<int, int>> links;
  std::deque<Sent> queue;   // sent, not yet delivered
  std::vector<Sent> trace;  // delivered, in order
  // Engine work handed out (EngineWork::as_actions), by node, not yet run.
  std::deque<std::pair<int, std::shared_ptr<SyncWork>>> work;

  explicit SyncConsortium(int count, SyncConfig sync_config = small_config()) : config(sync_config) {
    for (int i = 0; i < count; ++i) {
      auto node = std::make_unique<Node>();
      node->name = std::string(1, static_cast<char>('a' + i)) + "-coop";
      node->key = seeded_key(static_cast<std::uint8_t>(101 + i));
      peers.push_back({node->pk(), node->name});
      nodes.push_back(std::move(node));
    }
    for (auto& node : nodes) {
      REQUIRE(Ledger::initialise(*node->store, node->identity(), node->name, clock).ok());
      node->ledger = Ledger::open(*node->store, node->identity(), clock).value();
      node->replicas = Replicas::open(*node->store, clock).value();
      for (const auto& peer : peers)
        if (peer.key != node->pk())
          REQUIRE(node->replicas->follow(peer.key, peer.name, *Currency::parse("GBP")).ok());
      restart_sync(*node);
    }
  }

  Node& operator[](int i) { return *nodes.at(static_cast<std::size_t>(i)); }

  // A new SyncNode on the node's store, as after a daemon restart.
  void restart_sync(Node& node) {
    LocalNode local;
    Ledger* ledger = node.ledger.get();
    local.submit = [ledger](std::span<const Bytes> entries) { return ledger->submit(entries); };
    local.lookup_alias = [&node](const std::string& alias) -> std::optional<PublicKey> {
      auto it = node.members.find(alias);
      if (it == node.members.end()) return std::nullopt;
      return it->second.public_key;
    };
    local.alias_of = [&node](const PublicKey& member) -> std::optional<std::string> {
      for (const auto& [alias, pair] : node.members)
        if (pair.public_key == member) return alias;
      return std::nullopt;
    };
    node.sync = std::make_unique<SyncNode>(*node.replicas, node.identity(), clock, local, peers, config);
  }

  SubmitResult submit(int at, const std::string& signer, EntryBody body) {
    Node& node = (*this)[at];
    const KeyPair& pair = signer == "node" ? node.key : node.members.at(signer);
    Entry entry{kEntryFormatVersion, node.pk(),    pair.public_key, {},
                clock.now_ms(),      ++node.nonce, std::move(body)};
    SubmitResult result = node.ledger->submit_one(sign_entry(entry, pair.secret_key).bytes);
    // As the daemon does after a command: the SyncNode learns its log grew
    // and pushes the new head to the peers linked (queued, not delivered).
    if (result.ok()) post(at, node.sync->on_local_append());
    return result;
  }
  void add_member(int at, const std::string& alias, std::uint32_t roles) {
    Node& node = (*this)[at];
    node.members[alias] =
        seeded_key(static_cast<std::uint8_t>(10 * (at + 1) + static_cast<int>(node.members.size())));
    auto result = submit(at, "node", MemberJoin{node.members[alias].public_key, roles, node.pk()});
    REQUIRE_MESSAGE(result.ok(), result.message);
  }
  // Grows node `at`'s log to `size` records: two members, then hours logged
  // one entry at a time (so there is a signed head at every size).
  void fill(int at, std::uint64_t size) {
    Node& node = (*this)[at];
    if (!node.members.count("dan")) add_member(at, "dan", role_volunteer);
    if (!node.members.count("carol")) add_member(at, "carol", role_service_user);
    while (node.ledger->log_size() < size) {
      HoursLog log;
      log.recipient = node.members.at("carol").public_key;
      log.payer = Payer::pool;
      log.minutes = 15 * static_cast<std::int64_t>(1 + node.ledger->log_size() % 4);
      log.category = "befriending";
      log.date_days = static_cast<std::int32_t>(clock.now_ms() / 86'400'000);
      auto result = submit(at, "dan", log);
      REQUIRE_MESSAGE(result.ok(), result.message);
    }
    REQUIRE(node.ledger->log_size() == size);
  }

  int index_of(const PublicKey& key) const {
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i]->pk() == key) return static_cast<int>(i);
    return -1;
  }
  static std::pair<int, int> edge(int a, int b) { return {std::min(a, b), std::max(a, b)}; }
  bool linked(int a, int b) const { return links.count(edge(a, b)) > 0; }

  void link(int a, int b) {
    links.insert(edge(a, b));
    post(a, (*this)[a].sync->on_connected((*this)[b].pk()));
    post(b, (*this)[b].sync->on_connected((*this)[a].pk()));
  }
  void unlink(int a, int b) {
    if (!links.erase(edge(a, b))) return;
    post(a, (*this)[a].sync->on_disconnected((*this)[b].pk()));
    post(b, (*this)[b].sync->on_disconnected((*this)[a].pk()));
  }
  // Queues what node `from` asked for; a disconnect closes the link.
  void post(int from, const std::vector<Action>& actions) {
    for (const auto& action : actions) {
      if (action.kind == Action::Kind::work) {
        work.push_back({from, action.work});
        continue;
      }
      const int to = index_of(action.peer);
      REQUIRE(to >= 0);
      if (action.kind == Action::Kind::send) {
        if (linked(from, to)) queue.push_back({from, to, action.message});
      } else {
        unlink(from, to);
      }
    }
  }
  // Runs the oldest piece of work, or else delivers the oldest queued
  // message; false when neither is left.
  bool step() {
    if (!work.empty()) {
      auto [at, next] = work.front();
      work.pop_front();
      next->run();
      post(at, (*this)[at].sync->on_work_done(*next));
      return true;
    }
    if (queue.empty()) return false;
    Sent next = std::move(queue.front());
    queue.pop_front();
    if (!linked(next.from, next.to)) return true;  // lost with its link
    trace.push_back(next);
    post(next.to, (*this)[next.to].sync->on_message((*this)[next.from].pk(), over_wire(next.message)));
    return true;
  }
  void settle() {
    for (int delivered = 0; step(); ++delivered) REQUIRE(delivered < 10'000);
  }
  // Runs the work handed out so far (and what follows from it), delivering nothing.
  void run_all_work() {
    for (int done = 0; !work.empty(); ++done) {
      REQUIRE(done < 10'000);
      auto [at, next] = work.front();
      work.pop_front();
      next->run();
      post(at, (*this)[at].sync->on_work_done(*next));
    }
  }
  // Moves time on and lets every node tick.
  void tick(std::int64_t ms) {
    clock.advance_ms(ms);
    for (std::size_t i = 0; i < nodes.size(); ++i) post(static_cast<int>(i), nodes[i]->sync->on_tick());
  }

  // The delivered messages of type T from one node to another.
  template <class T>
  std::vector<T> delivered(int from, int to) const {
    std::vector<T> out;
    for (const auto& s : trace)
      if (s.from == from && s.to == to)
        if (const T* m = std::get_if<T>(&s.message)) out.push_back(*m);
    return out;
  }

  // Node `at`'s copy of `owner`'s log is the owner's, record for record and in derived state.
  void check_copy(int at, int owner) {
    Node& copy = (*this)[at];
    Node& source = (*this)[owner];
    auto state = copy.replicas->log_state(source.pk());
    REQUIRE(state.ok());
    CHECK(state->size == source.ledger->log_size());
    REQUIRE(state->head);
    CHECK(state->head->head.root == source.ledger->latest_head().value().head.root);
    CHECK(state_digest(*copy.store, source.pk()).value() == source.ledger->state_digest().value());
    CHECK(state_digest(*copy.store, source.pk()).value() == state_digest(*source.store, source.pk()).value());
  }
};

}  // namespace

TEST_CASE("sync: on_connected greets a consortium peer with heads, cosignatures and evidence") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(0, 5);

  SUBCASE("a fresh node announces no heads, and asks which newer messages the peer knows") {
    auto actions = b.sync->on_connected(a.pk());
    REQUIRE(actions.size() == 2);
    CHECK(actions[0].peer == a.pk());
    auto heads = sent<Heads>(actions, a.pk());
    REQUIRE(heads.size() == 1);
    CHECK(std::get<Heads>(over_wire(heads[0])).heads.empty());
    auto probe = sent<AliasQuery>(actions, a.pk());
    REQUIRE(probe.size() == 1);
    CHECK(probe[0].alias == kFeatureProbe);
  }

  SUBCASE("heads, then cosignatures and evidence when held") {
    auto plain = a.sync->on_connected(b.pk());
    REQUIRE(plain.size() == 2);  // heads and the feature probe
    // A cosignature of A's head by C, and evidence that C signed two roots.
    const SignedTreeHead own = a.ledger->latest_head().value();
    REQUIRE(a.replicas->add_cosignature(cosign_tree_head(own.head, c.pk(), c.key.secret_key)).value());
    TreeHead c_head{c.pk(), 1, {}, net.clock.now_ms()};
    c_head.root.bytes[0] = 1;
    TreeHead c_other = c_head;
    c_other.root.bytes[0] = 2;
    cohours::Evidence evidence{sign_tree_head(c_head, c.key.secret_key),
                               sign_tree_head(c_other, c.key.secret_key)};
    REQUIRE(a.replicas->add_evidence(evidence).value());

    auto actions = a.sync->on_connected(b.pk());
    REQUIRE(actions.size() == 4);
    for (const auto& action : actions) {
      CHECK(action.kind == Action::Kind::send);
      CHECK(action.peer == b.pk());
    }
    REQUIRE(std::holds_alternative<Heads>(actions[0].message));
    auto heads = std::get<Heads>(over_wire(actions[0].message));
    REQUIRE(heads.heads.size() == 1);
    CHECK(heads.heads[0].head.log == a.pk());
    CHECK(heads.heads[0].head.size == 5);
    CHECK(heads.heads[0].head.root == own.head.root);
    CHECK(verify_tree_head(heads.heads[0], heads.heads[0].head.log));

    auto cosignatures = sent<Cosignatures>(actions, b.pk());
    REQUIRE(cosignatures.size() == 1);
    REQUIRE(cosignatures[0].cosignatures.size() == 1);
    CHECK(cosignatures[0].cosignatures[0].witness == c.pk());
    CHECK(verify_cosignature(std::get<Cosignatures>(over_wire(cosignatures[0])).cosignatures[0], c.pk()));

    auto held = sent<net::Evidence>(actions, b.pk());
    REQUIRE(held.size() == 1);
    auto decoded = std::get<net::Evidence>(over_wire(held[0]));
    CHECK(b.replicas->check_evidence({decoded.first, decoded.second}) == HeadCheck::valid);
    CHECK(decoded.first.head.log == c.pk());

    // B, on hearing it, keeps the evidence and freezes C's log there.
    b.sync->on_connected(a.pk());
    for (const auto& action : actions) b.sync->on_message(a.pk(), over_wire(action.message));
    CHECK(b.replicas->evidence().value().size() == 1);
    CHECK(b.replicas->log_state(c.pk()).value().frozen);
    CHECK(b.replicas->cosignatures(a.pk()).value().size() == 1);
  }

  SUBCASE("a key outside the consortium is disconnected and not listed") {
    const PublicKey stranger = seeded_key(250).public_key;
    auto actions = a.sync->on_connected(stranger);
    REQUIRE(actions.size() == 1);
    CHECK(actions[0].kind == Action::Kind::disconnect);
    CHECK(actions[0].peer == stranger);
    CHECK_FALSE(actions[0].reason.empty());
    CHECK(a.sync->on_message(stranger, Heads{}).empty());
    auto status = a.sync->status();
    CHECK(status.size() == 2);
    for (const auto& peer : status) {
      CHECK(peer.key != stranger);
      CHECK_FALSE(peer.connected);
    }
  }
}

TEST_CASE("sync: catch-up from nothing in small batches, then a push of one more entry") {
  SyncConsortium net(2);
  Node &a = net[0], &b = net[1];
  net.fill(0, 50);
  net.link(0, 1);
  net.settle();

  // B asked for A's log from 0, then from the end of each batch, 8 at a time.
  auto asks = net.delivered<GetRecords>(1, 0);
  REQUIRE(asks.size() == 7);  // 8 * 6 + 2
  for (std::size_t i = 0; i < asks.size(); ++i) {
    CHECK(asks[i].log == a.pk());
    CHECK(asks[i].from_size == 8 * i);
    CHECK(asks[i].max_records == 8);
    CHECK(asks[i].have.has_value() == (i > 0));
    if (asks[i].have) CHECK(asks[i].have->head.size == asks[i].from_size);
  }
  auto answers = net.delivered<Records>(0, 1);
  REQUIRE(answers.size() == 7);
  std::uint64_t records = 0;
  for (const auto& answer : answers) {
    CHECK(answer.records.size() <= 8);
    CHECK(answer.from_size == records);
    records += answer.records.size();
  }
  CHECK(records == 50);
  net.check_copy(1, 0);
  // B did not ask for its own log, and A had nothing of B's to ask for.
  CHECK(net.delivered<GetRecords>(0, 1).empty());
  for (const auto& peer : b.sync->status())
    if (peer.key == a.pk()) CHECK(peer.sizes.at(a.pk()) == 50);
  // A heard at once that B holds all of its log.
  for (const auto& peer : a.sync->status())
    if (peer.key == b.pk()) CHECK(peer.sizes.at(a.pk()) == 50);

  // Push: one more entry at A reaches B by Heads -> GetRecords -> Records.
  net.fill(0, 51);
  auto push = a.sync->on_local_append();
  REQUIRE(push.size() == 1);
  CHECK(push[0].peer == b.pk());
  auto heads = sent<Heads>(push, b.pk());
  REQUIRE(heads.size() == 1);
  REQUIRE(heads[0].heads.size() == 1);
  CHECK(heads[0].heads[0].head.size == 51);

  auto ask = b.sync->on_message(a.pk(), over_wire(push[0].message));
  auto requests = requests_for(ask, a.pk());
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].first == a.pk());
  CHECK(requests[0].second.from_size == 50);
  REQUIRE(requests[0].second.have);
  CHECK(requests[0].second.have->head.size == 50);

  auto answer = a.sync->on_message(b.pk(), over_wire(requests[0].second));
  auto batch = sent<Records>(answer, b.pk());
  REQUIRE(batch.size() == 1);
  CHECK(batch[0].records.size() == 1);
  CHECK(batch[0].head.head.size == 51);

  auto after = b.sync->on_message(a.pk(), over_wire(batch[0]));
  CHECK(b.copy_size(a) == 51);
  CHECK(requests_for(after, a.pk()).empty());  // caught up: nothing more to ask
  net.check_copy(1, 0);
}

TEST_CASE("sync: a log is relayed through a node in the middle") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(0, 20);
  net.fill(2, 3);
  net.link(0, 1);
  net.link(1, 2);
  net.settle();

  CHECK_FALSE(net.linked(0, 2));
  net.check_copy(1, 0);
  net.check_copy(2, 0);  // A's log, though A and C never spoke
  net.check_copy(0, 2);  // and C's, the other way
  CHECK(c.copy_size(a) == 20);
  CHECK_FALSE(net.delivered<Records>(1, 2).empty());
  for (const auto& peer : c.sync->status())
    if (peer.key == a.pk()) {
      CHECK_FALSE(peer.connected);
      CHECK(peer.last_contact_ms == 0);
    }
  // More at A goes the same way.
  net.fill(0, 23);
  net.post(0, a.sync->on_local_append());
  net.settle();
  CHECK(c.copy_size(a) == 23);
  net.check_copy(2, 0);
  CHECK(b.copy_size(a) == 23);
}

namespace {

// A holds its log of 20, C a full copy of it; B is fresh. B hears both
// announce A's log. Returns B's requests for A's log after each greeting.
struct TwoSources {
  SyncConsortium net{3};
  Node &a = net[0], &b = net[1], &c = net[2];
  std::vector<std::pair<PublicKey, GetRecords>> after_a, after_c;

  TwoSources() {
    net.fill(0, 20);
    net.link(0, 2);
    net.settle();
    REQUIRE(c.copy_size(a) == 20);
    auto from_a = a.sync->on_connected(b.pk());
    auto from_c = c.sync->on_connected(b.pk());
    (void)b.sync->on_connected(a.pk());
    (void)b.sync->on_connected(c.pk());
    after_a = deliver(a, from_a);
    after_c = deliver(c, from_c);
  }
  // Hands B everything `from` said; returns B's requests for A's log.
  std::vector<std::pair<PublicKey, GetRecords>> deliver(Node& from, const std::vector<Action>& actions) {
    std::vector<Action> out;
    for (const auto& action : actions) {
      REQUIRE(action.peer == b.pk());
      auto more = b.sync->on_message(from.pk(), over_wire(action.message));
      out.insert(out.end(), more.begin(), more.end());
    }
    return requests_for(out, a.pk());
  }
  Node& by_key(const PublicKey& key) { return key == a.pk() ? a : c; }
};

}  // namespace

TEST_CASE("sync: one request in flight per log, asked again after the timeout") {
  TwoSources s;
  // The first announcement starts one request; the second adds none.
  REQUIRE(s.after_a.size() == 1);
  CHECK(s.after_a[0].first == s.a.pk());
  CHECK(s.after_a[0].second.from_size == 0);
  CHECK_FALSE(s.after_a[0].second.have);
  CHECK(s.after_c.empty());
  // Hearing the heads again changes nothing while the request is out.
  const Heads announced{{s.c.replicas->log_state(s.a.pk()).value().head.value()}};
  CHECK(requests_for(s.b.sync->on_message(s.c.pk(), over_wire(announced)), s.a.pk()).empty());
  CHECK(requests_for(s.b.sync->on_message(s.a.pk(), over_wire(announced)), s.a.pk()).empty());

  s.net.clock.advance_ms(s.net.config.request_timeout_ms - 1);
  CHECK(requests_for(s.b.sync->on_tick(), s.a.pk()).empty());
  s.net.clock.advance_ms(1);
  auto again = requests_for(s.b.sync->on_tick(), s.a.pk());
  REQUIRE(again.size() == 1);
  CHECK((again[0].first == s.a.pk() || again[0].first == s.c.pk()));
  CHECK(again[0].second.from_size == 0);
  // Only once: the next tick waits for this new request.
  CHECK(requests_for(s.b.sync->on_tick(), s.a.pk()).empty());

  // The answer continues the catch-up with one request for the next batch.
  Node& source = s.by_key(again[0].first);
  auto answer = source.sync->on_message(s.b.pk(), over_wire(again[0].second));
  auto next = s.deliver(source, answer);
  CHECK(s.b.copy_size(s.a) == 8);
  REQUIRE(next.size() == 1);
  CHECK(next[0].second.from_size == 8);
}

TEST_CASE("sync: on_disconnected asks another connected peer for what was in flight") {
  TwoSources s;
  REQUIRE(s.after_a.size() == 1);
  Node& asked = s.by_key(s.after_a[0].first);
  Node& other = &asked == &s.a ? s.c : s.a;

  auto retry = s.b.sync->on_disconnected(asked.pk());
  auto requests = requests_for(retry, s.a.pk());
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].first == other.pk());
  CHECK(requests[0].second.from_size == 0);
  for (const auto& peer : s.b.sync->status())
    if (peer.key == asked.pk()) {
      CHECK_FALSE(peer.connected);
      CHECK(peer.sizes.empty());
    }
  // A peer with nothing in flight leaves nothing to re-ask.
  auto answer = other.sync->on_message(s.b.pk(), over_wire(requests[0].second));
  auto next = s.deliver(other, answer);
  CHECK(s.b.copy_size(s.a) == 8);
  REQUIRE(next.size() == 1);
  CHECK(next[0].first == other.pk());
  CHECK(s.b.sync->on_disconnected(asked.pk()).empty());
  // With no one left to ask, losing the last peer asks nobody.
  CHECK(s.b.sync->on_disconnected(other.pk()).empty());
}

TEST_CASE("sync: forged records get the sender banned for ban_ms, and nothing is stored") {
  SyncConsortium net(2);
  Node &a = net[0], &b = net[1];
  net.fill(0, 10);
  auto greeting = a.sync->on_connected(b.pk());
  (void)b.sync->on_connected(a.pk());
  auto asks = requests_for(b.sync->on_message(a.pk(), over_wire(greeting.at(0).message)), a.pk());
  REQUIRE(asks.size() == 1);
  auto answer = sent<Records>(a.sync->on_message(b.pk(), over_wire(asks[0].second)), b.pk());
  REQUIRE(answer.size() == 1);
  Records forged = answer[0];
  REQUIRE(forged.records.size() >= 2);
  forged.records[1][forged.records[1].size() - 70] ^= 1;

  auto actions = b.sync->on_message(a.pk(), over_wire(forged));
  check_ban(actions, a.pk());
  CHECK(b.sync->is_banned(a.pk()));
  CHECK(b.copy_size(a) == 0);
  CHECK_FALSE(b.replicas->log_state(a.pk()).value().head);
  const std::int64_t banned_at = net.clock.now_ms();
  std::string reason;
  for (const auto& peer : b.sync->status())
    if (peer.key == a.pk()) {
      CHECK_FALSE(peer.connected);
      CHECK(peer.banned_until_ms == banned_at + net.config.ban_ms);
      CHECK(peer.ban_reason.find("records") != std::string::npos);
      reason = peer.ban_reason;
    }
  for (const auto& action : actions)
    if (action.peer == a.pk() && std::holds_alternative<Goodbye>(action.message))
      CHECK(std::get<Goodbye>(action.message).message == reason);
  // What the banned peer still says is ignored, even the honest batch.
  CHECK(b.sync->on_message(a.pk(), over_wire(answer[0])).empty());
  CHECK(b.copy_size(a) == 0);

  // Reconnecting during the ban is refused.
  net.clock.advance_ms(net.config.ban_ms - 1);
  auto refused = b.sync->on_connected(a.pk());
  check_ban(refused, a.pk());
  CHECK(sent<Heads>(refused).empty());
  CHECK(b.sync->is_banned(a.pk()));

  // Once ban_ms has passed the peer is welcome again and syncs honestly.
  net.clock.advance_ms(1);
  CHECK_FALSE(b.sync->is_banned(a.pk()));
  auto welcome = b.sync->on_connected(a.pk());
  CHECK(disconnects(welcome, a.pk()) == 0);
  CHECK(sent<Heads>(welcome, a.pk()).size() == 1);
  for (const auto& peer : b.sync->status())
    if (peer.key == a.pk()) {
      CHECK(peer.connected);
      CHECK(peer.banned_until_ms == 0);
    }
  auto retry =
      requests_for(b.sync->on_message(a.pk(), over_wire(a.sync->on_connected(b.pk()).at(0).message)), a.pk());
  REQUIRE(retry.size() == 1);
  auto honest = sent<Records>(a.sync->on_message(b.pk(), over_wire(retry[0].second)), b.pk());
  REQUIRE(honest.size() == 1);
  auto appended = b.sync->on_message(a.pk(), over_wire(honest[0]));
  CHECK(disconnects(appended, a.pk()) == 0);
  CHECK(b.copy_size(a) == 8);
}

TEST_CASE("sync: after banning a forger, the log still comes from an honest peer") {
  TwoSources s;
  REQUIRE(s.after_a.size() == 1);
  REQUIRE(s.after_a[0].first == s.a.pk());
  auto answer = sent<Records>(s.a.sync->on_message(s.b.pk(), over_wire(s.after_a[0].second)), s.b.pk());
  REQUIRE(answer.size() == 1);
  Records forged = answer[0];
  forged.records[0][forged.records[0].size() - 70] ^= 1;
  auto banned = s.b.sync->on_message(s.a.pk(), over_wire(forged));
  check_ban(banned, s.a.pk());
  CHECK(s.b.copy_size(s.a) == 0);
  // The batch B had asked A for ahead is asked of C at once, when A is
  // dropped; the transport reporting the link closed asks nothing twice.
  auto asks = requests_for(banned, s.a.pk());
  std::erase_if(asks, [&](const auto& ask) { return ask.first == s.a.pk(); });
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].first == s.c.pk());
  CHECK(asks[0].second.from_size == 0);
  CHECK(requests_for(s.b.sync->on_disconnected(s.a.pk()), s.a.pk()).empty());
  for (int batches = 0; !asks.empty(); ++batches) {
    REQUIRE(batches < 10);
    REQUIRE(asks.size() == 1);
    asks = s.deliver(s.c, s.c.sync->on_message(s.b.pk(), over_wire(asks[0].second)));
  }
  CHECK(s.b.copy_size(s.a) == 20);
  CHECK(state_digest(*s.b.store, s.a.pk()).value() == s.a.ledger->state_digest().value());
}

TEST_CASE("sync: a head with a bad signature gets the sender banned") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(0, 3);
  (void)b.sync->on_connected(c.pk());
  (void)b.sync->on_connected(a.pk());
  SignedTreeHead head = a.ledger->latest_head().value();

  SUBCASE("a root changed after signing") {
    head.head.root.bytes[3] ^= 0x10;
  }
  SUBCASE("signed by the relaying node instead of the log's owner") {
    head = sign_tree_head(head.head, c.key.secret_key);
  }
  REQUIRE_FALSE(verify_tree_head(head, head.head.log));
  auto actions = b.sync->on_message(c.pk(), over_wire(Heads{{head}}));
  check_ban(actions, c.pk());
  CHECK(requests_for(actions, a.pk()).empty());
  CHECK(b.sync->is_banned(c.pk()));
  CHECK_FALSE(b.sync->is_banned(a.pk()));
  CHECK(b.replicas->evidence().value().empty());
  // A head of a log outside the consortium, though validly signed, is ignored.
  const KeyPair stranger = seeded_key(251);
  TreeHead foreign{stranger.public_key, 1, {}, net.clock.now_ms()};
  auto ignored = b.sync->on_message(a.pk(), over_wire(Heads{{sign_tree_head(foreign, stranger.secret_key)}}));
  CHECK(ignored.empty());
  CHECK_FALSE(b.sync->is_banned(a.pk()));
}

TEST_CASE("sync: equivocation in Heads is kept as evidence, freezes the log and is passed on") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(0, 6);
  net.link(0, 1);
  net.link(1, 2);
  net.settle();
  REQUIRE(b.copy_size(a) == 6);
  REQUIRE(c.copy_size(a) == 6);

  const SignedTreeHead honest = b.replicas->log_state(a.pk()).value().head.value();
  TreeHead other = honest.head;
  other.root.bytes[5] ^= 0x40;
  const SignedTreeHead forked = sign_tree_head(other, a.key.secret_key);

  auto actions = b.sync->on_message(a.pk(), over_wire(Heads{{forked}}));
  CHECK_FALSE(b.sync->is_banned(a.pk()));
  auto held = b.replicas->evidence().value();
  REQUIRE(held.size() == 1);
  CHECK(b.replicas->check_evidence(held[0]) == HeadCheck::valid);
  CHECK(b.replicas->log_state(a.pk()).value().frozen);
  auto to_c = sent<net::Evidence>(actions, c.pk());
  REQUIRE(to_c.size() == 1);
  std::set<Hash32> roots{to_c[0].first.head.root, to_c[0].second.head.root};
  CHECK(roots == std::set<Hash32>{honest.head.root, forked.head.root});
  CHECK(requests_for(actions, a.pk()).empty());

  // C checks the evidence itself, keeps it, freezes A's log, and does not send it back.
  auto at_c = c.sync->on_message(b.pk(), over_wire(to_c[0]));
  CHECK(c.replicas->evidence().value().size() == 1);
  CHECK(c.replicas->log_state(a.pk()).value().frozen);
  CHECK(sent<net::Evidence>(at_c, b.pk()).empty());
  CHECK_FALSE(c.sync->is_banned(b.pk()));
  // Hearing it again is not news.
  CHECK(sent<net::Evidence>(c.sync->on_message(b.pk(), over_wire(to_c[0]))).empty());

  // A frozen log is no longer fetched, though A goes on announcing it.
  net.fill(0, 8);
  auto push = a.sync->on_local_append();
  auto heard = b.sync->on_message(a.pk(), over_wire(sent<Heads>(push, b.pk()).at(0)));
  CHECK(requests_for(heard, a.pk()).empty());
  CHECK(b.copy_size(a) == 6);

  // Evidence that is not evidence gets its sender banned.
  auto fake = c.sync->on_message(b.pk(), over_wire(net::Evidence{honest, honest}));
  check_ban(fake, b.pk());
  CHECK(c.sync->is_banned(b.pk()));
  CHECK(c.replicas->evidence().value().size() == 1);
}

TEST_CASE("sync: a node that appends a peer's records cosigns the head and the others keep it") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(0, 4);
  (void)b.sync->on_connected(c.pk());
  (void)c.sync->on_connected(b.pk());
  auto greeting = a.sync->on_connected(b.pk());
  (void)b.sync->on_connected(a.pk());
  auto asks = requests_for(b.sync->on_message(a.pk(), over_wire(greeting.at(0).message)), a.pk());
  REQUIRE(asks.size() == 1);
  auto answer = sent<Records>(a.sync->on_message(b.pk(), over_wire(asks[0].second)), b.pk());
  REQUIRE(answer.size() == 1);
  auto actions = b.sync->on_message(a.pk(), over_wire(answer[0]));
  REQUIRE(b.copy_size(a) == 4);

  // B tells both peers it witnessed A's head of size 4.
  for (const Node* peer : {&a, &c}) {
    auto cosignatures = sent<Cosignatures>(actions, peer->pk());
    REQUIRE(cosignatures.size() == 1);
    REQUIRE(cosignatures[0].cosignatures.size() == 1);
    const Cosignature& mine = cosignatures[0].cosignatures[0];
    CHECK(mine.witness == b.pk());
    CHECK(mine.head.log == a.pk());
    CHECK(mine.head.size == 4);
    CHECK(mine.head.root == answer[0].head.head.root);
    CHECK(verify_cosignature(mine, mine.witness));
  }
  // And announces the head to both: C may fetch it, A learns B caught up.
  for (const Node* peer : {&a, &c}) {
    auto heads = sent<Heads>(actions, peer->pk());
    REQUIRE(heads.size() == 1);
    REQUIRE(heads[0].heads.size() == 1);
    CHECK(heads[0].heads[0].head.size == 4);
  }
  CHECK(b.replicas->cosignatures(a.pk()).value().size() == 1);

  auto at_a = a.sync->on_message(b.pk(), over_wire(sent<Cosignatures>(actions, a.pk()).at(0)));
  CHECK(at_a.empty());
  auto kept = a.replicas->cosignatures(a.pk()).value();
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].witness == b.pk());
  CHECK(kept[0].head.size == 4);
  (void)c.sync->on_message(b.pk(), over_wire(sent<Cosignatures>(actions, c.pk()).at(0)));
  CHECK(c.replicas->cosignatures(a.pk()).value().size() == 1);

  // A cosignature that does not verify gets the sender banned.
  Cosignature forged = kept[0];
  forged.head.size += 1;
  auto banned = a.sync->on_message(b.pk(), over_wire(Cosignatures{{forged}}));
  check_ban(banned, b.pk());
  CHECK(a.sync->is_banned(b.pk()));
  CHECK(a.replicas->cosignatures(a.pk()).value().at(0).head.size == 4);
}

TEST_CASE("sync: a transfer.out to another co-op is received there once, and clearing nets to zero") {
  SyncConsortium net(2);
  Node &a = net[0], &b = net[1];
  // dan earns 120 minutes of community work, confirmed by a coordinator.
  net.add_member(0, "dan", role_volunteer);
  net.add_member(0, "carol", role_carer | role_service_user);
  HoursLog work;
  work.payer = Payer::pool;
  work.minutes = 120;
  work.category = "befriending";
  work.date_days = static_cast<std::int32_t>(net.clock.now_ms() / 86'400'000);
  auto logged = net.submit(0, "dan", work);
  REQUIRE_MESSAGE(logged.ok(), logged.message);
  REQUIRE(net.submit(0, "node", MemberRole{a.members.at("carol").public_key, role_carer | role_coordinator})
              .ok());
  REQUIRE(net.submit(0, "carol", HoursConfirm{logged.id}).ok());
  net.add_member(1, "alice", role_volunteer);
  const PublicKey alice = b.members.at("alice").public_key;
  auto out = net.submit(0, "dan", TransferOut{alice, b.pk(), 60, {}});
  REQUIRE_MESSAGE(out.ok(), out.message);
  const std::uint64_t b_size_before = b.ledger->log_size();

  net.link(0, 1);
  net.settle();

  // B recorded one transfer.in crediting alice from its clearing account for A.
  CHECK(b.ledger->log_size() == b_size_before + 1);
  // And told A in one message that it caught up on A's log and that its own
  // log grew by it: whoever hears the first hears the second.
  bool together = false;
  for (const auto& heads : net.delivered<Heads>(1, 0))
    if (heads.heads.size() == 2 && heads.heads[0].head.log == a.pk() && heads.heads[1].head.log == b.pk() &&
        heads.heads[1].head.size == b_size_before + 1)
      together = true;
  CHECK(together);
  CHECK(b.ledger->balance(AccountId::member(alice)).value().balance_minutes == 60);
  CHECK(b.ledger->balance(AccountId::clearing(a.pk())).value().balance_minutes == -60);
  auto in = decode_entry(b.ledger->record(b.ledger->log_size()).value().entry);
  REQUIRE(in.ok());
  REQUIRE(std::holds_alternative<TransferIn>(in->entry.body));
  CHECK(std::get<TransferIn>(in->entry.body).origin == out.id);
  CHECK(in->entry.author == b.pk());
  CHECK(b.replicas->pending_inbound(a.pk(), 0).value().empty());

  // A holds B's log back, transfer.in included: the clearing positions net to zero.
  net.check_copy(0, 1);
  CHECK(a.ledger->balance(AccountId::clearing(b.pk())).value().balance_minutes == 60);
  auto b_copy = Ledger::open_copy(*a.store, b.pk(), net.clock);
  REQUIRE(b_copy.ok());
  CHECK(a.ledger->balance(AccountId::clearing(b.pk())).value().balance_minutes +
            b_copy.value()->balance(AccountId::clearing(a.pk())).value().balance_minutes ==
        0);
  CHECK(a.replicas->in_flight(a.pk(), b.pk()).value().empty());

  // Anti-entropy rounds, and a restarted sync node, record nothing twice.
  const std::uint64_t settled = b.ledger->log_size();
  net.tick(net.config.anti_entropy_ms);
  net.settle();
  net.restart_sync(b);
  net.unlink(0, 1);
  net.link(0, 1);
  net.settle();
  net.tick(net.config.anti_entropy_ms);
  net.settle();
  CHECK(b.ledger->log_size() == settled);
  CHECK(b.ledger->balance(AccountId::member(alice)).value().balance_minutes == 60);
  CHECK(b.ledger->balance(AccountId::clearing(a.pk())).value().balance_minutes == -60);
  net.check_copy(0, 1);
  net.check_copy(1, 0);
}

TEST_CASE("sync: alias queries answer with the peer's key, or nullopt") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.add_member(0, "dan", role_volunteer);
  net.link(0, 1);
  net.link(1, 2);
  net.settle();

  int calls = 0;
  std::optional<PublicKey> got;
  auto done = [&](std::optional<PublicKey> key) {
    ++calls;
    got = key;
  };
  auto ask = [&](const Node& peer, const std::string& alias) {
    auto actions = b.sync->query_alias(peer.pk(), alias, done);
    auto queries = sent<AliasQuery>(actions, peer.pk());
    REQUIRE(actions.size() == 1);
    REQUIRE(queries.size() == 1);
    CHECK(queries[0].alias == alias);
    return queries[0];
  };
  auto answer_of = [&](Node& peer, const AliasQuery& query) {
    auto answers = sent<AliasAnswer>(peer.sync->on_message(b.pk(), over_wire(query)), b.pk());
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].request_id == query.request_id);
    return answers[0];
  };

  SUBCASE("known alias") {
    auto query = ask(a, "dan");
    CHECK(calls == 0);
    auto answer = answer_of(a, query);
    CHECK(answer.found);
    // An answer with that id from another peer is not the answer.
    (void)b.sync->on_message(c.pk(), over_wire(AliasAnswer{query.request_id, true, c.pk()}));
    CHECK(calls == 0);
    (void)b.sync->on_message(a.pk(), over_wire(answer));
    CHECK(calls == 1);
    REQUIRE(got);
    CHECK(*got == a.members.at("dan").public_key);
    // A repeat of the answer calls nobody again.
    (void)b.sync->on_message(a.pk(), over_wire(answer));
    CHECK(calls == 1);
  }
  SUBCASE("unknown alias") {
    got = PublicKey{};
    auto answer = answer_of(a, ask(a, "nobody"));
    CHECK_FALSE(answer.found);
    CHECK(answer.key.is_zero());
    (void)b.sync->on_message(a.pk(), over_wire(answer));
    CHECK(calls == 1);
    CHECK_FALSE(got);
  }
  SUBCASE("the peer disconnects before it answers") {
    auto query = ask(a, "dan");
    got = PublicKey{};
    (void)b.sync->on_disconnected(a.pk());
    CHECK(calls == 1);
    CHECK_FALSE(got);
    (void)b.sync->on_connected(a.pk());
    (void)b.sync->on_message(a.pk(), over_wire(answer_of(a, query)));
    CHECK(calls == 1);
  }
  SUBCASE("no answer in time") {
    auto query = ask(a, "dan");
    got = PublicKey{};
    net.clock.advance_ms(net.config.request_timeout_ms - 1);
    (void)b.sync->on_tick();
    CHECK(calls == 0);
    net.clock.advance_ms(1);
    (void)b.sync->on_tick();
    CHECK(calls == 1);
    CHECK_FALSE(got);
    (void)b.sync->on_message(a.pk(), over_wire(answer_of(a, query)));
    CHECK(calls == 1);
  }
  SUBCASE("a peer that is not connected, or an alias too long to send") {
    net.unlink(0, 1);
    got = PublicKey{};
    CHECK(b.sync->query_alias(a.pk(), "dan", done).empty());
    CHECK(calls == 1);
    CHECK_FALSE(got);
    CHECK(b.sync->query_alias(c.pk(), std::string(kMaxAliasBytes + 1, 'x'), done).empty());
    CHECK(calls == 2);
  }
}

TEST_CASE("sync: the reverse alias query names a peer's member by key; unknown and zero keys are 'unknown'") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.add_member(0, "dan", role_volunteer);
  net.link(0, 1);
  net.settle();
  // The greeting's feature probe was answered: A knows the reverse query.
  REQUIRE(b.sync->knows_member_alias(a.pk()));
  CHECK_FALSE(b.sync->knows_member_alias(c.pk()));  // not connected

  int calls = 0;
  MemberAliasReply got;
  auto done = [&](MemberAliasReply reply) {
    ++calls;
    got = std::move(reply);
  };
  auto ask = [&](const PublicKey& member) {
    auto actions = b.sync->query_member_alias(a.pk(), member, done);
    auto queries = sent<MemberAliasQuery>(actions, a.pk());
    REQUIRE(actions.size() == 1);
    REQUIRE(queries.size() == 1);
    CHECK(queries[0].member == member);
    return queries[0];
  };
  // A answers on its read lane; nothing else is sent and the link stays.
  auto answer_of = [&](const MemberAliasQuery& query) {
    auto actions = a.sync->on_message(b.pk(), over_wire(query));
    auto answers = sent<MemberAliasAnswer>(actions, b.pk());
    REQUIRE(actions.size() == 1);
    REQUIRE(answers.size() == 1);
    CHECK(answers[0].request_id == query.request_id);
    return answers[0];
  };

  SUBCASE("a member of the peer: their alias") {
    auto answer = answer_of(ask(a.members.at("dan").public_key));
    CHECK(answer.found);
    CHECK(answer.alias == "dan");
    // The same id from another peer is not the answer.
    (void)b.sync->on_message(c.pk(), over_wire(answer));
    CHECK(calls == 0);
    (void)b.sync->on_message(a.pk(), over_wire(answer));
    REQUIRE(calls == 1);
    CHECK(got.answered);
    CHECK(got.alias == std::optional<std::string>("dan"));
  }
  SUBCASE("a key that is no member there: answered unknown") {
    auto answer = answer_of(ask(seeded_key(77).public_key));
    CHECK_FALSE(answer.found);
    CHECK(answer.alias.empty());
    (void)b.sync->on_message(a.pk(), over_wire(answer));
    REQUIRE(calls == 1);
    CHECK(got.answered);
    CHECK_FALSE(got.alias);
  }
  SUBCASE("the zero key: refused as unknown without engine work, and the link stays up") {
    auto actions = a.sync->on_message(b.pk(), over_wire(MemberAliasQuery{99, PublicKey{}}));
    REQUIRE(actions.size() == 1);
    CHECK(actions[0].kind == Action::Kind::send);
    auto answers = sent<MemberAliasAnswer>(actions, b.pk());
    REQUIRE(answers.size() == 1);
    CHECK_FALSE(answers[0].found);
    // Asking for it is not even sent.
    CHECK(b.sync->query_member_alias(a.pk(), PublicKey{}, done).empty());
    CHECK(calls == 1);
    CHECK_FALSE(got.answered);
  }
  SUBCASE("no answer in time, or the link closes: not answered") {
    (void)ask(a.members.at("dan").public_key);
    net.clock.advance_ms(net.config.request_timeout_ms);
    (void)b.sync->on_tick();
    REQUIRE(calls == 1);
    CHECK_FALSE(got.answered);
    got.answered = true;
    (void)ask(a.members.at("dan").public_key);
    (void)b.sync->on_disconnected(a.pk());
    REQUIRE(calls == 2);
    CHECK_FALSE(got.answered);
  }
}

TEST_CASE("sync: a peer that predates the reverse query is never sent it, so the link stays up") {
  SyncConsortium net(2);
  Node &a = net[0], &b = net[1];
  net.add_member(0, "dan", role_volunteer);
  // B greets A; A is an older node: its directory has no alias "?features",
  // so it answers the probe "not found" like any unknown alias.
  auto greeting = b.sync->on_connected(a.pk());
  auto probe = sent<AliasQuery>(greeting, a.pk());
  REQUIRE(probe.size() == 1);
  (void)b.sync->on_message(a.pk(), over_wire(AliasAnswer{probe[0].request_id, false, PublicKey{}}));
  CHECK_FALSE(b.sync->knows_member_alias(a.pk()));
  int calls = 0;
  auto actions = b.sync->query_member_alias(a.pk(), a.members.at("dan").public_key, [&](MemberAliasReply reply) {
    ++calls;
    CHECK_FALSE(reply.answered);
  });
  CHECK(actions.empty());  // nothing sent that A would take as malformed
  CHECK(calls == 1);
  // Upgraded, A answers the next link's probe with its features.
  (void)b.sync->on_disconnected(a.pk());
  probe = sent<AliasQuery>(b.sync->on_connected(a.pk()), a.pk());
  REQUIRE(probe.size() == 1);
  (void)a.sync->on_connected(b.pk());
  auto answers = sent<AliasAnswer>(a.sync->on_message(b.pk(), over_wire(probe[0])), b.pk());
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].found);
  CHECK(answers[0].key.bytes[0] == kFeatureMemberAlias);
  (void)b.sync->on_message(a.pk(), over_wire(answers[0]));
  CHECK(b.sync->knows_member_alias(a.pk()));
  // Each link asks again: after a reconnect, until answered, it is not assumed.
  (void)b.sync->on_disconnected(a.pk());
  (void)b.sync->on_connected(a.pk());
  CHECK_FALSE(b.sync->knows_member_alias(a.pk()));
}

namespace {

// The only action is one piece of work on `lane`; runs it and reports it.
std::vector<Action> run_only_work(SyncNode& node, const std::vector<Action>& actions, WorkLane lane) {
  REQUIRE(actions.size() == 1);
  REQUIRE(actions[0].kind == Action::Kind::work);
  REQUIRE(actions[0].work);
  CHECK(actions[0].work->lane() == lane);
  CHECK_FALSE(actions[0].work->has_run());
  actions[0].work->run();
  return node.on_work_done(*actions[0].work);
}

SyncConfig handing_out_work() {
  SyncConfig config = small_config();
  config.engine_work = EngineWork::as_actions;
  return config;
}

}  // namespace

TEST_CASE("sync: engine work is handed out; a log is not asked for while its batch is stored") {
  SyncConsortium net(3, handing_out_work());
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(0, 20);
  net.link(0, 2);
  net.settle();  // runs the work too
  REQUIRE(c.copy_size(a) == 20);

  // B meets A and C. The greeting's heads come from memory at once; what
  // must be read from the store is work.
  auto greeting = a.sync->on_connected(b.pk());
  auto heads = sent<Heads>(greeting, b.pk());
  REQUIRE(heads.size() == 1);
  REQUIRE(heads[0].heads.size() == 1);
  CHECK(heads[0].heads[0].head.size == 20);
  (void)b.sync->on_connected(a.pk());
  (void)b.sync->on_connected(c.pk());

  // Heads: their signatures are checked by work on the read lane; the
  // request follows from its outcome.
  auto checked = b.sync->on_message(a.pk(), over_wire(heads[0]));
  REQUIRE(checked.size() == 1);
  CHECK(checked[0].peer == a.pk());
  auto asks = requests_for(run_only_work(*b.sync, checked, WorkLane::read), a.pk());
  REQUIRE(asks.size() == 1);
  CHECK(asks[0].second.from_size == 0);

  // A serves the batch from work on the read lane.
  auto served = sent<Records>(
      run_only_work(*a.sync, a.sync->on_message(b.pk(), over_wire(asks[0].second)), WorkLane::read), b.pk());
  REQUIRE(served.size() == 1);
  REQUIRE(served[0].records.size() == 8);

  // B hands the batch to the write lane; nothing is stored yet. It asks A
  // for the next batch, going on from this one's head, meanwhile.
  auto storing = b.sync->on_message(a.pk(), over_wire(served[0]));
  auto ahead = requests_for(storing, a.pk());
  REQUIRE(ahead.size() == 1);
  CHECK(ahead[0].second.from_size == 8);
  REQUIRE(ahead[0].second.have);
  CHECK(ahead[0].second.have->head.size == 8);
  std::erase_if(storing, [](const Action& a) { return a.kind == Action::Kind::send; });
  REQUIRE(storing.size() == 1);
  REQUIRE(storing[0].kind == Action::Kind::work);
  CHECK(storing[0].work->lane() == WorkLane::write);
  CHECK(std::string(storing[0].work->name()) == "append");
  CHECK(b.sync->applying(a.pk()));
  CHECK(b.copy_size(a) == 0);

  // Meanwhile C announces A's log: checked, but not asked for twice.
  const Heads from_c{{c.replicas->log_state(a.pk()).value().head.value()}};
  CHECK(requests_for(run_only_work(*b.sync, b.sync->on_message(c.pk(), over_wire(from_c)), WorkLane::read),
                     a.pk())
            .empty());
  // The same batch again is ignored: no second piece of work for it.
  CHECK(b.sync->on_message(a.pk(), over_wire(served[0])).empty());
  // And the request's timeout asks nobody while the batch is being stored.
  net.clock.advance_ms(net.config.request_timeout_ms);
  CHECK(requests_for(b.sync->on_tick(), a.pk()).empty());

  // Stored: the outcome announces the head and asks for the next batch, once.
  storing[0].work->run();
  CHECK(b.copy_size(a) == 8);
  auto stored = b.sync->on_work_done(*storing[0].work);
  CHECK_FALSE(b.sync->applying(a.pk()));
  auto next = requests_for(stored, a.pk());
  REQUIRE(next.size() == 1);
  CHECK(next[0].second.from_size == 8);
  for (const Node* peer : {&a, &c}) {
    auto pushed = sent<Heads>(stored, peer->pk());
    REQUIRE(pushed.size() == 1);
    CHECK(pushed[0].heads.at(0).head.size == 8);
    CHECK(sent<Cosignatures>(stored, peer->pk()).size() == 1);
  }

  // The rest comes the same way, one batch at a time, in order, once the
  // request above (never delivered here) has timed out.
  net.link(0, 1);
  net.link(1, 2);
  net.tick(net.config.request_timeout_ms);
  net.settle();
  net.check_copy(1, 0);
  // A head held already, as every round repeats it, costs no work.
  const Heads again{{a.ledger->latest_head().value()}};
  auto repeated = b.sync->on_message(c.pk(), over_wire(again));
  for (const auto& action : repeated) CHECK(action.kind != Action::Kind::work);
  CHECK(requests_for(repeated, a.pk()).empty());
}

TEST_CASE("sync: the outcome of work for a peer banned meanwhile sends that peer nothing") {
  SyncConsortium net(2, handing_out_work());
  Node &a = net[0], &b = net[1];
  net.add_member(0, "dan", role_volunteer);
  net.run_all_work();
  (void)a.sync->on_connected(b.pk());
  (void)b.sync->on_connected(a.pk());
  // B asks A for an alias and for a head; before the answers are read, B
  // sends a forged cosignature, whose check bans B.
  auto alias = a.sync->on_message(b.pk(), over_wire(AliasQuery{5, "dan"}));
  const SignedTreeHead head = a.ledger->latest_head().value();
  Cosignature forged = cosign_tree_head(head.head, b.pk(), b.key.secret_key);
  forged.head.size += 1;
  auto cosignatures = a.sync->on_message(b.pk(), over_wire(Cosignatures{{forged}}));
  auto banned = run_only_work(*a.sync, cosignatures, WorkLane::write);
  check_ban(banned, b.pk());
  REQUIRE(alias.size() == 1);
  CHECK(run_only_work(*a.sync, alias, WorkLane::read).empty());
  // What B says now is ignored, before any work.
  CHECK(a.sync->on_message(b.pk(), over_wire(GetHead{a.pk(), 1})).empty());
}

TEST_CASE("sync: a malformed message drops the link, and the peer is not banned for it") {
  SyncConsortium net(3);
  Node &a = net[0], &b = net[1], &c = net[2];
  net.fill(2, 3);
  (void)a.sync->on_connected(b.pk());
  // One Heads message with 55,000 copies of one head, as a flooding peer
  // sends it: refused by the codec at its count, so no signature is checked.
  const Bytes flood =
      encode_message(Heads{std::vector<SignedTreeHead>(55'000, c.ledger->latest_head().value())});
  auto decoded = decode_message(flood, a.sync->message_limits());
  REQUIRE(decoded.code() == Code::malformed);
  CHECK(decoded.status().message().find("over the cap of 3") != std::string::npos);
  auto actions = a.sync->on_malformed(b.pk(), decoded.status().message());
  REQUIRE(actions.size() == 1);
  CHECK(actions[0].kind == Action::Kind::disconnect);
  CHECK(actions[0].peer == b.pk());
  CHECK_FALSE(a.sync->is_banned(b.pk()));
  CHECK(a.sync->message_limits().consortium_nodes == 3);
}

// Sync pipelining (issue 14): while one batch is stored the next is fetched
// from the same peer, and stored as soon as the first is.
namespace {

// A (20 records, batches of 8) and B, just met, work handed out: B's first
// request for A's log.
GetRecords first_ask(SyncConsortium& net) {
  Node &a = net[0], &b = net[1];
  net.fill(0, 20);
  net.link(0, 2);  // A learns its own head, as in the test above
  net.settle();
  auto greeting = a.sync->on_connected(b.pk());
  (void)b.sync->on_connected(a.pk());
  auto heads = sent<Heads>(greeting, b.pk());
  REQUIRE(heads.size() == 1);
  auto asks = requests_for(run_only_work(*b.sync, b.sync->on_message(a.pk(), over_wire(heads[0])), WorkLane::read),
                           a.pk());
  REQUIRE(asks.size() == 1);
  return asks[0].second;
}

// A's answer to B's request.
Records served_by_a(SyncConsortium& net, const GetRecords& ask) {
  auto served = sent<Records>(
      run_only_work(*net[0].sync, net[0].sync->on_message(net[1].pk(), over_wire(ask)), WorkLane::read), net[1].pk());
  REQUIRE(served.size() == 1);
  return served[0];
}

}  // namespace

TEST_CASE("sync: the next batch is fetched while one is stored, and stored right after it") {
  SyncConsortium net(3, handing_out_work());
  Node &a = net[0], &b = net[1];
  Records first = served_by_a(net, first_ask(net));
  REQUIRE(first.records.size() == 8);

  // The first batch goes to the write lane and the second is asked for.
  auto storing = b.sync->on_message(a.pk(), over_wire(first));
  auto ahead = requests_for(storing, a.pk());
  REQUIRE(ahead.size() == 1);
  CHECK(ahead[0].second.from_size == 8);
  std::erase_if(storing, [](const Action& x) { return x.kind == Action::Kind::send; });
  REQUIRE(storing.size() == 1);

  // The second arrives while the first is stored: kept, no work yet.
  Records second = served_by_a(net, ahead[0].second);
  REQUIRE(second.from_size == 8);
  CHECK(b.sync->on_message(a.pk(), over_wire(second)).empty());
  // A batch that does not go on from the first is not kept in its place.
  CHECK(b.sync->on_message(a.pk(), over_wire(first)).empty());

  // The first is stored: the second is handed to the write lane at once,
  // and the third asked for.
  storing[0].work->run();
  auto done = b.sync->on_work_done(*storing[0].work);
  CHECK(b.copy_size(a) == 8);
  std::vector<Action> next_work;
  for (const auto& action : done)
    if (action.kind == Action::Kind::work) next_work.push_back(action);
  REQUIRE(next_work.size() == 1);
  CHECK(std::string(next_work[0].work->name()) == "append");
  auto third_ask = requests_for(done, a.pk());
  REQUIRE(third_ask.size() == 1);
  CHECK(third_ask[0].second.from_size == 16);
  next_work[0].work->run();
  (void)b.sync->on_work_done(*next_work[0].work);
  CHECK(b.copy_size(a) == 16);
}

TEST_CASE("sync: a batch fetched ahead is dropped when the one before it is refused") {
  SyncConsortium net(3, handing_out_work());
  Node &a = net[0], &b = net[1];
  Records first = served_by_a(net, first_ask(net));
  first.records[1][first.records[1].size() - 70] ^= 1;  // forged
  auto storing = b.sync->on_message(a.pk(), over_wire(first));
  auto ahead = requests_for(storing, a.pk());
  REQUIRE(ahead.size() == 1);
  Records second = served_by_a(net, ahead[0].second);
  CHECK(b.sync->on_message(a.pk(), over_wire(second)).empty());
  std::erase_if(storing, [](const Action& x) { return x.kind == Action::Kind::send; });
  REQUIRE(storing.size() == 1);
  storing[0].work->run();
  auto done = b.sync->on_work_done(*storing[0].work);
  check_ban(done, a.pk());
  for (const auto& action : done) CHECK(action.kind != Action::Kind::work);
  CHECK(b.copy_size(a) == 0);
}
