// Safeguarding checks (docs/safeguarding.md): who records and withdraws
// them, and the help that needs one current on the day it is given.
#include <doctest/doctest.h>

#include "cohours/audit.h"
#include "cohours/ledger.h"

#include "test_support.h"

using namespace cohours;
using cohours::test::TestLedger;

namespace {

// vic volunteers, carl is a carer, cora coordinates, ann administers, sue
// is a service user.
struct VettingCoop : TestLedger {
  VettingCoop() {
    add_member("vic", role_volunteer);
    add_member("carl", role_carer);
    add_member("cora", role_coordinator);
    add_member("ann", role_admin);
    add_member("sue", role_service_user);
    add_member("val", role_volunteer);
  }
  SubmitResult need_vetting_for(std::vector<std::string> categories) {
    PolicySetting setting;
    setting.target = PolicyTarget::vetted_categories;
    setting.categories = std::move(categories);
    return submit("ann", PolicySet{{setting}});
  }
  VettingRecord check(const std::string& volunteer, std::int32_t from, std::int32_t to) {
    return VettingRecord{key(volunteer), VettingKind::dbs_enhanced_barred, from, to, {}};
  }
  EntryId request_respite(std::int32_t day) {
    auto r = submit("carl", RespiteRequest{120, day, {}});
    REQUIRE(r.ok());
    return r.id;
  }
};

}  // namespace

TEST_CASE("with no vetting policy (logs from before vetting), nothing needs a check") {
  VettingCoop coop;
  CHECK(coop.ledger->policy().value().vetted_categories.empty());
  CHECK(coop.submit("vic", RespiteOffer{coop.request_respite(coop.today() + 3)}).ok());
}

TEST_CASE("respite and listed categories need a check current on the day of the help") {
  VettingCoop coop;
  REQUIRE(coop.need_vetting_for({"respite", "shopping"}).ok());
  const std::int32_t day = coop.today() + 10;
  const EntryId request = coop.request_respite(day);

  SUBCASE("no check: refused, and the request stays open") {
    auto r = coop.submit("vic", RespiteOffer{request});
    CHECK(r.code == Code::not_vetted);
    CHECK(r.message.find("no safeguarding check") != std::string::npos);
    CHECK(r.message.find("vetting record") != std::string::npos);
    CHECK(coop.ledger->respite_request(request).value().status == RequestStatus::open);
    CHECK(coop.balance("vic").pending_in_minutes == 0);
  }
  SUBCASE("a current check lets the offer through") {
    REQUIRE(coop.submit("cora", coop.check("vic", coop.today() - 100, day + 365)).ok());
    CHECK(coop.submit("vic", RespiteOffer{request}).ok());
  }
  SUBCASE("a check that expires before the day of the help does not") {
    REQUIRE(coop.submit("cora", coop.check("vic", coop.today() - 100, day - 1)).ok());
    auto r = coop.submit("vic", RespiteOffer{request});
    CHECK(r.code == Code::not_vetted);
    CHECK(r.message.find("expired on") != std::string::npos);
  }
  SUBCASE("the check's last day counts") {
    REQUIRE(coop.submit("cora", coop.check("vic", coop.today() - 100, day)).ok());
    CHECK(coop.submit("vic", RespiteOffer{request}).ok());
  }
  SUBCASE("another volunteer's check does not count") {
    REQUIRE(coop.submit("cora", coop.check("val", coop.today() - 100, day + 365)).ok());
    CHECK(coop.submit("vic", RespiteOffer{request}).code == Code::not_vetted);
  }
  SUBCASE("a withdrawn check does not count") {
    auto recorded = coop.submit("cora", coop.check("vic", coop.today() - 100, day + 365));
    REQUIRE(recorded.ok());
    REQUIRE(coop.submit("ann", VettingWithdraw{recorded.id, {}}).ok());
    auto r = coop.submit("vic", RespiteOffer{request});
    CHECK(r.code == Code::not_vetted);
    CHECK(r.message.find("withdrawn") != std::string::npos);
    CHECK(coop.ledger->vettings_of(coop.key("vic")).value().at(0).withdrawn);
  }
  SUBCASE("hours in a listed category are checked on their date; others are not") {
    // Help given 20 days ago, a check issued 10 days ago: not current then.
    REQUIRE(coop.submit("cora", coop.check("vic", coop.today() - 10, coop.today() + 365)).ok());
    HoursLog shopping = coop.hours("carl", 60, Payer::recipient, "shopping");
    shopping.date_days = coop.today() - 20;
    auto r = coop.submit("vic", shopping);
    CHECK(r.code == Code::not_vetted);
    CHECK(r.message.find("issued on") != std::string::npos);
    shopping.date_days = coop.today() - 5;
    CHECK(coop.submit("vic", shopping).ok());
    HoursLog gardening = coop.hours("carl", 60, Payer::recipient, "gardening");
    CHECK(coop.submit("val", gardening).ok());
  }
  SUBCASE("a coordinator logging for an unvetted volunteer is refused too") {
    auto r = coop.submit("cora", coop.hours("sue", 60, Payer::pool, "shopping"), coop.key("val"));
    CHECK(r.code == Code::not_vetted);
  }
  SUBCASE("the policy can be emptied again by an admin") {
    REQUIRE(coop.need_vetting_for({}).ok());
    CHECK(coop.submit("vic", RespiteOffer{request}).ok());
  }
}

TEST_CASE("who records and withdraws a check, and what a record may say") {
  VettingCoop coop;
  const std::int32_t today = coop.today();
  CHECK(coop.submit("cora", coop.check("vic", today - 1, today + 100)).ok());
  CHECK(coop.submit("ann", coop.check("val", today - 1, today + 100)).ok());
  CHECK(coop.submit("vic", coop.check("val", today - 1, today + 100)).code == Code::not_permitted);
  CHECK(coop.submit("carl", coop.check("vic", today - 1, today + 100)).code == Code::not_permitted);
  CHECK(coop.submit("node", coop.check("vic", today - 1, today + 100)).code == Code::unknown_member);

  SUBCASE("nobody records their own") {
    coop.add_member("cleo", role_coordinator | role_volunteer);
    CHECK(coop.submit("cleo", coop.check("cleo", today - 1, today + 100)).code == Code::not_permitted);
  }
  SUBCASE("not on behalf of someone") {
    CHECK(coop.submit("cora", coop.check("val", today - 1, today + 100), coop.key("ann")).code ==
          Code::not_permitted);
  }
  SUBCASE("dates: expiry before issue, issue in the future, before 1970") {
    CHECK(coop.submit("cora", coop.check("vic", today, today - 1)).code == Code::bad_date);
    CHECK(coop.submit("cora", coop.check("vic", today + 5, today + 100)).code == Code::bad_date);
    CHECK(coop.submit("cora", coop.check("vic", -3, today)).code == Code::bad_date);
  }
  SUBCASE("a zero key or the node's key is not a volunteer") {
    VettingRecord zero = coop.check("vic", today, today + 1);
    zero.volunteer = PublicKey{};
    CHECK(coop.submit("cora", zero).code == Code::malformed);
    VettingRecord node = coop.check("vic", today, today + 1);
    node.volunteer = coop.node.public_key;
    CHECK(coop.submit("cora", node).code == Code::malformed);
  }
  SUBCASE("withdrawing: an unknown id, twice, by a volunteer") {
    CHECK(coop.submit("cora", VettingWithdraw{EntryId{}, {}}).code == Code::unknown_entry);
    auto checks = coop.ledger->vettings_of(coop.key("vic")).value();
    REQUIRE(checks.size() == 1);
    CHECK(coop.submit("vic", VettingWithdraw{checks[0].id, {}}).code == Code::not_permitted);
    CHECK(coop.submit("cora", VettingWithdraw{checks[0].id, {}}).ok());
    CHECK(coop.submit("ann", VettingWithdraw{checks[0].id, {}}).code == Code::wrong_state);
  }
  SUBCASE("the ledger lists every check, by volunteer") {
    auto all = coop.ledger->vettings().value();
    CHECK(all.size() == 2);
    auto vic = coop.ledger->vettings_of(coop.key("vic")).value();
    REQUIRE(vic.size() == 1);
    CHECK(vic[0].checker == coop.key("cora"));
    CHECK(vic[0].expires_days == today + 100);
    CHECK(coop.ledger->vettings_of(coop.key("carl")).value().empty());
  }
  SUBCASE("at most kMaxVettingsPerVolunteer checks a volunteer") {
    for (std::size_t i = 1; i < kMaxVettingsPerVolunteer; ++i)
      REQUIRE(coop.submit("cora", coop.check("vic", today - 1, today + 100)).ok());
    CHECK(coop.submit("cora", coop.check("vic", today - 1, today + 100)).code == Code::limit_reached);
  }
}

TEST_CASE("vetting rows replay: audit passes, and a forged check in the store is caught") {
  VettingCoop coop;
  REQUIRE(coop.need_vetting_for({"respite"}).ok());
  auto recorded = coop.submit("cora", coop.check("vic", coop.today() - 1, coop.today() + 400));
  REQUIRE(recorded.ok());
  REQUIRE(coop.submit("vic", RespiteOffer{coop.request_respite(coop.today() + 2)}).ok());
  REQUIRE(coop.submit("ann", VettingWithdraw{recorded.id, {}}).ok());
  auto report = audit_store(*coop.store);
  REQUIRE(report.ok());
  CHECK(report->passed);

  // Someone edits the store to give val a check nobody signed.
  auto rows = coop.log_rows();
  WriteBatch forge;
  VettingState fake;
  fake.id = recorded.id;
  fake.volunteer = coop.key("val");
  fake.issued_days = 0;
  fake.expires_days = coop.today() + 1000;
  forge.put(Column::vettings, std::string(1, '\x01') + std::string(reinterpret_cast<const char*>(fake.volunteer.bytes.data()), 32),
            "forged");
  REQUIRE(rows->write(forge, Durability::synced).ok());
  auto after = audit_store(*coop.store);
  REQUIRE(after.ok());
  CHECK_FALSE(after->passed);
  CHECK(after->failure.find("vettings") != std::string::npos);
}
