// One key, several memberships (issue 16), through the use cases a phone
// uses: Jo's phone enrols at Hilltop and at Riverside with the same key,
// each co-op keeps its own balance, a phone-signed entry for one node is
// refused by the other, and Jo moves credits from Hilltop to Jo at
// Riverside (a transfer.out to oneself). Two nodes in process, each with a
// verified copy of the other's log, as the daemon's sync would.
#include "cohours/app/consortium.h"
#include "cohours/dates.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/invitations.h"
#include "cohours/app/self_service.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

struct TwoCoops {
  TestNode hill, river;
  KeyPair jo = generate_keypair();  // the phone's key

  TwoCoops() {
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
    for (TestNode* t : {&hill, &river}) REQUIRE(app::join_consortium(*t->node, {net::consortium_json(file)}).ok());
    REQUIRE(hill.node->replicas().follow(river.node->identity().public_key, "riverside", *Currency::parse("GBP")).ok());
    REQUIRE(river.node->replicas().follow(hill.node->identity().public_key, "hilltop", *Currency::parse("GBP")).ok());
  }

  // Jo's phone joins `t` with its one key, by invitation.
  app::Enrolled enrol(TestNode& t, const std::string& alias, const std::string& role) {
    auto invited = app::invite_member(*t.node, {alias, {role}, "dave", 72});
    REQUIRE_MESSAGE(invited.ok(), invited.status().message());
    auto enrolled = app::enrol(*t.node, {invited->code, to_hex(jo.public_key)});
    REQUIRE_MESSAGE(enrolled.ok(), enrolled.status().message());
    return enrolled.value();
  }

  // An entry Jo's phone signs for the log of `t`.
  Bytes sign_for(TestNode& t, EntryBody body, std::uint64_t nonce) {
    Entry entry{kEntryFormatVersion, t.node->ledger().node_key(), jo.public_key, {}, t.clock.now_ms(), nonce,
                std::move(body)};
    return sign_entry(entry, jo.secret_key).bytes;
  }
  app::EntryOutcome submit(TestNode& t, Bytes entry) {
    auto outcomes = app::submit_signed(*t.node, {jo.public_key, {std::move(entry)}, {}, {}});
    REQUIRE_MESSAGE(outcomes.ok(), outcomes.status().message());
    REQUIRE(outcomes->results.size() == 1);
    return outcomes->results.front();
  }
  std::int64_t balance_at(TestNode& t) {
    auto self = app::show_self(*t.node, {jo.public_key});
    REQUIRE_MESSAGE(self.ok(), self.status().message());
    return self->balance.balance_minutes;
  }

  // `to` copies `from`'s log and records the transfers it finds for itself.
  void deliver(TestNode& from, TestNode& to) {
    const PublicKey log = from.node->identity().public_key;
    for (;;) {
      auto batch = from.node->replicas().read_batch(log, to.node->replicas().log_state(log).value().size, 1000);
      if (!batch.ok()) break;
      REQUIRE(to.node->replicas().append(batch.value()).outcome == AppendResult::Outcome::appended);
    }
    for (const auto& t : to.node->replicas().pending_inbound(log, 0).value()) {
      const NodeIdentity& self = to.node->identity();
      Entry entry{kEntryFormatVersion, self.public_key, self.public_key, {}, to.clock.now_ms(), t.origin_seq,
                  TransferIn{t.from_node, t.origin, t.to, t.minutes}};
      REQUIRE(to.node->ledger().submit_one(sign_entry(entry, self.secret_key).bytes).ok());
    }
  }
};

}  // namespace

TEST_CASE("memberships: one phone key enrols at two co-ops, each with its own balance") {
  TwoCoops c;
  const app::Enrolled at_hill = c.enrol(c.hill, "jo", "volunteer");
  const app::Enrolled at_river = c.enrol(c.river, "joanne", "carer");
  CHECK(at_hill.key == c.jo.public_key);
  CHECK(at_river.key == c.jo.public_key);
  CHECK(at_hill.member == at_river.member);
  // The same key twice at one co-op is refused.
  auto again = app::invite_member(*c.hill.node, {"jo2", {"carer"}, "dave", 72});
  REQUIRE(again.ok());
  CHECK(app::enrol(*c.hill.node, {again->code, to_hex(c.jo.public_key)}).status().code() == Code::already_exists);

  // Jo volunteers at Hilltop: 90 minutes to Bob, paid by the pool.
  const std::int32_t day = *parse_date("2026-11-16");
  HoursLog hours{c.hill.key("bob"), Payer::pool, 90, "befriending", day, {}};
  auto logged = c.submit(c.hill, c.sign_for(c.hill, hours, 1));
  REQUIRE_MESSAGE(logged.outcome == app::Outcome::stored, logged.message);
  REQUIRE(app::confirm_hours(*c.hill.node, {to_hex(logged.id), "bob"}).ok());
  CHECK(c.balance_at(c.hill) == 90);
  CHECK(c.balance_at(c.river) == 0);
  auto self = app::show_self(*c.river.node, {c.jo.public_key});
  REQUIRE(self.ok());
  CHECK(self->alias == "joanne");
  CHECK(self->node_key == c.river.node->ledger().node_key());

  // The bytes signed for Hilltop, offered to Riverside: refused, nothing stored.
  const std::uint64_t river_size = c.river.node->ledger().log_size();
  auto replayed = c.submit(c.river, c.sign_for(c.hill, hours, 2));
  CHECK(replayed.outcome == app::Outcome::refused);
  CHECK(replayed.code == Code::wrong_node);
  CHECK(c.river.node->ledger().log_size() == river_size);
}

TEST_CASE("memberships: moving credits to oneself at the other co-op") {
  TwoCoops c;
  c.enrol(c.hill, "jo", "volunteer");
  c.enrol(c.river, "jo", "carer");
  const std::int32_t day = *parse_date("2026-11-16");
  auto logged = c.submit(c.hill, c.sign_for(c.hill, HoursLog{c.hill.key("bob"), Payer::pool, 120, "befriending", day, {}}, 1));
  REQUIRE(logged.outcome == app::Outcome::stored);
  REQUIRE(app::confirm_hours(*c.hill.node, {to_hex(logged.id), "bob"}).ok());

  // What the phone signs to move an hour: a transfer.out at Hilltop to its own key at Riverside.
  const PublicKey river_key = c.river.node->ledger().node_key();
  auto moved = c.submit(c.hill, c.sign_for(c.hill, TransferOut{c.jo.public_key, river_key, 60, {}}, 2));
  REQUIRE_MESSAGE(moved.outcome == app::Outcome::stored, moved.message);
  CHECK(c.balance_at(c.hill) == 60);
  CHECK(c.balance_at(c.river) == 0);
  c.deliver(c.hill, c.river);
  CHECK(c.balance_at(c.river) == 60);
  CHECK(c.balance_at(c.hill) == 60);
  // Past what Jo has at Hilltop: refused there, nothing moves.
  auto over = c.submit(c.hill, c.sign_for(c.hill, TransferOut{c.jo.public_key, river_key, 61, {}}, 3));
  CHECK(over.outcome == app::Outcome::refused);
  CHECK(over.code == Code::floor_breached);
  CHECK(c.balance_at(c.hill) == 60);
}
