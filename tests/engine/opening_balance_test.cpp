// balance.open (docs/moving-from-timeoverflow.md): a balance brought over
// from another time bank, signed by an admin, citing the file it came from.
#include <doctest/doctest.h>

#include "cohours/audit.h"
#include "cohours/ledger.h"

#include "test_support.h"

using namespace cohours;
using cohours::test::TestLedger;

namespace {

struct OpeningCoop : TestLedger {
  OpeningCoop() {
    add_member("ann", role_admin);
    add_member("cora", role_coordinator);
    add_member("vic", role_volunteer);
    add_member("carl", role_carer);
  }
  Hash32 file = blake2b_256(std::string("N,Name,...\n1,Vic,...\n"));
  BalanceOpen opening(const std::string& who, std::int64_t minutes, std::uint32_t row = 1) {
    return BalanceOpen{key(who), minutes, file, row};
  }
};

}  // namespace

TEST_CASE("an opening balance posts between the pool and the member, both ways, and balances stay at zero sum") {
  OpeningCoop coop;
  auto credit = coop.submit("ann", coop.opening("vic", 750));
  REQUIRE(credit.ok());
  CHECK(coop.balance("vic").balance_minutes == 750);
  auto debt = coop.submit("ann", coop.opening("carl", -135, 2));
  REQUIRE(debt.ok());
  CHECK(coop.balance("carl").balance_minutes == -135);
  CHECK(coop.ledger->balance(AccountId::pool(coop.node.public_key)).value().balance_minutes == -750 + 135);
  CHECK(coop.sum_of_balances() == 0);

  auto movement = coop.ledger->movement(credit.id);
  REQUIRE(movement.ok());
  CHECK(movement->kind == MovementKind::opening);
  CHECK(movement->status == MovementStatus::posted);
  CHECK_FALSE(is_help(movement->kind));
  CHECK(coop.ledger->opening_of(coop.key("vic")).value() == std::optional<EntryId>(credit.id));
}

TEST_CASE("no floor applies: a debt brought over may be below the carer's floor") {
  OpeningCoop coop;
  PolicySetting floor;
  floor.target = PolicyTarget::role_floor;
  floor.subject = role_carer;
  floor.amount = -600;
  REQUIRE(coop.submit("ann", PolicySet{{floor}}).ok());
  CHECK(coop.submit("ann", coop.opening("carl", -900)).ok());
  CHECK(coop.balance("carl").balance_minutes == -900);
}

TEST_CASE("who may bring a balance over, and what it must say") {
  OpeningCoop coop;
  SUBCASE("only an admin, in their own name") {
    auto r = coop.submit("cora", coop.opening("vic", 60));
    CHECK(r.code == Code::not_permitted);
    CHECK(r.message.find("admin") != std::string::npos);
    CHECK(coop.submit("vic", coop.opening("vic", 60)).code == Code::not_permitted);
    CHECK(coop.submit("ann", coop.opening("vic", 60), coop.key("cora")).code == Code::not_permitted);
  }
  SUBCASE("for a member of this co-op") {
    BalanceOpen stranger{cohours::test::seeded_key(99).public_key, 60, coop.file, 1};
    CHECK(coop.submit("ann", stranger).code == Code::unknown_member);
  }
  SUBCASE("citing a file") {
    BalanceOpen uncited = coop.opening("vic", 60);
    uncited.source_digest = {};
    CHECK(coop.submit("ann", uncited).code == Code::malformed);
  }
  SUBCASE("within 10,000 hours either way") {
    CHECK(coop.submit("ann", coop.opening("vic", kMaxOpeningMinutes + 1)).code == Code::bad_amount);
    CHECK(coop.submit("ann", coop.opening("vic", -kMaxOpeningMinutes - 1)).code == Code::bad_amount);
    CHECK(coop.submit("ann", coop.opening("vic", kMaxOpeningMinutes)).ok());
  }
  CHECK(coop.sum_of_balances() == 0);
}

TEST_CASE("one standing opening balance per member; a reversed one may be replaced") {
  OpeningCoop coop;
  auto first = coop.submit("ann", coop.opening("vic", 300));
  REQUIRE(first.ok());
  auto again = coop.submit("ann", coop.opening("vic", 400, 7));
  CHECK(again.code == Code::already_exists);
  CHECK(again.message.find("reverses it") != std::string::npos);
  CHECK(coop.balance("vic").balance_minutes == 300);

  // A zero balance is recorded too, and counts as the member's one.
  REQUIRE(coop.submit("ann", coop.opening("carl", 0, 2)).ok());
  CHECK(coop.balance("carl").balance_minutes == 0);
  CHECK(coop.submit("ann", coop.opening("carl", 30, 3)).code == Code::already_exists);

  REQUIRE(coop.submit("ann", Reversal{first.id, {}}).ok());
  CHECK(coop.balance("vic").balance_minutes == 0);
  auto corrected = coop.submit("ann", coop.opening("vic", 400, 7));
  REQUIRE(corrected.ok());
  CHECK(coop.balance("vic").balance_minutes == 400);
  CHECK(coop.ledger->opening_of(coop.key("vic")).value() == std::optional<EntryId>(corrected.id));
  CHECK(coop.sum_of_balances() == 0);
}

TEST_CASE("an opening balance is not hours: it cannot be confirmed or voided") {
  OpeningCoop coop;
  auto opened = coop.submit("ann", coop.opening("vic", 90));
  REQUIRE(opened.ok());
  CHECK(coop.submit("cora", HoursConfirm{opened.id}).code == Code::unknown_entry);
  CHECK(coop.submit("cora", HoursVoid{opened.id, {}}).code == Code::unknown_entry);
}

TEST_CASE("opening balances replay: audit passes, and a forged openings row is caught") {
  OpeningCoop coop;
  REQUIRE(coop.submit("ann", coop.opening("vic", 90)).ok());
  REQUIRE(coop.submit("ann", coop.opening("carl", 0, 2)).ok());
  auto report = audit_store(*coop.store);
  REQUIRE(report.ok());
  CHECK(report->passed);

  // Someone edits the store to hide carl's opening balance.
  auto rows = coop.log_rows();
  WriteBatch forge;
  const PublicKey carl = coop.key("carl");
  forge.erase(Column::openings, std::string(reinterpret_cast<const char*>(carl.bytes.data()), carl.bytes.size()));
  REQUIRE(rows->write(forge, Durability::synced).ok());
  auto after = audit_store(*coop.store);
  REQUIRE(after.ok());
  CHECK_FALSE(after->passed);
  CHECK(after->failure.find("openings") != std::string::npos);
}
