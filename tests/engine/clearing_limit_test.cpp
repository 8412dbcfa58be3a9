// Trade limits between co-ops (docs/decisions.md "Trade limits between
// co-ops"): B sets how far A may owe it (clearing.limit in B's log), A's
// node records it from its copy of B's log (clearing.limit.peer) and A's
// own log then refuses what would pass it; B never refuses a transfer.in.
#include "cohours/audit.h"
#include "cohours/replicas.h"

#include "test_support.h"

namespace cohours {
namespace {

using Outcome = AppendResult::Outcome;

struct TwoCoops {
  test::TestLedger a{nullptr, 211, 0};
  test::TestLedger b{nullptr, 212, 100};
  std::unique_ptr<Replicas> ra, rb;
  PublicKey a_node = a.node.public_key, b_node = b.node.public_key;

  TwoCoops() {
    ra = Replicas::open(*a.store, a.clock).value();
    rb = Replicas::open(*b.store, b.clock).value();
    REQUIRE(ra->follow(b_node, "b-coop", *Currency::parse("GBP")).ok());
    REQUIRE(rb->follow(a_node, "a-coop", *Currency::parse("GBP")).ok());
    a.add_member("dan", role_volunteer | role_coordinator);
    a.add_member("carol", role_carer);
    b.add_member("alice", role_volunteer);
    b.add_member("ada", role_admin);
    // Dan earns four hours helping the community, so he has credit to send.
    for (int i = 0; i < 2; ++i) {
      auto logged = a.submit("dan", a.hours("community", 120, Payer::pool));
      REQUIRE(logged.ok());
      a.add_member("c" + std::to_string(i), role_coordinator);
      REQUIRE(a.submit("c" + std::to_string(i), HoursConfirm{logged.id}).ok());
    }
  }

  // Copies everything `from` holds of its own log into `to`'s copy: every
  // record is replayed there under the same rules.
  static void copy(test::TestLedger& from_ledger, Replicas& from, Replicas& to) {
    const PublicKey log = from_ledger.node.public_key;
    for (;;) {
      auto batch = from.read_batch(log, to.log_state(log).value().size, 1000);
      if (!batch.ok()) return;
      AppendResult appended = to.append(batch.value());
      REQUIRE_MESSAGE(appended.outcome == Outcome::appended, appended.message);
    }
  }
  void a_to_b() { copy(a, *ra, *rb); }
  void b_to_a() { copy(b, *rb, *ra); }

  // What A's daemon does after a batch of B's log: record B's newest limit.
  SubmitResult record_b_limit() {
    auto limit = ra->unrecorded_clearing_limit(b_node);
    REQUIRE(limit.ok());
    REQUIRE(limit->has_value());
    return a.submit("node", **limit);
  }
  SubmitResult send(std::int64_t minutes) {
    return a.submit("dan", TransferOut{b.key("alice"), b_node, minutes, {}});
  }
  std::int64_t a_owes() { return a.ledger->balance(AccountId::clearing(b_node)).value().balance_minutes; }
};

}  // namespace

TEST_CASE("clearing limit: only an admin sets it, for another co-op's node, zero or below") {
  TwoCoops t;
  CHECK(t.b.submit("alice", ClearingLimit{t.a_node, {true, -100}}).code == Code::not_permitted);
  CHECK(t.b.submit("ada", ClearingLimit{t.b_node, {true, -100}}).code == Code::malformed);
  CHECK(t.b.submit("ada", ClearingLimit{PublicKey{}, {true, -100}}).code == Code::malformed);
  CHECK(t.b.submit("ada", ClearingLimit{t.b.key("alice"), {true, -100}}).code == Code::malformed);
  CHECK(t.b.submit("ada", ClearingLimit{t.a_node, {true, 100}}).code == Code::bad_amount);
  CHECK(t.b.submit("ada", ClearingLimit{t.a_node, {false, -5}}).code == Code::malformed);
  CHECK(t.b.submit("ada", ClearingLimit{t.a_node, {true, -100}}, t.b.key("alice")).code == Code::not_permitted);
  auto set = t.b.submit("ada", ClearingLimit{t.a_node, {true, -100}});
  REQUIRE_MESSAGE(set.ok(), set.message);
  // A copy: a pointer into policy()'s temporary would dangle (ASan).
  const Policy policy = t.b.ledger->policy().value();
  const ClearingLimits* held = policy.clearing_with(t.a_node);
  REQUIRE(held);
  CHECK(held->ours == ClearingFloor{true, -100});
  CHECK(held->ours_entry == set.id);
  CHECK(held->ours_seq == set.seq);
  CHECK_FALSE(held->theirs.limited);
  // The node operator may set one too, and none removes it.
  REQUIRE(t.b.submit("node", ClearingLimit{t.a_node, {false, 0}}).ok());
  CHECK_FALSE(t.b.ledger->policy().value().clearing_with(t.a_node)->ours.limited);
}

TEST_CASE("clearing limit: refused at the sender once its node recorded it, with what is left") {
  TwoCoops t;
  // Before any limit, A's members send freely.
  REQUIRE(t.send(60).ok());
  auto set = t.b.submit("ada", ClearingLimit{t.a_node, {true, -100}});
  REQUIRE(set.ok());
  // A has not fetched it yet: nothing to record, and the next transfer passes.
  CHECK_FALSE(t.ra->unrecorded_clearing_limit(t.b_node).value().has_value());
  REQUIRE(t.send(10).ok());
  t.b_to_a();
  auto limit = t.ra->unrecorded_clearing_limit(t.b_node);
  REQUIRE(limit.ok());
  REQUIRE(limit->has_value());
  CHECK((*limit)->peer == t.b_node);
  CHECK((*limit)->origin == set.id);
  CHECK((*limit)->origin_seq == set.seq);
  CHECK((*limit)->floor == ClearingFloor{true, -100});
  // Only A's node records it, once.
  CHECK(t.a.submit("dan", **limit).code == Code::not_permitted);
  REQUIRE(t.record_b_limit().ok());
  CHECK_FALSE(t.ra->unrecorded_clearing_limit(t.b_node).value().has_value());
  CHECK(t.a.submit("node", **limit).code == Code::already_exists);

  // A owes B 70: 30 are left.
  CHECK(t.a_owes() == 70);
  SubmitResult over = t.send(31);
  CHECK(over.code == Code::floor_breached);
  CHECK(over.message.find("at most 100 minutes") != std::string::npos);
  CHECK(over.message.find("owes it 70 now, so 30 minutes are left") != std::string::npos);
  CHECK(t.a.balance("dan").balance_minutes == 240 - 70);  // nothing moved
  REQUIRE(t.send(30).ok());
  CHECK(t.send(1).code == Code::floor_breached);

  // B's members spending at A lower what A owes: room again.
  auto back = t.b.submit("alice", TransferOut{t.a.key("carol"), t.a_node, 0, {}});
  CHECK(back.code == Code::bad_amount);
  t.a_to_b();
  for (const auto& in : t.rb->pending_inbound(t.a_node, 0).value())
    REQUIRE(t.b.submit("node", TransferIn{in.from_node, in.origin, in.to, in.minutes}).ok());
  REQUIRE(t.b.submit("alice", TransferOut{t.a.key("carol"), t.a_node, 20, {}}).ok());
  t.b_to_a();
  for (const auto& in : t.ra->pending_inbound(t.b_node, 0).value())
    REQUIRE(t.a.submit("node", TransferIn{in.from_node, in.origin, in.to, in.minutes}).ok());
  CHECK(t.a_owes() == 80);
  REQUIRE(t.send(20).ok());
  CHECK(t.send(1).code == Code::floor_breached);

  // B's copy of A's log replays every refusal and acceptance the same.
  t.a_to_b();
  CHECK(t.rb->log_state(t.a_node).value().size == t.a.ledger->log_size());
}

TEST_CASE("clearing limit: lowered while credits were on their way, B still records them; A then stops") {
  TwoCoops t;
  REQUIRE(t.b.submit("ada", ClearingLimit{t.a_node, {true, -100}}).ok());
  t.b_to_a();
  REQUIRE(t.record_b_limit().ok());
  REQUIRE(t.send(90).ok());
  // B lowers the limit to 50 before A has seen it; A's 90 arrive anyway.
  REQUIRE(t.b.submit("ada", ClearingLimit{t.a_node, {true, -50}}).ok());
  t.a_to_b();
  auto inbound = t.rb->pending_inbound(t.a_node, 0).value();
  REQUIRE(inbound.size() == 1);
  REQUIRE(t.b.submit("node", TransferIn{t.a_node, inbound[0].origin, t.b.key("alice"), 90}).ok());
  CHECK(t.b.ledger->balance(AccountId::clearing(t.a_node)).value().balance_minutes == -90);
  // Once A records the lower limit it is over it: nothing more goes.
  t.b_to_a();
  REQUIRE(t.record_b_limit().ok());
  SubmitResult over = t.send(1);
  CHECK(over.code == Code::floor_breached);
  CHECK(over.message.find("so 0 minutes are left") != std::string::npos);
  // Removing the limit lets transfers go again.
  REQUIRE(t.b.submit("ada", ClearingLimit{t.a_node, {false, 0}}).ok());
  t.b_to_a();
  REQUIRE(t.record_b_limit().ok());
  CHECK(t.send(60).ok());
}

TEST_CASE("clearing limit: a recorded limit never goes back to an older one") {
  TwoCoops t;
  auto first = t.b.submit("ada", ClearingLimit{t.a_node, {true, -100}});
  auto second = t.b.submit("ada", ClearingLimit{t.a_node, {true, -300}});
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(t.a.submit("node", ClearingLimitPeer{t.b_node, second.id, second.seq, {true, -300}}).ok());
  CHECK(t.a.submit("node", ClearingLimitPeer{t.b_node, first.id, first.seq, {true, -100}}).code ==
        Code::already_exists);
  CHECK(t.a.submit("node", ClearingLimitPeer{t.b_node, {}, 0, {true, -100}}).code == Code::malformed);
  CHECK(t.a.submit("node", ClearingLimitPeer{t.a_node, second.id, 99, {true, -100}}).code == Code::malformed);
  CHECK(t.a.ledger->policy().value().clearing_with(t.b_node)->theirs == ClearingFloor{true, -300});
}

TEST_CASE("clearing limit: hours a volunteer of the other co-op gave here are confirmed within it too") {
  TwoCoops t;
  REQUIRE(t.b.submit("ada", ClearingLimit{t.a_node, {true, -60}}).ok());
  t.b_to_a();
  REQUIRE(t.record_b_limit().ok());
  // Alice of B helped Carol of A for 90 minutes; Carol would pay B's clearing account.
  REQUIRE(t.a.submit("node", PolicySet{{PolicySetting{PolicyTarget::role_floor, role_carer, -600, {}}}}).ok());
  auto logged = t.a.submit("dan", RemoteHoursLog{t.b.key("alice"), t.b_node, t.a.hours("carol", 90)});
  REQUIRE_MESSAGE(logged.ok(), logged.message);
  SubmitResult confirmed = t.a.submit("carol", HoursConfirm{logged.id});
  CHECK(confirmed.code == Code::floor_breached);
  CHECK(confirmed.message.find("the volunteer's co-op lets this co-op owe it at most 60 minutes") !=
        std::string::npos);
  auto small = t.a.submit("dan", RemoteHoursLog{t.b.key("alice"), t.b_node, t.a.hours("carol", 60)});
  REQUIRE(small.ok());
  CHECK(t.a.submit("carol", HoursConfirm{small.id}).ok());
}

TEST_CASE("clearing limit: the policy row with limits rebuilds bit for bit, and audit agrees") {
  TwoCoops t;
  REQUIRE(t.b.submit("ada", ClearingLimit{t.a_node, {true, -100}}).ok());
  t.b_to_a();
  REQUIRE(t.record_b_limit().ok());
  REQUIRE(t.send(100).ok());
  CHECK(t.send(1).code == Code::floor_breached);
  for (test::TestLedger* coop : {&t.a, &t.b}) {
    const Hash32 before = coop->ledger->state_digest().value();
    t.ra.reset();
    t.rb.reset();
    coop->ledger.reset();
    auto audit = audit_store(*coop->store);
    REQUIRE(audit.ok());
    CHECK(audit->passed);
    auto rebuilt = reindex(*coop->store, coop->clock);
    REQUIRE(rebuilt.ok());
    CHECK(rebuilt->digest_before == before);
    CHECK(rebuilt->digest_after == before);
    coop->reopen();
  }
  // After the rebuild the limit still holds at A.
  CHECK(t.a.ledger->policy().value().clearing_with(t.b_node)->theirs == ClearingFloor{true, -100});
  CHECK(t.send(1).code == Code::floor_breached);
}

}  // namespace cohours
