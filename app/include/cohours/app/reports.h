// The period report for boards, councils and funders (`audit report`):
// every figure over a period, with its definition beside it (DOMAIN.md:
// figures without definitions cause disputes). Front ends render it as a
// table, JSON, CSV files or an HTML page; they add nothing to it.
//
// Which day a figure counts (docs/decisions.md "Which day a figure
// counts"): hours on the day the help was given, whenever they were logged
// or confirmed; cash paid on the day it was paid (`expense pay --date`),
// whenever the payment was recorded; transfers and reversals on the day the
// ledger recorded them; claims on the day of the cost. Lists carry the day
// each item was recorded beside the day it counts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/social_value.h"

namespace cohours::app {

// bad_date when from_days is after to_days.
struct ShowPeriodReport {
  std::int32_t from_days = 0;
  std::int32_t to_days = 0;  // included
};

struct MonthMinutes {
  std::string month;  // YYYY-MM
  std::int64_t minutes = 0;
};
struct CategoryMinutes {
  std::string category;
  std::int64_t minutes = 0;
};
struct MemberMinutes {
  std::string member;
  std::int64_t minutes = 0;
};
// The pool's credits over the period, by the day each posting counts.
struct PoolFlow {
  std::int64_t opening_minutes = 0;  // balance before the first day
  std::int64_t paid_out_minutes = 0;
  std::int64_t received_minutes = 0;
  std::int64_t closing_minutes = 0;  // balance at the end of the last day
};
struct PendingHours {
  EntryId id;  // the hours.log (or respite.offer)
  std::string provider;
  std::string recipient;  // "community" for community work
  std::int64_t minutes = 0;
  std::int32_t date_days = 0;      // the day the help was given
  std::int32_t recorded_days = 0;  // the day the ledger recorded it
  std::int32_t age_days = 0;       // from date_days to the period's last day
};
struct ExpenseTotals {
  std::uint64_t count = 0;  // claims dated in the period
  std::int64_t claimed_pence = 0;
  std::int64_t approved_pence = 0;  // of those, approved or paid now
  std::int64_t rejected_pence = 0;  // of those, rejected
  std::int64_t paid_pence = 0;      // cash paid on a day in the period, whatever the claim's date
};
struct CategoryExpenses {
  ExpenseCategory category = ExpenseCategory::other;
  ExpenseTotals totals;
};
// A payment made on a day in the period.
struct PaymentItem {
  EntryId claim;
  std::string member;
  ExpenseCategory category = ExpenseCategory::other;
  std::int64_t pence = 0;
  std::int32_t claim_date_days = 0;  // the day of the cost
  std::int32_t paid_days = 0;        // the day the money was paid
  std::int32_t recorded_days = 0;    // the day the payment was recorded
};
struct UnusualItem {
  std::string kind;  // entry_at_maximum, confirmed_by_coordinator, reversal,
                     // over_monthly_expense_limit, receipt_used_twice
  std::string description;
  EntryId id;  // the entry to look at; zero for none
};
// A safeguarding check that runs out soon after the period (safeguarding.md).
struct ExpiringVetting {
  EntryId id;  // the vetting.record
  std::string volunteer;
  VettingKind kind = VettingKind::dbs_enhanced_barred;
  std::int32_t expires_days = 0;
  std::int32_t days_left = 0;  // from the period's last day
};
// Checks current on the period's last day that expire within this many
// days after it are listed.
inline constexpr std::int32_t kVettingExpiryWarningDays = 30;

// Group sessions (hours.group) given on a day in the period with at least
// one confirmed share, each person and minute counted once however many
// legs the session has (definitions in the report: "group_sessions").
struct GroupSessionTotals {
  std::uint64_t sessions = 0;
  std::uint64_t volunteers = 0;      // distinct members who gave confirmed time at one
  std::uint64_t members_helped = 0;  // distinct members with a confirmed share
  std::uint64_t places = 0;          // members helped at each session, added up over sessions
  std::int64_t volunteer_minutes = 0;  // confirmed time the volunteers gave, each volunteer's once
};

struct FigureDefinition {
  std::string figure;  // the figure's key, e.g. "hours_by_month"
  std::string definition;
};

struct PeriodReport {
  std::string coop;      // the co-op's name
  std::string currency;  // of every cash amount
  std::int32_t from_days = 0;
  std::int32_t to_days = 0;
  std::int64_t generated_ms = 0;                   // by the node's clock
  std::vector<MonthMinutes> hours_by_month;        // by month
  std::vector<CategoryMinutes> hours_by_category;  // by category name
  std::vector<MemberMinutes> hours_per_person;     // by member name
  std::uint64_t active_volunteers = 0;
  std::uint64_t active_carers = 0;
  std::int64_t respite_minutes = 0;
  PoolFlow pool;
  std::vector<PendingHours> pending_over_14_days;      // by the ledger's order of movements
  std::vector<CategoryExpenses> expenses_by_category;  // in category order
  ExpenseTotals expenses_totals;
  std::vector<PaymentItem> payments;  // by the day paid, then the claim's order
  std::vector<UnusualItem> unusual;
  std::vector<ExpiringVetting> vettings_expiring;  // soonest first
  SocialValueSection social_value;                 // app/social_value.h
  GroupSessionTotals group_sessions;
  std::vector<FigureDefinition> definitions;       // one per figure, by key
};

// Reads the whole derived state once (movements, the pool's postings,
// claims); nothing is written.
Result<PeriodReport> period_report(Node& node, const ShowPeriodReport& request);

}  // namespace cohours::app
