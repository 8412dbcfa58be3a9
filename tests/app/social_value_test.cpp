// The period report's social value section, from a history driven by a
// FakeClock: volunteers join on chosen days, give help on chosen days, and
// the three-month window is checked at its edges. No expectation depends
// on the day the test runs.
#include "cohours/app/social_value.h"

#include "app_support.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/policy.h"
#include "cohours/app/reports.h"
#include "cohours/app/vetting.h"
#include "cohours/dates.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::day;
using cohours::test::TestNode;

namespace {

std::int64_t noon(const char* date) {
  return static_cast<std::int64_t>(day(date)) * 86'400'000 + 43'200'000;
}

app::SocialValueSection social(TestNode& t, const char* from, const char* to) {
  auto made = app::period_report(*t, {day(from), day(to)});
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  return made->social_value;
}

// Logs and confirms hours given on `date`, with the clock on that day.
void helped(TestNode& t, const std::string& volunteer, const std::string& to, std::int64_t minutes,
            const char* date) {
  t.clock.set_ms(noon(date));
  auto logged = app::log_hours(*t, {volunteer, "", to, minutes, "befriending", day(date), ""});
  REQUIRE_MESSAGE(logged.ok(), logged.status().message());
  // Community work is confirmed by a coordinator.
  const std::string confirmer = to == "community" ? "dave" : to;
  REQUIRE(app::confirm_hours(*t, {to_hex(logged->entry.id), confirmer}).ok());
}

void joins(TestNode& t, const std::string& alias, const char* date) {
  t.clock.set_ms(noon(date));
  t.add(alias, {"volunteer"});
}

// Four volunteers join in 2027 (alice, from 2026, is not new): erin on
// 01-05 (her third month is 03-07 to 04-05), hal on 01-20 (never helps),
// fred on 02-10 (third month 04-12 to 05-11; he helps the day before and
// the day after it), gina on 05-15 (too early by 06-30).
void history(TestNode& t) {
  app::SetPolicy floor;  // carers may go 10 hours below zero, as co-ops set it
  floor.as = "dave";
  floor.role_floor = app::RoleFloor{"carer", -600};
  REQUIRE(app::set_policy(*t, floor).ok());
  joins(t, "erin", "2027-01-05");
  helped(t, "erin", "bob", 60, "2027-01-15");  // 10 days after joining
  joins(t, "hal", "2027-01-20");
  joins(t, "fred", "2027-02-10");
  helped(t, "alice", "bob", 30, "2027-03-01");
  // erin gives carol respite on 04-05, the last day of her third month.
  t.clock.set_ms(noon("2027-04-05"));
  REQUIRE(app::record_vetting(*t, {"dave", "erin", "dbs-enhanced-barred", day("2027-01-01"), day("2029-12-31"), ""})
              .ok());
  auto request = app::request_respite(*t, {"carol", 90, day("2027-04-05"), ""});
  REQUIRE(request.ok());
  auto offer = app::offer_respite(*t, {to_hex(request->entry.id), "erin"});
  REQUIRE_MESSAGE(offer.ok(), offer.status().message());
  REQUIRE(app::confirm_hours(*t, {to_hex(offer->entry.id), "carol"}).ok());
  helped(t, "fred", "bob", 120, "2027-04-11");     // day 60: one day before his window
  helped(t, "fred", "community", 30, "2027-05-12");  // day 91: one day after it
  joins(t, "gina", "2027-05-15");
  helped(t, "gina", "carol", 45, "2027-05-20");
  // Pending and voided hours are not help given.
  t.clock.set_ms(noon("2027-06-01"));
  REQUIRE(app::log_hours(*t, {"gina", "", "bob", 240, "befriending", day("2027-06-01"), ""}).ok());
  auto voided = app::log_hours(*t, {"erin", "", "bob", 300, "befriending", day("2027-06-01"), ""});
  REQUIRE(voided.ok());
  REQUIRE(app::void_hours(*t, {to_hex(voided->entry.id), "erin", "wrong day"}).ok());
}

}  // namespace

TEST_CASE("social value: hours valued at the rate, rounded down; respite, people helped, retention, first exchanges") {
  TestNode t;  // alice, bob, carol and dave joined on 2026-11-18
  history(t);
  t.clock.set_ms(noon("2027-07-02"));
  REQUIRE(app::set_social_value_rate(*t, {"dave", 1555, "Kent County Council homecare rate 2026/27",
                                          day("2026-04-01")})
              .ok());
  const app::SocialValueSection s = social(t, "2027-01-01", "2027-06-30");
  CHECK(s.valued_minutes == 60 + 30 + 90 + 120 + 30 + 45);
  REQUIRE(s.value_pence.has_value());
  CHECK(*s.value_pence == 9718);  // 375 * 1555 / 60 = 9718.75, rounded down
  CHECK(s.respite_minutes == 90);
  CHECK(s.carers_given_respite == 1);
  CHECK(s.people_helped == 2);  // bob and carol; community work names no one
  CHECK(s.new_volunteers == 4);  // erin, hal, fred, gina
  CHECK(s.stayed_active == 1);   // erin, on day 90
  CHECK(s.not_active == 2);      // fred (days 60 and 91), hal (never)
  CHECK(s.too_early_to_tell == 1);  // gina
  CHECK(s.with_first_exchange == 3);
  CHECK(s.no_exchange_yet == 1);  // hal
  REQUIRE(s.median_days_to_first_exchange.has_value());
  CHECK(*s.median_days_to_first_exchange == 10);  // gina 5, erin 10, fred 60
  CHECK(s.rate.set);
  CHECK(s.rate.pence_per_hour == 1555);
  CHECK(s.rate.source == "Kent County Council homecare rate 2026/27");
  CHECK(s.rate.date_days == day("2026-04-01"));
  CHECK(s.rate.set_by == "dave");
  CHECK(s.rate.currency == "GBP");
  CHECK(s.no_rate_advice.empty());
  CHECK(s.estimate_statement.find("estimate") != std::string::npos);
  CHECK(s.estimate_statement.find("never in the ledger") != std::string::npos);
}

TEST_CASE("social value: the three-month window's edges decide 'too early to tell'") {
  TestNode t;
  history(t);
  // erin joined 2027-01-05: day 90 is 2027-04-05. A report ending the day
  // before cannot tell yet; one ending on it can, and she helped that day.
  app::SocialValueSection before = social(t, "2027-01-01", "2027-04-04");
  CHECK(before.new_volunteers == 3);  // erin, hal, fred
  CHECK(before.too_early_to_tell == 3);
  CHECK(before.stayed_active == 0);
  CHECK(before.not_active == 0);
  app::SocialValueSection on = social(t, "2027-01-01", "2027-04-05");
  CHECK(on.stayed_active == 1);
  CHECK(on.too_early_to_tell == 2);
  // hal's day 90 is 2027-04-20: by then he is not active.
  app::SocialValueSection later = social(t, "2027-01-01", "2027-04-20");
  CHECK(later.stayed_active == 1);
  CHECK(later.not_active == 1);
  CHECK(later.too_early_to_tell == 1);
  // First exchanges count up to the period's end: fred's 04-11 is after 04-05.
  CHECK(on.with_first_exchange == 1);
  CHECK(on.no_exchange_yet == 2);
  REQUIRE(on.median_days_to_first_exchange.has_value());
  CHECK(*on.median_days_to_first_exchange == 10);
  // Two values: the mean of the middle two, rounded down ((10 + 60) / 2).
  app::SocialValueSection two = social(t, "2027-01-01", "2027-05-01");
  CHECK(two.with_first_exchange == 2);
  CHECK(*two.median_days_to_first_exchange == 35);
}

TEST_CASE("social value: without a rate the report says how to set one instead of a zero") {
  TestNode t;
  history(t);
  const app::SocialValueSection s = social(t, "2027-01-01", "2027-06-30");
  CHECK_FALSE(s.rate.set);
  CHECK_FALSE(s.value_pence.has_value());
  CHECK(s.valued_minutes == 375);
  CHECK(s.no_rate_advice.find("cohours policy social-value --rate") != std::string::npos);
  // Every social value figure has its method among the definitions, and
  // each says which day counts.
  auto report = app::period_report(*t, {day("2027-01-01"), day("2027-06-30")});
  REQUIRE(report.ok());
  int methods = 0;
  for (const auto& d : report->definitions)
    if (d.figure.rfind("social_value_", 0) == 0) {
      ++methods;
      CAPTURE(d.figure);
      CHECK(d.definition.find("day") != std::string::npos);
    }
  CHECK(methods == 8);
}

TEST_CASE("social value rate: only an admin sets it, within bounds, and it stays off the log") {
  TestNode t;
  const std::uint64_t size_before = t.node->ledger().log_size();
  auto not_admin = app::set_social_value_rate(*t, {"alice", 1600, "council rate", day("2026-04-01")});
  CHECK(not_admin.code() == Code::not_permitted);
  CHECK(not_admin.status().message().find("admin") != std::string::npos);
  CHECK(app::set_social_value_rate(*t, {"dave", 0, "council rate", day("2026-04-01")}).code() == Code::bad_amount);
  CHECK(app::set_social_value_rate(*t, {"dave", 100'001, "council rate", day("2026-04-01")}).code() ==
        Code::bad_amount);
  CHECK(app::set_social_value_rate(*t, {"dave", 1600, "", day("2026-04-01")}).code() == Code::malformed);
  CHECK(app::set_social_value_rate(*t, {"dave", 1600, std::string(201, 'x'), day("2026-04-01")}).code() ==
        Code::malformed);
  CHECK(app::set_social_value_rate(*t, {"dave", 1600, "\xff\xfe", day("2026-04-01")}).code() == Code::malformed);
  CHECK(app::set_social_value_rate(*t, {"nobody", 1600, "council rate", day("2026-04-01")}).code() ==
        Code::unknown_member);
  auto none = app::show_social_value_rate(*t, {});
  REQUIRE(none.ok());
  CHECK_FALSE(none->set);  // nothing refused changed anything

  auto set = app::set_social_value_rate(*t, {"dave", 1600, "council rate", day("2026-04-01")});
  REQUIRE_MESSAGE(set.ok(), set.status().message());
  auto again = app::set_social_value_rate(*t, {"dave", 1650, "council rate 2027", day("2027-04-01")});
  REQUIRE(again.ok());
  auto shown = app::show_social_value_rate(*t, {});
  REQUIRE(shown.ok());
  CHECK(shown->pence_per_hour == 1650);
  CHECK(shown->source == "council rate 2027");
  CHECK(shown->set_ms == t.clock.now_ms());
  CHECK(t.node->ledger().log_size() == size_before);  // no entry was signed
}
