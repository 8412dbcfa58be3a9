#include "cohours/app/reports.h"

#include "app_support.h"
#include "cohours/app/accounts.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/expenses.h"
#include "cohours/app/vetting.h"
#include "cohours/dates.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::day;
using cohours::test::TestNode;

namespace {

std::int64_t at(const char* time) {
  return *parse_time_ms(time);
}

app::PeriodReport report(TestNode& t, const char* from, const char* to) {
  auto made = app::period_report(*t, {day(from), day(to)});
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  return made.value();
}

std::string confirmed_hours(TestNode& t, const std::string& as, const std::string& to, std::int64_t minutes,
                            const char* date, const std::string& confirmer) {
  auto logged = app::log_hours(*t, {as, "", to, minutes, "befriending", day(date), ""});
  REQUIRE_MESSAGE(logged.ok(), logged.status().message());
  const std::string id = to_hex(logged->entry.id);
  auto confirmed = app::confirm_hours(*t, {id, confirmer});
  REQUIRE_MESSAGE(confirmed.ok(), confirmed.status().message());
  return id;
}

}  // namespace

// The case: a co-op types November's timesheets and records
// November's payments on 1 December. Its November report must count them in
// November (before, the pool showed 0m paid out beside the hours given),
// and so must the member's benefits statement.
TEST_CASE("period report: hours count on the day given and cash on the day paid, whenever recorded") {
  TestNode t;  // members joined on 2026-11-18
  t.clock.set_ms(at("2026-12-01T09:00:00Z"));
  confirmed_hours(t, "alice", "bob", 150, "2026-11-20", "bob");  // the pool pays for bob
  const std::string gardening = confirmed_hours(t, "alice", "community", 90, "2026-11-25", "dave");
  confirmed_hours(t, "carol", "bob", 60, "2026-11-21", "bob");
  confirmed_hours(t, "alice", "carol", 60, "2026-11-26", "carol");  // carol pays herself
  app::ClaimExpense bus;
  bus.as = "alice";
  bus.pence = 1240;
  bus.category = "travel";
  bus.date_days = day("2026-11-20");
  auto claim = app::claim_expense(*t, bus);
  REQUIRE(claim.ok());
  const std::string claim_id = to_hex(claim->entry.id);
  REQUIRE(app::approve_expense(*t, {claim_id, "dave", ""}).ok());
  REQUIRE(app::pay_expense(*t, {claim_id, "dave", "BACS 7", day("2026-11-28")}).ok());

  app::PeriodReport november = report(t, "2026-11-01", "2026-11-30");
  REQUIRE(november.hours_by_month.size() == 1);
  CHECK(november.hours_by_month[0].month == "2026-11");
  CHECK(november.hours_by_month[0].minutes == 360);
  CHECK(november.pool.opening_minutes == 0);
  CHECK(november.pool.paid_out_minutes == 300);  // 3h 30m for bob, 1h 30m for the community
  CHECK(november.pool.received_minutes == 0);
  CHECK(november.pool.closing_minutes == -300);
  CHECK(november.active_volunteers == 1);
  CHECK(november.active_carers == 1);
  CHECK(november.expenses_totals.count == 1);
  CHECK(november.expenses_totals.paid_pence == 1240);
  REQUIRE(november.payments.size() == 1);
  CHECK(november.payments[0].member == "alice");
  CHECK(november.payments[0].paid_days == day("2026-11-28"));
  CHECK(november.payments[0].recorded_days == day("2026-12-01"));
  CHECK(november.payments[0].claim_date_days == day("2026-11-20"));
  REQUIRE(november.expenses_by_category.size() == 1);
  CHECK(november.expenses_by_category[0].totals.paid_pence == 1240);

  // December: nothing was given or paid in it; the pool opens where
  // November closed.
  app::PeriodReport december = report(t, "2026-12-01", "2026-12-31");
  CHECK(december.hours_by_month.empty());
  CHECK(december.pool.opening_minutes == -300);
  CHECK(december.pool.paid_out_minutes == 0);
  CHECK(december.pool.closing_minutes == -300);
  CHECK(december.payments.empty());
  CHECK(december.expenses_totals.paid_pence == 0);

  // The benefits statement agrees: the cash in November, the hours on the
  // days given, each with the day it was recorded.
  auto statement = app::statement(*t, {"alice", day("2026-11-01"), day("2026-11-30"), ""});
  REQUIRE(statement.ok());
  REQUIRE(statement->reimbursed_by_month.size() == 1);
  CHECK(statement->reimbursed_by_month[0].month == "2026-11");
  CHECK(statement->reimbursed_by_month[0].pence == 1240);
  REQUIRE(statement->payments.size() == 1);
  CHECK(statement->payments[0].paid_recorded_days == day("2026-12-01"));
  CHECK(statement->lines.size() == 3);
  for (const auto& line : statement->lines) CHECK(line.posted_days == day("2026-12-01"));
  CHECK(statement->closing_minutes == 300);

  // A reversal counts on the day it is recorded: November stays as it was.
  t.clock.set_ms(at("2026-12-02T10:00:00Z"));
  REQUIRE(app::reverse(*t, {gardening, "dave", "logged at the wrong co-op"}).ok());
  app::PeriodReport again = report(t, "2026-11-01", "2026-11-30");
  CHECK(again.pool.paid_out_minutes == 300);
  CHECK(again.pool.received_minutes == 0);
  CHECK(again.hours_by_month[0].minutes == 270);  // reversed hours are not hours given
  for (const auto& item : again.unusual) CHECK(item.kind != "reversal");
  app::PeriodReport december_again = report(t, "2026-12-01", "2026-12-31");
  CHECK(december_again.pool.received_minutes == 90);
  CHECK(december_again.pool.closing_minutes == -210);
  bool reversal_listed = false;
  for (const auto& item : december_again.unusual) reversal_listed |= item.kind == "reversal";
  CHECK(reversal_listed);
}

TEST_CASE("period report: pending hours show the day they were recorded; the period is checked") {
  TestNode t;
  t.clock.set_ms(at("2026-12-01T09:00:00Z"));
  REQUIRE(app::log_hours(*t, {"alice", "", "bob", 90, "transport", day("2026-11-02"), ""}).ok());
  app::PeriodReport november = report(t, "2026-11-01", "2026-11-30");
  REQUIRE(november.pending_over_14_days.size() == 1);
  const app::PendingHours& p = november.pending_over_14_days[0];
  CHECK(p.provider == "alice");
  CHECK(p.recipient == "bob");
  CHECK(p.date_days == day("2026-11-02"));
  CHECK(p.recorded_days == day("2026-12-01"));
  CHECK(p.age_days == 28);
  CHECK(november.coop == "Hilltop Care Co-op");
  CHECK(november.currency == "GBP");
  CHECK(november.generated_ms == at("2026-12-01T09:00:00Z"));

  auto backwards = app::period_report(*t, {day("2026-11-30"), day("2026-11-01")});
  CHECK(backwards.code() == Code::bad_date);
  CHECK(backwards.status().message() == "--from is after --to");
}

TEST_CASE("period report: every figure is defined, and each definition says which day counts") {
  TestNode t(false);
  app::PeriodReport empty = report(t, "2027-01-01", "2027-01-31");
  std::vector<std::string> figures;
  for (const auto& d : empty.definitions) {
    figures.push_back(d.figure);
    CAPTURE(d.figure);
    if (d.figure != "hours_by_category" && d.figure != "hours_per_person")  // "the same confirmed hours"
      CHECK(d.definition.find("day") != std::string::npos);
  }
  CHECK(figures == std::vector<std::string>{"active_carers", "active_volunteers", "expenses_by_category",
                                            "group_sessions", "hours_by_category", "hours_by_month", "hours_per_person",
                                            "payments", "pending_over_14_days", "pool", "respite_minutes",
                                            "social_value_days_to_first_exchange", "social_value_estimate",
                                            "social_value_hours", "social_value_new_volunteers",
                                            "social_value_people_helped", "social_value_rate",
                                            "social_value_respite", "social_value_retention", "unusual",
                                            "vettings_expiring"});
  CHECK(empty.hours_by_month.empty());
  CHECK(empty.expenses_by_category.empty());
  CHECK(empty.pool.closing_minutes == 0);
}

TEST_CASE("period report: the safeguarding checks that run out within 30 days of the period's end") {
  TestNode t;
  t.add("vic", {"volunteer"});
  t.add("val", {"volunteer"});
  auto record = [&](const char* who, const char* issued, const char* expires) {
    auto r = app::record_vetting(*t, {"dave", who, "dbs-enhanced", *parse_date(issued), *parse_date(expires), ""});
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    return r->entry.id;
  };
  record("alice", "2024-01-01", "2026-12-20");  // 20 days after 2026-11-30
  record("vic", "2024-01-01", "2026-12-05");    // but a renewal runs on: not listed
  record("vic", "2026-11-01", "2029-10-31");
  const EntryId val = record("val", "2024-01-01", "2026-12-01");
  record("carol", "2024-01-01", "2027-06-01");  // months away
  app::PeriodReport r = report(t, "2026-11-01", "2026-11-30");
  REQUIRE(r.vettings_expiring.size() == 2);
  CHECK(r.vettings_expiring[0].volunteer == "val");
  CHECK(r.vettings_expiring[0].days_left == 1);
  CHECK(r.vettings_expiring[1].volunteer == "alice");
  CHECK(r.vettings_expiring[1].days_left == 20);
  REQUIRE(app::withdraw_vetting(*t, {"dave", to_hex(val), "left the co-op"}).ok());
  app::PeriodReport after = report(t, "2026-11-01", "2026-11-30");
  REQUIRE(after.vettings_expiring.size() == 1);
  CHECK(after.vettings_expiring[0].volunteer == "alice");
}

TEST_CASE("period report: a renewal issued after the period keeps the volunteer off the expiring list") {
  TestNode t;  // today is 2026-11-18
  REQUIRE(app::record_vetting(*t, {"dave", "alice", "dbs-enhanced", *parse_date("2024-01-01"),
                                   *parse_date("2026-11-20"), ""})
              .ok());
  app::PeriodReport before = report(t, "2026-10-01", "2026-11-10");
  REQUIRE(before.vettings_expiring.size() == 1);
  CHECK(before.vettings_expiring[0].days_left == 10);
  REQUIRE(app::record_vetting(*t, {"dave", "alice", "dbs-enhanced", *parse_date("2026-11-15"),
                                   *parse_date("2029-11-14"), ""})
              .ok());
  CHECK(report(t, "2026-10-01", "2026-11-10").vettings_expiring.empty());
}
