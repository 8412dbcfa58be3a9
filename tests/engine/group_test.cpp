// Group sessions (hours.group, docs/decisions.md "Group sessions"): one
// entry, several legs; who may sign; every rule of hours.log per leg; how
// the cost is shared in whole minutes; confirmation by a coordinator or
// by each member helped; voids; replay to the same state.
#include <doctest/doctest.h>

#include <numeric>

#include "cohours/audit.h"
#include "cohours/ledger.h"

#include "test_support.h"

using namespace cohours;
using cohours::test::TestLedger;

namespace {

// vic and val volunteer, cora coordinates, ann administers; s1..s7 are
// service users; c1..c3 are carers who pay for their own help.
struct GroupCoop : TestLedger {
  GroupCoop() {
    add_member("vic", role_volunteer);
    add_member("val", role_volunteer);
    add_member("cora", role_coordinator);
    add_member("ann", role_admin);
    for (int i = 1; i <= 7; ++i) add_member("s" + std::to_string(i), role_service_user);
    for (int i = 1; i <= 3; ++i) add_member("c" + std::to_string(i), role_carer);
  }
  GroupHours session(std::vector<std::pair<std::string, std::int64_t>> volunteers,
                     std::vector<std::string> recipients, Payer payer = Payer::pool,
                     std::string category = "befriending") {
    GroupHours g;
    for (const auto& [name, minutes] : volunteers) g.providers.push_back({key(name), minutes});
    for (const auto& name : recipients) g.recipients.push_back(key(name));
    g.payer = payer;
    g.category = std::move(category);
    g.date_days = today();
    return g;
  }
  std::vector<Movement> legs(const EntryId& id) {
    auto found = ledger->group_legs(id);
    REQUIRE(found.ok());
    return found.value();
  }
  static std::int64_t total(const std::vector<Movement>& legs, MovementStatus status) {
    std::int64_t sum = 0;
    for (const auto& leg : legs)
      if (leg.status == status) sum += leg.minutes;
    return sum;
  }
};

std::vector<std::string> names(const std::string& prefix, int count) {
  std::vector<std::string> out;
  for (int i = 1; i <= count; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("group shares: 60 minutes shared by 7 members, the remainder dealt in entry order") {
  GroupCoop coop;
  GroupHours g = coop.session({{"vic", 60}}, names("c", 3), Payer::recipient);
  g.recipients.clear();
  for (int i = 0; i < 7; ++i) g.recipients.push_back(test::seeded_key(static_cast<std::uint8_t>(150 + i)).public_key);
  std::vector<std::int64_t> shares;
  for (std::size_t r = 0; r < 7; ++r) shares.push_back(group_leg_minutes(g, r, 0));
  // 60 = 7 x 8 + 4: the first four in the entry pay 9, the other three 8.
  CHECK(shares == std::vector<std::int64_t>{9, 9, 9, 9, 8, 8, 8});
  CHECK(std::accumulate(shares.begin(), shares.end(), std::int64_t{0}) == 60);

  // A second volunteer's left-over minutes continue where the first's stopped.
  g.providers.push_back({coop.key("val"), 10});  // 10 = 7 x 1 + 3: recipients 5, 6, 7 pay the extra
  std::vector<std::int64_t> second;
  for (std::size_t r = 0; r < 7; ++r) second.push_back(group_leg_minutes(g, r, 1));
  CHECK(second == std::vector<std::int64_t>{1, 1, 1, 1, 2, 2, 2});
  // Every member's total is within a minute of every other's: 10 or 11.
  for (std::size_t r = 0; r < 7; ++r) CHECK((shares[r] + second[r] == 10 || shares[r] + second[r] == 11));
  CHECK(group_leg_count(g) == 14);
  // Legs have ids of their own, distinct for each leg and each session.
  CHECK(group_leg_id(EntryId{}, 0) != group_leg_id(EntryId{}, 1));
}

TEST_CASE("a lunch club paid by the pool: one entry, one leg per member, each volunteer earns the session once") {
  GroupCoop coop;
  auto logged = coop.submit("cora", coop.session({{"vic", 120}, {"val", 120}}, names("s", 6)));
  REQUIRE(logged.ok());
  auto legs = coop.legs(logged.id);
  REQUIRE(legs.size() == 12);
  for (const auto& leg : legs) {
    CHECK(leg.minutes == 20);
    CHECK(leg.status == MovementStatus::pending);
    CHECK(leg.payer == coop.ledger->pool_account());
    CHECK(leg.group == logged.id);
    CHECK(leg.group_providers == 2);
    CHECK(leg.group_recipients == 6);
  }
  // Leg order: recipient-major, the volunteers in entry order.
  CHECK(legs[0].provider == coop.key("vic"));
  CHECK(legs[1].provider == coop.key("val"));
  CHECK(legs[2].recipient == coop.key("s2"));
  CHECK(coop.balance("vic").pending_in_minutes == 120);
  CHECK(coop.balance("pool").pending_out_minutes == 240);
  // Not a movement of its own: confirming names the session.
  CHECK(coop.ledger->movement(logged.id).status().code() == Code::unknown_entry);

  SUBCASE("a coordinator's confirmation posts every leg") {
    auto confirmed = coop.submit("cora", HoursConfirm{logged.id});
    REQUIRE(confirmed.ok());
    CHECK(coop.balance("vic").balance_minutes == 120);
    CHECK(coop.balance("val").balance_minutes == 120);
    CHECK(coop.balance("pool").balance_minutes == -240);
    CHECK(coop.balance("pool").pending_out_minutes == 0);
    CHECK(GroupCoop::total(coop.legs(logged.id), MovementStatus::posted) == 240);
    // The pool's statement has one posting per leg, none overwritten.
    CHECK(coop.ledger->postings(coop.ledger->pool_account()).value().size() == 12);
    CHECK(coop.ledger->postings(coop.account("vic")).value().size() == 6);
    CHECK(coop.submit("cora", HoursConfirm{logged.id}).code == Code::wrong_state);
    CHECK(coop.submit("cora", HoursVoid{logged.id, {}}).code == Code::wrong_state);
  }
  SUBCASE("a member helped confirms their own share; the rest stays pending") {
    REQUIRE(coop.submit("s3", HoursConfirm{logged.id}).ok());
    auto after = coop.legs(logged.id);
    for (const auto& leg : after)
      CHECK(leg.status == (leg.recipient == coop.key("s3") ? MovementStatus::posted : MovementStatus::pending));
    CHECK(coop.balance("vic").balance_minutes == 20);
    CHECK(coop.balance("vic").pending_in_minutes == 100);
    CHECK(coop.submit("s3", HoursConfirm{logged.id}).code == Code::wrong_state);
    // A coordinator then posts what is left, and only that.
    REQUIRE(coop.submit("cora", HoursConfirm{logged.id}).ok());
    CHECK(coop.balance("vic").balance_minutes == 120);
    CHECK(coop.balance("pool").balance_minutes == -240);
  }
  SUBCASE("a coordinator may confirm one member's share on their behalf") {
    REQUIRE(coop.submit("cora", HoursConfirm{logged.id}, coop.key("s1")).ok());
    CHECK(GroupCoop::total(coop.legs(logged.id), MovementStatus::posted) == 40);
  }
  SUBCASE("the volunteers and strangers to the session do not confirm it") {
    CHECK(coop.submit("vic", HoursConfirm{logged.id}).code == Code::not_permitted);
    CHECK(coop.submit("s7", HoursConfirm{logged.id}).code == Code::not_permitted);
    CHECK(coop.submit("c1", HoursConfirm{logged.id}).code == Code::not_permitted);
  }
  SUBCASE("a leg's own id is refused: the session is confirmed by its id") {
    auto r = coop.submit("s1", HoursConfirm{legs[0].id});
    CHECK(r.code == Code::unknown_entry);
    CHECK(r.message.find("one leg of group session") != std::string::npos);
  }
  SUBCASE("a void by a volunteer voids every pending leg; confirmed shares stay") {
    REQUIRE(coop.submit("s1", HoursConfirm{logged.id}).ok());
    REQUIRE(coop.submit("val", HoursVoid{logged.id, {}}).ok());
    auto after = coop.legs(logged.id);
    CHECK(GroupCoop::total(after, MovementStatus::posted) == 40);
    CHECK(GroupCoop::total(after, MovementStatus::voided) == 200);
    CHECK(coop.balance("vic").pending_in_minutes == 0);
    CHECK(coop.balance("pool").pending_out_minutes == 0);
  }
  SUBCASE("a member helped voids only their own share") {
    REQUIRE(coop.submit("s2", HoursVoid{logged.id, {}}).ok());
    CHECK(GroupCoop::total(coop.legs(logged.id), MovementStatus::voided) == 40);
    CHECK(coop.submit("s2", HoursConfirm{logged.id}).code == Code::wrong_state);
  }
  SUBCASE("an admin reverses the posted legs at once") {
    REQUIRE(coop.submit("cora", HoursConfirm{logged.id}).ok());
    REQUIRE(coop.submit("ann", Reversal{logged.id, {}}).ok());
    CHECK(coop.balance("vic").balance_minutes == 0);
    CHECK(coop.balance("pool").balance_minutes == 0);
    CHECK(GroupCoop::total(coop.legs(logged.id), MovementStatus::reversed) == 240);
  }
}

TEST_CASE("members sharing the cost: 60 minutes for 7 carers... and floors per payer") {
  GroupCoop coop;
  for (int i = 4; i <= 7; ++i) coop.add_member("c" + std::to_string(i), role_carer);
  PolicySetting floor;
  floor.target = PolicyTarget::role_floor;
  floor.subject = role_carer;
  floor.amount = -60;
  REQUIRE(coop.submit("ann", test::policy_of(floor)).ok());
  auto logged = coop.submit("vic", coop.session({{"vic", 60}}, names("c", 7), Payer::recipient));
  REQUIRE(logged.ok());
  auto legs = coop.legs(logged.id);
  REQUIRE(legs.size() == 7);
  std::vector<std::int64_t> shares;
  for (const auto& leg : legs) {
    CHECK(leg.payer.kind == AccountKind::member);
    CHECK(leg.payer.key == leg.recipient);
    shares.push_back(leg.minutes);
  }
  CHECK(shares == std::vector<std::int64_t>{9, 9, 9, 9, 8, 8, 8});
  CHECK(coop.balance("c1").pending_out_minutes == 9);
  CHECK(coop.balance("c7").pending_out_minutes == 8);

  SUBCASE("each carer confirms and pays their share") {
    for (int i = 1; i <= 7; ++i) REQUIRE(coop.submit("c" + std::to_string(i), HoursConfirm{logged.id}).ok());
    CHECK(coop.balance("vic").balance_minutes == 60);
    CHECK(coop.balance("c1").balance_minutes == -9);
    CHECK(coop.balance("c5").balance_minutes == -8);
  }
  SUBCASE("a payer's floor is checked against everything it pays at once") {
    REQUIRE(coop.submit("c1", Transfer{coop.key("vic"), 55, {}}).ok());  // c1 at -55: 9 more is under -60
    auto r = coop.submit("cora", HoursConfirm{logged.id});
    CHECK(r.code == Code::floor_breached);
    // Refused as a whole: nothing posted for anyone.
    CHECK(GroupCoop::total(coop.legs(logged.id), MovementStatus::posted) == 0);
    CHECK(coop.balance("vic").balance_minutes == 55);
    // The others confirm their own shares; c1's stays pending.
    REQUIRE(coop.submit("c2", HoursConfirm{logged.id}).ok());
    CHECK(coop.submit("c1", HoursConfirm{logged.id}).code == Code::floor_breached);
  }
}

TEST_CASE("the pool's floor holds for a whole group confirmation") {
  GroupCoop coop;
  PolicySetting floor;
  floor.target = PolicyTarget::pool_floor;
  floor.amount = -100;
  REQUIRE(coop.submit("ann", test::policy_of(floor)).ok());
  auto logged = coop.submit("cora", coop.session({{"vic", 60}, {"val", 60}}, names("s", 3)));
  REQUIRE(logged.ok());
  CHECK(coop.submit("cora", HoursConfirm{logged.id}).code == Code::floor_breached);
  // One member's share (40 minutes) fits under the floor.
  CHECK(coop.submit("s1", HoursConfirm{logged.id}).ok());
  CHECK(coop.balance("pool").balance_minutes == -40);
}

TEST_CASE("community group work: no recipients, the pool pays each volunteer whole, a coordinator confirms") {
  GroupCoop coop;
  auto logged = coop.submit("vic", coop.session({{"vic", 90}, {"val", 45}}, {}, Payer::pool, "gardening"));
  REQUIRE(logged.ok());
  auto legs = coop.legs(logged.id);
  REQUIRE(legs.size() == 2);
  CHECK(legs[0].minutes == 90);
  CHECK(legs[1].minutes == 45);
  CHECK(legs[0].recipient.is_zero());
  CHECK(coop.submit("s1", HoursConfirm{logged.id}).code == Code::not_permitted);
  REQUIRE(coop.submit("cora", HoursConfirm{logged.id}).ok());
  CHECK(coop.balance("val").balance_minutes == 45);
  CHECK(coop.balance("pool").balance_minutes == -135);
  GroupHours paid_by_members = coop.session({{"vic", 90}}, {}, Payer::recipient);
  CHECK(coop.submit("vic", paid_by_members).code == Code::malformed);
}

TEST_CASE("group sessions meet every rule of hours.log, for every leg") {
  GroupCoop coop;
  SUBCASE("who signs: a coordinator, or one of the volunteers") {
    CHECK(coop.submit("vic", coop.session({{"vic", 60}, {"val", 60}}, names("s", 2))).ok());
    CHECK(coop.submit("ann", coop.session({{"vic", 60}}, names("s", 2))).code == Code::not_permitted);
    CHECK(coop.submit("s1", coop.session({{"vic", 60}}, {"s2"})).code == Code::not_permitted);
    // On behalf: only a coordinator, and only for one of the volunteers.
    CHECK(coop.submit("cora", coop.session({{"vic", 60}}, {"s2"}), coop.key("vic")).ok());
    CHECK(coop.submit("cora", coop.session({{"vic", 60}}, {"s2"}), coop.key("s2")).code == Code::not_permitted);
    CHECK(coop.submit("val", coop.session({{"vic", 60}}, {"s2"}), coop.key("vic")).code == Code::not_permitted);
  }
  SUBCASE("duplicate keys, and a volunteer who is also helped") {
    auto twice = coop.submit("cora", coop.session({{"vic", 60}, {"vic", 30}}, {"s1"}));
    CHECK(twice.code == Code::malformed);
    CHECK(twice.message.find("listed twice") != std::string::npos);
    CHECK(coop.submit("cora", coop.session({{"vic", 60}}, {"s1", "s1"})).code == Code::malformed);
    GroupHours self = coop.session({{"vic", 60}, {"val", 60}}, {"s1"});
    self.recipients.push_back(coop.key("val"));
    self.payer = Payer::pool;
    auto r = coop.submit("cora", self);
    CHECK(r.code == Code::not_permitted);
    CHECK(r.message.find("as a volunteer and as a recipient") != std::string::npos);
  }
  SUBCASE("too many legs, and no volunteer") {
    GroupHours big = coop.session({}, {});
    for (int i = 0; i < 9; ++i) big.providers.push_back({test::seeded_key(static_cast<std::uint8_t>(100 + i)).public_key, 60});
    for (int i = 0; i < 30; ++i) big.recipients.push_back(test::seeded_key(static_cast<std::uint8_t>(120 + i)).public_key);
    auto r = coop.submit("cora", big);  // 9 x 30 = 270 legs
    CHECK(r.code == Code::limit_reached);
    CHECK(r.message.find("at most 256") != std::string::npos);
    CHECK(coop.submit("cora", coop.session({}, {"s1"})).code == Code::malformed);
    // The entry at its bounds (32 volunteers, 8 members) stays under the size limit.
    GroupHours wide = coop.session({}, {});
    for (int i = 0; i < 32; ++i) wide.providers.push_back({test::seeded_key(static_cast<std::uint8_t>(100 + i)).public_key, 60});
    for (int i = 0; i < 32; ++i) wide.recipients.push_back(test::seeded_key(static_cast<std::uint8_t>(140 + i)).public_key);
    CHECK(coop.make("cora", wide).bytes.size() < kMaxEntryBytes);
    wide.providers.push_back({test::seeded_key(99).public_key, 60});
    CHECK_THROWS_AS(coop.make("cora", wide), std::length_error);
  }
  SUBCASE("members, roles and who pays") {
    GroupHours stranger = coop.session({{"vic", 60}}, {"s1"});
    stranger.recipients.push_back(test::seeded_key(77).public_key);
    CHECK(coop.submit("cora", stranger).code == Code::unknown_member);
    CHECK(coop.submit("cora", coop.session({{"cora", 60}}, {"s1"})).code == Code::not_permitted);
    // The pool pays for service users only; service users never pay.
    CHECK(coop.submit("cora", coop.session({{"vic", 60}}, {"s1", "c1"})).code == Code::not_permitted);
    CHECK(coop.submit("cora", coop.session({{"vic", 60}}, {"s1", "c1"}, Payer::recipient)).code ==
          Code::not_permitted);
  }
  SUBCASE("minutes, categories and dates") {
    CHECK(coop.submit("cora", coop.session({{"vic", 0}}, {"s1"})).code == Code::bad_amount);
    CHECK(coop.submit("cora", coop.session({{"vic", 60}, {"val", 13 * 60}}, {"s1"})).code == Code::bad_amount);
    auto thin = coop.submit("cora", coop.session({{"vic", 5}}, names("s", 6)));
    CHECK(thin.code == Code::bad_amount);
    CHECK(thin.message.find("at least one minute") != std::string::npos);
    CHECK(coop.submit("cora", coop.session({{"vic", 60}}, {"s1"}, Payer::pool, "knitting")).code ==
          Code::unknown_category);
    GroupHours ahead = coop.session({{"vic", 60}}, {"s1"});
    ahead.date_days = coop.today() + 5;
    CHECK(coop.submit("cora", ahead).code == Code::bad_date);
  }
}

TEST_CASE("vetting is checked for every volunteer of a group session, on the day of the help") {
  GroupCoop coop;
  PolicySetting vetted;
  vetted.target = PolicyTarget::vetted_categories;
  vetted.categories = {"respite"};
  REQUIRE(coop.submit("ann", PolicySet{{vetted}}).ok());
  const std::int32_t day = coop.today() - 3;
  REQUIRE(coop.submit("cora", VettingRecord{coop.key("vic"), VettingKind::dbs_enhanced_barred, day - 300, day + 300, {}})
              .ok());
  GroupHours respite = coop.session({{"vic", 120}, {"val", 120}}, names("c", 3), Payer::recipient, "respite");
  respite.date_days = day;
  auto r = coop.submit("cora", respite);
  CHECK(r.code == Code::not_vetted);
  CHECK(coop.balance("vic").pending_in_minutes == 0);  // nothing written for the vetted one either
  // val's check expired the day before the session: still refused.
  REQUIRE(coop.submit("cora", VettingRecord{coop.key("val"), VettingKind::dbs_enhanced_barred, day - 300, day - 1, {}})
              .ok());
  r = coop.submit("cora", respite);
  CHECK(r.code == Code::not_vetted);
  CHECK(r.message.find("expired on") != std::string::npos);
  REQUIRE(coop.submit("cora", VettingRecord{coop.key("val"), VettingKind::dbs_enhanced_barred, day, day + 300, {}})
              .ok());
  CHECK(coop.submit("cora", respite).ok());
}

TEST_CASE("a group session encodes, decodes and replays to the same state") {
  GroupCoop coop;
  GroupHours g = coop.session({{"vic", 120}, {"val", 90}}, names("s", 6));
  SignedEntry made = coop.make("cora", g);
  auto decoded = decode_entry(made.bytes);
  REQUIRE(decoded.ok());
  CHECK(decoded->entry.kind() == EntryKind::hours_group);
  CHECK(std::string(kind_name(EntryKind::hours_group)) == "hours.group");
  const auto& back = std::get<GroupHours>(decoded->entry.body);
  CHECK(back.providers.size() == 2);
  CHECK(back.providers[1].minutes == 90);
  CHECK(back.recipients == g.recipients);
  // A category outside [a-z0-9-] does not decode.
  GroupHours bad = g;
  bad.category = "Lunch";
  CHECK(decode_entry(coop.make("cora", bad).bytes).status().code() == Code::malformed);

  REQUIRE(coop.ledger->submit_one(made.bytes).ok());
  REQUIRE(coop.submit("s2", HoursConfirm{made.id}).ok());
  REQUIRE(coop.submit("s4", HoursVoid{made.id, {}}).ok());
  auto other = coop.submit("vic", coop.session({{"vic", 60}}, {}, Payer::pool, "gardening"));
  REQUIRE(other.ok());
  REQUIRE(coop.submit("cora", HoursConfirm{other.id}).ok());
  const Hash32 before = coop.ledger->state_digest().value();
  coop.ledger.reset();
  auto audit = audit_store(*coop.store);
  REQUIRE(audit.ok());
  CHECK(audit->passed);
  auto rebuilt = reindex(*coop.store, coop.clock);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->digest_before == before);
  CHECK(rebuilt->digest_after == before);
  coop.reopen();
  CHECK(coop.legs(made.id).size() == 12);
  CHECK(coop.balance("vic").balance_minutes == 20 + 60);  // s2's share of vic's 120, and the gardening
}
