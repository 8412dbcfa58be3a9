// One key, several memberships (issue 16): a person who is a member of two
// co-ops signs at both with the same key; each log keeps its own balance for
// them; an entry signed for one co-op's log never replays into the other's;
// and they may move credits to themselves at the other co-op.
#include "cohours/replicas.h"

#include "test_support.h"

namespace cohours {
namespace {

using Outcome = AppendResult::Outcome;

struct Hilltop_Riverside {
  test::TestLedger hill{nullptr, 221, 0};
  test::TestLedger river{nullptr, 222, 100};
  std::unique_ptr<Replicas> rh, rr;
  PublicKey hill_node = hill.node.public_key, river_node = river.node.public_key;

  Hilltop_Riverside() {
    rh = Replicas::open(*hill.store, hill.clock).value();
    rr = Replicas::open(*river.store, river.clock).value();
    REQUIRE(rh->follow(river_node, "riverside", *Currency::parse("GBP")).ok());
    REQUIRE(rr->follow(hill_node, "hilltop", *Currency::parse("GBP")).ok());
    // Jo volunteers at Hilltop and is a carer at Riverside, with one key.
    hill.add_member("jo", role_volunteer);
    hill.add_member("sue", role_service_user);
    river.keys.emplace("jo", test::seeded_key(1));  // hilltop's first member seed: jo's key
    REQUIRE(river.key("jo") == hill.key("jo"));
    REQUIRE(river.submit("node", MemberJoin{river.key("jo"), role_carer, river_node}).ok());
    river.add_member("tom", role_volunteer);
  }

  void hill_to_river() {
    for (;;) {
      auto batch = rh->read_batch(hill_node, rr->log_state(hill_node).value().size, 1000);
      if (!batch.ok()) return;
      AppendResult appended = rr->append(batch.value());
      REQUIRE_MESSAGE(appended.outcome == Outcome::appended, appended.message);
    }
  }
};

}  // namespace

TEST_CASE("one key, two co-ops: an entry signed for hilltop is refused by riverside, which stores nothing") {
  Hilltop_Riverside t;
  // Jo gives Sue 90 minutes at Hilltop; the pool pays.
  auto logged = t.hill.submit("jo", t.hill.hours("sue", 90, Payer::pool));
  REQUIRE(logged.ok());
  REQUIRE(t.hill.submit("sue", HoursConfirm{logged.id}).ok());
  CHECK(t.hill.balance("jo").balance_minutes == 90);
  CHECK(t.river.balance("jo").balance_minutes == 0);  // each co-op keeps its own balance

  // The same bytes Jo signed for Hilltop, offered to Riverside, where Jo is
  // also a member: refused for the node they name, before any other rule.
  const SignedEntry for_hilltop = t.hill.make("jo", Transfer{t.hill.key("sue"), 30, {}});
  REQUIRE(for_hilltop.entry.node == t.hill_node);
  const std::uint64_t river_size = t.river.ledger->log_size();
  SubmitResult offered = t.river.ledger->submit_one(for_hilltop.bytes);
  CHECK(offered.code == Code::wrong_node);
  CHECK(offered.message.find("signed for node " + to_hex(t.hill_node).substr(0, 12)) != std::string::npos);
  CHECK(t.river.ledger->log_size() == river_size);
  // Not remembered as a refusal: the answer is the same each time.
  CHECK(t.river.ledger->submit_one(for_hilltop.bytes).code == Code::wrong_node);
  // Hours Jo logged at Hilltop, replayed at Riverside (where Jo is a carer): refused too.
  SubmitResult replayed = t.river.ledger->submit_one(t.hill.ledger->record(logged.seq).value().entry);
  CHECK(replayed.code == Code::wrong_node);
  CHECK(t.river.ledger->log_size() == river_size);
  // At Hilltop the same entry is fine.
  CHECK(t.hill.ledger->submit_one(for_hilltop.bytes).ok());

  // And the other way: Jo's request for respite at Riverside is not Hilltop's.
  const SignedEntry for_riverside = t.river.make("jo", RespiteRequest{120, t.river.hours("tom", 1).date_days, {}});
  CHECK(t.river.ledger->submit_one(for_riverside.bytes).ok());
  CHECK(t.hill.ledger->submit_one(for_riverside.bytes).code == Code::wrong_node);
}

TEST_CASE("one key, two co-ops: credits moved to oneself at the other co-op") {
  Hilltop_Riverside t;
  auto logged = t.hill.submit("jo", t.hill.hours("sue", 120, Payer::pool));
  REQUIRE(logged.ok());
  REQUIRE(t.hill.submit("sue", HoursConfirm{logged.id}).ok());
  // Jo sends an hour from Hilltop to Jo at Riverside: payer and receiver are one key.
  auto out = t.hill.submit("jo", TransferOut{t.hill.key("jo"), t.river_node, 60, {}});
  REQUIRE_MESSAGE(out.ok(), out.message);
  CHECK(t.hill.balance("jo").balance_minutes == 60);
  t.hill_to_river();
  auto inbound = t.rr->pending_inbound(t.hill_node, 0).value();
  REQUIRE(inbound.size() == 1);
  CHECK(inbound[0].to == t.river.key("jo"));
  REQUIRE(t.river.submit("node", TransferIn{t.hill_node, out.id, t.river.key("jo"), 60}).ok());
  CHECK(t.river.balance("jo").balance_minutes == 60);
  CHECK(t.hill.balance("jo").balance_minutes == 60);
  // Jo spends it at Riverside: Tom gives Jo an hour of respite, Jo confirms.
  auto help = t.river.submit("tom", t.river.hours("jo", 60));
  REQUIRE(help.ok());
  REQUIRE(t.river.submit("jo", HoursConfirm{help.id}).ok());
  CHECK(t.river.balance("jo").balance_minutes == 0);
  CHECK(t.hill.balance("jo").balance_minutes == 60);
  // An ordinary transfer to oneself stays refused within one co-op.
  CHECK(t.hill.submit("jo", Transfer{t.hill.key("jo"), 10, {}}).code == Code::not_permitted);
}

}  // namespace cohours
