// A statement names the person at the other end of a cross-co-op transfer
// (alice@hilltop), learnt through the daemon's peers, or a stable fallback
// (member-3f2a9c1e@hilltop), never the clearing account. Two nodes in
// process: each joins the same consortium file and keeps a verified copy of
// the other's log, as the daemon's sync would.
#include "cohours/app/accounts.h"
#include "cohours/app/consortium.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/names.h"
#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

// What the daemon answers from a peer: aliases both ways, from the other
// node's directory, while `reachable`.
struct DirectoryPeers final : app::PeerView {
  app::Node& other;
  bool reachable = true;
  int reverse_queries = 0;  // member keys asked about
  explicit DirectoryPeers(app::Node& other) : other(other) {}

  std::optional<PublicKey> resolve_alias(const std::string&, const std::string& alias) override {
    if (!reachable) return std::nullopt;
    auto key = other.directory().key_for(alias);
    if (!key.ok()) return std::nullopt;
    return key.value();
  }
  std::map<PublicKey, std::optional<std::string>> member_aliases(const std::string&,
                                                                 const std::vector<PublicKey>& members) override {
    std::map<PublicKey, std::optional<std::string>> out;
    if (!reachable) return out;
    for (const auto& member : members) {
      ++reverse_queries;
      auto entry = other.directory().find(member);
      out[member] = entry ? std::optional<std::string>(entry->alias) : std::nullopt;
    }
    return out;
  }
  app::SyncState sync_state() override { return {}; }
};

struct County {
  TestNode hill, river;

  County() {
    net::Consortium file;
    file.name = "county";
    file.nodes.push_back({"hilltop", hill.node->identity().public_key, "127.0.0.1:7101", *Currency::parse("GBP")});
    file.nodes.push_back(
        {"riverside", river.node->identity().public_key, "127.0.0.1:7102", *Currency::parse("GBP")});
    auto parsed = net::parse_consortium(net::consortium_json(file));
    REQUIRE(parsed.ok());
    file = parsed.value();
    for (TestNode* t : {&hill, &river})
      net::sign_consortium(file, t->node->identity().public_key, t->node->identity().secret_key);
    for (TestNode* t : {&hill, &river}) {
      auto joined = app::join_consortium(*t->node, {net::consortium_json(file)});
      REQUIRE_MESSAGE(joined.ok(), joined.status().message());
    }
    REQUIRE(hill.node->replicas().follow(river.node->identity().public_key, "riverside", *Currency::parse("GBP")).ok());
    REQUIRE(river.node->replicas().follow(hill.node->identity().public_key, "hilltop", *Currency::parse("GBP")).ok());
    // Alice of hilltop earns two hours helping Bob, so she has credit to send.
    const std::int32_t day = *parse_date("2026-11-16");
    auto logged = app::log_hours(*hill.node, {"alice", "", "bob", 120, "befriending", day, "", false});
    REQUIRE_MESSAGE(logged.ok(), logged.status().message());
    REQUIRE(app::confirm_hours(*hill.node, {to_hex(logged->entry.id), "bob"}).ok());
  }

  // `to` copies everything of `from`'s log, as sync would, then records the
  // transfers it finds there as the daemon does (transfer.in signed by the node).
  void deliver(TestNode& from, TestNode& to) {
    const PublicKey log = from.node->identity().public_key;
    for (;;) {
      const std::uint64_t held = to.node->replicas().log_state(log).value().size;
      auto batch = from.node->replicas().read_batch(log, held, 1000);
      if (!batch.ok()) break;
      AppendResult appended = to.node->replicas().append(batch.value());
      REQUIRE_MESSAGE(appended.outcome == AppendResult::Outcome::appended, appended.message);
    }
    auto inbound = to.node->replicas().pending_inbound(log, 0);
    REQUIRE(inbound.ok());
    for (const auto& t : inbound.value()) {
      const NodeIdentity& self = to.node->identity();
      Entry entry{kEntryFormatVersion, to.node->ledger().node_key(), self.public_key, {},
                  to.clock.now_ms(),   t.origin_seq,                  TransferIn{t.from_node, t.origin, t.to, t.minutes}};
      SubmitResult result = to.node->ledger().submit_one(sign_entry(entry, self.secret_key).bytes);
      REQUIRE_MESSAGE(result.ok(), result.message);
    }
  }

  std::string hex8(TestNode& t, const std::string& alias) { return to_hex(t.key(alias)).substr(0, 8); }
};

// The statement line of a transfer, and its movement's view (a copy: the
// statement is often a temporary).
app::StatementLine transfer_line(const app::Statement& statement) {
  for (const auto& line : statement.lines)
    if (line.about && line.about->kind == MovementKind::transfer) return line;
  FAIL("no transfer in the statement");
  return statement.lines.front();
}

app::Statement statement_of(TestNode& t, const std::string& alias) {
  auto s = app::statement(*t.node, {alias, INT32_MIN, INT32_MAX, ""});
  REQUIRE_MESSAGE(s.ok(), s.status().message());
  return s.value();
}

}  // namespace

TEST_CASE("remote names: both statements name the person at the other end, learnt through the daemon") {
  County c;
  DirectoryPeers hill_peers(*c.river.node), river_peers(*c.hill.node);
  c.hill.node->set_peers(&hill_peers);
  c.river.node->set_peers(&river_peers);

  // Alice sends to carol@riverside: the alias riverside confirmed is kept.
  auto sent = app::send_credits(*c.hill.node, {"alice", "carol@riverside", 60, ""});
  REQUIRE_MESSAGE(sent.ok(), sent.status().message());
  CHECK(sent->recipient == "carol@riverside");
  CHECK(c.hill.node->directory().remote_alias(c.river.node->identity().public_key, c.river.key("carol")) ==
        std::optional<std::string>("carol"));

  const app::StatementLine out = transfer_line(statement_of(c.hill, "alice"));
  CHECK(out.counterparty == "carol@riverside");
  CHECK(out.change_minutes == -60);
  REQUIRE(out.about);
  CHECK(out.about->provider == "alice");
  CHECK(out.about->recipient == "carol@riverside");
  CHECK(out.about->payee == "clearing-riverside");  // the account, where an account is shown
  CHECK(hill_peers.reverse_queries == 0);            // known already: nobody asked

  // Riverside records the transfer.in; Carol's statement asks hilltop (through
  // the daemon) who the sender is, once.
  c.deliver(c.hill, c.river);
  const app::StatementLine in = transfer_line(statement_of(c.river, "carol"));
  CHECK(in.counterparty == "alice@hilltop");
  CHECK(in.change_minutes == 60);
  REQUIRE(in.about);
  CHECK(in.about->provider == "alice@hilltop");
  CHECK(in.about->recipient == "carol");
  CHECK(river_peers.reverse_queries == 1);
  (void)statement_of(c.river, "carol");
  CHECK(river_peers.reverse_queries == 1);  // kept in the directory, not asked again

  // Where the account is what is shown, it is still the clearing account.
  auto balances = app::balances(*c.river.node, {});
  REQUIRE(balances.ok());
  bool clearing_listed = false;
  for (const auto& row : balances->accounts) clearing_listed |= row.name == "clearing-hilltop";
  CHECK(clearing_listed);
  // The log's summary of the transfer.in names the sender too.
  auto records = app::log_records(*c.river.node, {1, 0});
  REQUIRE(records.ok());
  CHECK(records->records.back().summary.find("from alice@hilltop") != std::string::npos);
}

TEST_CASE("remote names: without a daemon, or with the peer unreachable, a stable fallback, never clearing") {
  County c;
  const std::string alice = "member-" + c.hex8(c.hill, "alice") + "@hilltop";
  const std::string carol = "member-" + c.hex8(c.river, "carol") + "@riverside";
  // KEY@NODE needs no daemon; nobody is asked for a name.
  auto sent = app::send_credits(*c.hill.node, {"alice", to_hex(c.river.key("carol")) + "@riverside", 45, ""});
  REQUIRE_MESSAGE(sent.ok(), sent.status().message());
  CHECK(sent->recipient == carol);
  CHECK(transfer_line(statement_of(c.hill, "alice")).counterparty == carol);

  c.deliver(c.hill, c.river);
  CHECK(transfer_line(statement_of(c.river, "carol")).counterparty == alice);
  CHECK(transfer_line(statement_of(c.river, "carol")).about->provider == alice);

  // A daemon whose peer cannot be reached: still the fallback.
  DirectoryPeers river_peers(*c.hill.node);
  river_peers.reachable = false;
  c.river.node->set_peers(&river_peers);
  CHECK(transfer_line(statement_of(c.river, "carol")).counterparty == alice);

  // Erased at hilltop (alice forgotten there): hilltop answers "no such
  // member", and the fallback stays.
  REQUIRE(c.hill.node->directory().remove(c.hill.key("alice")).ok());
  river_peers.reachable = true;
  CHECK(transfer_line(statement_of(c.river, "carol")).counterparty == alice);
  CHECK(river_peers.reverse_queries == 1);
}

TEST_CASE("remote names: learnt lazily, and forgotten with consortium forget-names") {
  County c;
  REQUIRE(app::send_credits(*c.hill.node, {"alice", to_hex(c.river.key("carol")) + "@riverside", 30, ""}).ok());
  c.deliver(c.hill, c.river);
  DirectoryPeers river_peers(*c.hill.node);
  c.river.node->set_peers(&river_peers);
  CHECK(transfer_line(statement_of(c.river, "carol")).counterparty == "alice@hilltop");
  DirectoryPeers hill_peers(*c.river.node);
  c.hill.node->set_peers(&hill_peers);
  CHECK(transfer_line(statement_of(c.hill, "alice")).counterparty == "carol@riverside");

  // An unknown node is refused and nothing is erased.
  auto wrong = app::forget_remote_names(*c.river.node, {"lowland"});
  CHECK(wrong.code() == Code::unknown_member);
  CHECK(wrong.status().message().find("no node named 'lowland'") != std::string::npos);
  CHECK(transfer_line(statement_of(c.river, "carol")).counterparty == "alice@hilltop");

  // Forgetting hilltop's names on riverside: the fallback until asked again.
  c.river.node->set_peers(nullptr);
  auto forgot = app::forget_remote_names(*c.river.node, {"hilltop"});
  REQUIRE(forgot.ok());
  CHECK(forgot->erased == 1);
  CHECK(transfer_line(statement_of(c.river, "carol")).counterparty ==
        "member-" + c.hex8(c.hill, "alice") + "@hilltop");
  CHECK(app::forget_remote_names(*c.river.node, {"hilltop"})->erased == 0);
  // Every node's, with no name given.
  c.hill.node->set_peers(nullptr);
  CHECK(app::forget_remote_names(*c.hill.node, {})->erased == 1);
  CHECK(transfer_line(statement_of(c.hill, "alice")).counterparty ==
        "member-" + c.hex8(c.river, "carol") + "@riverside");
}

TEST_CASE("remote names: hours a volunteer of another co-op gave, on both sides") {
  County c;
  const std::int32_t day = *parse_date("2026-11-17");
  // Riverside's coordinator enters hilltop's alice by key: no daemon, no name yet.
  const std::string by_key = to_hex(c.hill.key("alice")) + "@hilltop";
  auto logged = app::log_hours(*c.river.node, {"dave", by_key, "bob", 60, "befriending", day, "", false});
  REQUIRE_MESSAGE(logged.ok(), logged.status().message());
  const std::string fallback = "member-" + c.hex8(c.hill, "alice") + "@hilltop";
  CHECK(logged->provider == fallback);
  CHECK(logged->movement.provider == fallback);
  REQUIRE(app::confirm_hours(*c.river.node, {to_hex(logged->entry.id), "bob"}).ok());

  // The pool paid; its statement names the volunteer, not clearing-hilltop.
  auto pool = statement_of(c.river, "pool");
  REQUIRE(pool.lines.size() == 1);
  CHECK(pool.lines[0].counterparty == fallback);
  CHECK(pool.lines[0].about->provider == fallback);
  DirectoryPeers river_peers(*c.hill.node);
  c.river.node->set_peers(&river_peers);
  pool = statement_of(c.river, "pool");
  CHECK(pool.lines[0].counterparty == "alice@hilltop");
  CHECK(pool.lines[0].about->provider == "alice@hilltop");
  CHECK(pool.lines[0].about->recipient == "bob");

  // Hilltop credits alice; her statement names whom she helped there.
  c.deliver(c.river, c.hill);
  auto statement = statement_of(c.hill, "alice");
  const app::StatementLine before = transfer_line(statement);
  CHECK(before.counterparty == "member-" + c.hex8(c.river, "bob") + "@riverside");
  CHECK(before.change_minutes == 60);
  DirectoryPeers hill_peers(*c.river.node);
  c.hill.node->set_peers(&hill_peers);
  CHECK(transfer_line(statement_of(c.hill, "alice")).counterparty == "bob@riverside");
}
