#include "cohours/app/reports.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "cohours/app/format.h"
#include "cohours/app/names.h"
#include "cohours/dates.h"
#include "days.h"
#include "social_value.h"
#include "try.h"

namespace cohours::app {

namespace {

std::string month_of(std::int32_t days) {
  return format_date(days).substr(0, 7);
}

// The entry that closed a movement, decoded (to see who signed it).
std::optional<Entry> closing_entry(Node& node, const EntryId& id) {
  auto seq = node.ledger().seq_of(id);
  if (!seq.ok()) return std::nullopt;
  auto record = node.ledger().record(seq.value());
  if (!record.ok()) return std::nullopt;
  auto entry = decode_entry(record->entry);
  if (!entry.ok()) return std::nullopt;
  return entry->entry;
}

// Each figure's definition, said where the figure is shown. Each says which
// day counts (docs/decisions.md "Which day a figure counts").
const std::vector<FigureDefinition>& definitions() {
  static const std::vector<FigureDefinition> all = {
      {"active_carers",
       "Members with the carer role who gave or received confirmed hours on a day in the period (the day "
       "the help was given)."},
      {"active_volunteers",
       "Members with the volunteer role who gave at least one confirmed hour on a day in the period (the "
       "day the help was given)."},
      {"expenses_by_category",
       "Cash claims for costs on a day in the period (the claim's date), by category and by where they "
       "stand now: claimed counts every claim, approved counts claims approved or paid, rejected those "
       "rejected. Paid is the cash paid on a day in the period, by the day the money was paid (`expense "
       "pay --date`), whatever the claim's date and whenever the payment was recorded."},
      {"group_sessions",
       "Group sessions (one entry for a lunch club, an outing, a group respite afternoon) given on a day in "
       "the period with at least one confirmed share. A volunteer's time at a session is split into shares, "
       "one per member helped, so the shares add up to the time given: volunteer minutes count each "
       "volunteer's confirmed time once (2 hours at a lunch club for 6 members is 2 hours, not 12). "
       "Volunteers and members helped count distinct people; places count the members helped at each "
       "session, added up (one member at 4 sessions is 1 member helped, 4 places). These hours are also in "
       "the hours figures above, counted the same way."},
      {"hours_by_category", "The same confirmed hours, by category."},
      {"hours_by_month",
       "Confirmed hours of help given on a day in the period, by the month given: the day given with the "
       "hours counts, whenever they were logged or confirmed. Pending, voided and reversed hours are not "
       "counted; hours paid by the pool are; transfers of credit are not hours of help and are not "
       "counted."},
      {"hours_per_person", "The same confirmed hours, by the member who gave them."},
      {"payments",
       "Each payment made on a day in the period, by the day the money was paid (`expense pay --date`), "
       "with the day the payment was recorded where that was another day. They add up to the paid total."},
      {"pending_over_14_days",
       "Hours given more than 14 days before the end of the period (by the day the help was given) that "
       "are still neither confirmed nor voided, whenever they were logged; the day they were recorded is "
       "shown where that was another day. The age is counted in days from the day given to the last day "
       "of the period."},
      {"pool",
       "The co-op pool pays for help to service users and the community. Its hours count on the day the "
       "help was given, whenever they were logged or confirmed; transfers and reversals on the day they "
       "were recorded. Opening and closing are its balance before and after the period, counted that way; "
       "paid out and received are what it paid and received on days in the period."},
      {"respite_minutes",
       "Confirmed respite given on a day in the period (carers paying volunteers), by the day it was "
       "given."},
      {"social_value_days_to_first_exchange",
       "For the new volunteers: days from the day they joined to the first day they gave confirmed help, "
       "counting help given on or before the period's last day (help dated before the day they joined "
       "counts as 0 days). The median is the middle value, or for an even number of volunteers the mean of "
       "the two middle values rounded down to a whole day; 'none yet' counts new volunteers who had given "
       "no confirmed help by the period's last day."},
      {"social_value_estimate",
       "social_value_hours in minutes x the replacement rate in pence an hour / 60, in whole numbers, "
       "worked out once on the period's total (help counted by the day it was given) and rounded down to a "
       "whole penny. It is an estimate of what "
       "the same care would have cost if bought in at that rate: not money, never in the ledger, and no one "
       "was paid it. Without a rate set, no value is given."},
      {"social_value_hours",
       "Confirmed hours of help (hours and respite) given on a day in the period, by the day the help was "
       "given: the same hours as hours_by_month. Each volunteer's time is counted once, however many people "
       "shared it."},
      {"social_value_new_volunteers",
       "Members who hold the volunteer role and whose joining (their member.join entry) was recorded on a "
       "day in the period."},
      {"social_value_people_helped",
       "Distinct members who received confirmed help given on a day in the period, each counted once however "
       "often they were helped. Community work names no recipient and adds no one."},
      {"social_value_rate",
       "The replacement rate the co-op chose for one hour of care (what a council or a family would pay to "
       "buy it in), in pence an hour, with its source and the day it is dated, as an admin set it with "
       "`cohours policy social-value`. The rate set when the report is made applies to the whole period."},
      {"social_value_respite",
       "Confirmed respite given to carers (carers paying volunteers) on a day in the period, by the day it "
       "was given, and how many distinct carers received it."},
      {"social_value_retention",
       "Of the new volunteers: 'stayed active' gave confirmed help on a day in their third month (days 61 to "
       "90 after the day they joined); 'not active' gave none on those days; 'too early to tell' joined "
       "fewer than 90 days before the period's last day, so their day 90 is after it. They are not counted "
       "as lost."},
      {"unusual",
       "Items for the board to look at: hours at the per-entry maximum then in force, and hours a "
       "coordinator confirmed for the recipient, both given on a day in the period; reversals recorded in "
       "the period; members over a monthly expense limit in a calendar month the period touches (by the "
       "claims' dates, rejected claims left out); one receipt cited by two or more of those claims."},
      {"vettings_expiring",
       "Safeguarding checks (DBS and the like) current on the period's last day that expire within 30 "
       "days after it, soonest first, with the days left from the period's last day. Withdrawn checks are "
       "not listed; nor is a volunteer with another check recorded (a renewal, even one issued after the "
       "period) that runs past those 30 days."}};
  return all;
}

}  // namespace

Result<PeriodReport> period_report(Node& node, const ShowPeriodReport& r) {
  const std::int32_t from = r.from_days, to = r.to_days;
  if (from > to) return Result<PeriodReport>(Code::bad_date, "--from is after --to");
  // Every figure from one state of the store, so they add up.
  const ReadSnapshot snapshot(node.store());
  Ledger& ledger = node.ledger();
  TRY_ASSIGN(Policy policy, ledger.policy());
  TRY_ASSIGN(auto movements, ledger.movements());
  TRY_ASSIGN(auto members, ledger.members());
  std::map<PublicKey, std::uint32_t> roles;
  for (const auto& m : members) roles[m.key] = m.roles;

  PeriodReport out;
  out.coop = ledger.node_name();
  out.currency = ledger.currency().str();
  out.from_days = from;
  out.to_days = to;
  out.generated_ms = node.clock().now_ms();

  // Hours: by the day the help was given.
  std::map<std::string, std::int64_t> by_month, by_category, by_person;
  std::set<PublicKey> volunteers, carers;
  // Group sessions: each session, person and minute once, whatever its legs.
  std::set<EntryId> group_sessions, reported_confirmations;
  std::set<PublicKey> group_volunteers, group_helped;
  std::set<std::pair<EntryId, PublicKey>> group_places;
  std::map<std::pair<EntryId, PublicKey>, std::int64_t> group_given;
  std::map<EntryId, const Movement*> group_first;
  for (const auto& m : movements) {
    if (!is_help(m.kind)) continue;
    if (m.status == MovementStatus::pending && m.date_days < to - 14) {
      TRY_ASSIGN(std::int32_t recorded, recorded_day(node, m.seq));
      out.pending_over_14_days.push_back(
          {m.id, member_name(node, m.provider),
           m.recipient.is_zero() ? "community" : member_name(node, m.recipient), m.minutes, m.date_days,
           recorded, to - m.date_days});
    }
    const bool in_period = m.date_days >= from && m.date_days <= to;
    if (!in_period || m.status != MovementStatus::posted) continue;
    by_month[month_of(m.date_days)] += m.minutes;
    by_category[m.category] += m.minutes;
    by_person[member_name(node, m.provider)] += m.minutes;
    if (roles[m.provider] & role_volunteer) volunteers.insert(m.provider);
    if (roles[m.provider] & role_carer) carers.insert(m.provider);
    if (!m.recipient.is_zero() && (roles[m.recipient] & role_carer)) carers.insert(m.recipient);
    if (m.kind == MovementKind::respite) out.respite_minutes += m.minutes;
    if (m.is_group_leg()) {
      group_sessions.insert(m.group);
      group_volunteers.insert(m.provider);
      if (!m.recipient.is_zero()) {
        group_helped.insert(m.recipient);
        group_places.insert({m.group, m.recipient});
      }
      group_given[{m.group, m.provider}] += m.minutes;
      group_first.emplace(m.group, &m);
      out.group_sessions.volunteer_minutes += m.minutes;
    }
    // A group's legs are shares of a volunteer's time: the maximum applies
    // to that time, added up below, not to each share.
    if (!m.is_group_leg() && m.max_entry_minutes_then > 0 && m.minutes >= m.max_entry_minutes_then)
      out.unusual.push_back({"entry_at_maximum",
                             member_name(node, m.provider) + " logged " + describe_minutes(m.minutes) +
                                 " of " + m.category + " on " + format_date(m.date_days) +
                                 ", the per-entry maximum then in force",
                             m.id});
    // One confirmation of a group's share posts several legs: listed once.
    if (m.is_group_leg() && !reported_confirmations.insert(m.closed_by).second) continue;
    if (auto confirm = closing_entry(node, m.closed_by); confirm && !confirm->on_behalf.is_zero())
      out.unusual.push_back({"confirmed_by_coordinator",
                             member_name(node, confirm->author) + " confirmed " +
                                 describe_minutes(m.minutes) + " of " + m.category + " for " +
                                 member_name(node, confirm->on_behalf),
                             m.closed_by});
  }
  for (const auto& [month, minutes] : by_month) out.hours_by_month.push_back({month, minutes});
  for (const auto& [category, minutes] : by_category) out.hours_by_category.push_back({category, minutes});
  for (const auto& [member, minutes] : by_person) out.hours_per_person.push_back({member, minutes});
  out.group_sessions.sessions = group_sessions.size();
  out.group_sessions.volunteers = group_volunteers.size();
  out.group_sessions.members_helped = group_helped.size();
  out.group_sessions.places = group_places.size();
  for (const auto& [key, minutes] : group_given) {
    const Movement& first = *group_first.at(key.first);
    if (first.max_entry_minutes_then > 0 && minutes >= first.max_entry_minutes_then)
      out.unusual.push_back({"entry_at_maximum",
                             member_name(node, key.second) + " gave " + describe_minutes(minutes) + " of " +
                                 first.category + " on " + format_date(first.date_days) +
                                 " at a group session, the per-entry maximum then in force",
                             key.first});
  }
  out.active_volunteers = volunteers.size();
  out.active_carers = carers.size();

  // Reversals: by the day they were recorded.
  for (const auto& m : movements) {
    if (m.status != MovementStatus::reversed) continue;
    auto reversal = closing_entry(node, m.closed_by);
    auto seq = ledger.seq_of(m.closed_by);
    if (!reversal || !seq.ok()) continue;
    TRY_ASSIGN(std::int32_t day, recorded_day(node, seq.value()));
    if (day < from || day > to) continue;
    out.unusual.push_back({"reversal",
                           member_name(node, reversal->author) + " reversed " + describe_minutes(m.minutes) +
                               " from " + account_name(node, m.payee) + " to " + account_name(node, m.payer),
                           m.closed_by});
  }

  // The pool: each posting on the day it counts, as in its statement.
  TRY_ASSIGN(auto pool_postings, ledger.postings(ledger.pool_account()));
  for (const auto& posting : pool_postings) {
    auto movement = ledger.movement(posting.movement);
    TRY_ASSIGN(std::int32_t recorded, recorded_day(node, posting.seq));
    const std::int32_t day = counting_day(posting, movement.ok() ? &movement.value() : nullptr, recorded);
    if (day < from)
      out.pool.opening_minutes += posting.delta_minutes;
    else if (day <= to && posting.delta_minutes < 0)
      out.pool.paid_out_minutes -= posting.delta_minutes;
    else if (day <= to)
      out.pool.received_minutes += posting.delta_minutes;
  }
  out.pool.closing_minutes = out.pool.opening_minutes - out.pool.paid_out_minutes + out.pool.received_minutes;

  // Expenses: claims by the day of the cost, where they stand now; cash
  // paid by the day it was paid.
  std::map<int, ExpenseTotals> expenses;
  TRY_ASSIGN(auto claims, ledger.expenses());
  std::sort(claims.begin(), claims.end(),
            [](const ExpenseState& a, const ExpenseState& b) { return a.claimed_seq < b.claimed_seq; });
  for (const auto& claim : claims) {
    if (claim.date_days < from || claim.date_days > to) continue;
    for (ExpenseTotals* sums : {&expenses[static_cast<int>(claim.category)], &out.expenses_totals}) {
      sums->count += 1;
      sums->claimed_pence += claim.pence;
      if (claim.status == ExpenseStatus::approved || claim.status == ExpenseStatus::paid)
        sums->approved_pence += claim.pence;
      if (claim.status == ExpenseStatus::rejected) sums->rejected_pence += claim.pence;
    }
  }
  for (const auto& claim : claims) {
    if (claim.status != ExpenseStatus::paid || claim.paid_date_days < from || claim.paid_date_days > to)
      continue;
    TRY_ASSIGN(std::uint64_t seq, ledger.seq_of(claim.paid_by));
    TRY_ASSIGN(std::int32_t recorded, recorded_day(node, seq));
    out.payments.push_back({claim.id, member_name(node, claim.claimant), claim.category, claim.pence,
                            claim.date_days, claim.paid_date_days, recorded});
    expenses[static_cast<int>(claim.category)].paid_pence += claim.pence;
    out.expenses_totals.paid_pence += claim.pence;
  }
  std::stable_sort(out.payments.begin(), out.payments.end(),
                   [](const PaymentItem& a, const PaymentItem& b) { return a.paid_days < b.paid_days; });
  for (const auto& [category, totals] : expenses)
    out.expenses_by_category.push_back({static_cast<ExpenseCategory>(category), totals});

  // Monthly limits apply to whole calendar months: every month the period
  // touches is summed in full, so a report on part of a month still flags.
  const std::string first_month = month_of(from), last_month = month_of(to);
  std::map<std::tuple<PublicKey, std::string, int>, std::int64_t> monthly;
  std::map<Hash32, std::vector<const ExpenseState*>> by_receipt;
  for (const auto& claim : claims) {
    const std::string month = month_of(claim.date_days);
    if (claim.status == ExpenseStatus::rejected || month < first_month || month > last_month) continue;
    monthly[{claim.claimant, month, static_cast<int>(claim.category)}] += claim.pence;
    if (!claim.receipt_digest.is_zero()) by_receipt[claim.receipt_digest].push_back(&claim);
  }
  for (const auto& [key, pence] : monthly) {
    const auto& [member, month, category] = key;
    const std::int64_t limit = policy.expense_month_limit_pence[static_cast<std::size_t>(category) - 1];
    if (limit > 0 && pence > limit)
      out.unusual.push_back(
          {"over_monthly_expense_limit",
           member_name(node, member) + " claimed " + format_pence(pence) + " " + out.currency + " of " +
               expense_category_name(static_cast<ExpenseCategory>(category)) + " in " + month +
               ", over the monthly limit of " + format_pence(limit) + " " + out.currency,
           {}});
  }
  // One receipt behind two claims may be the same cost paid twice.
  for (const auto& [digest, same] : by_receipt) {
    if (same.size() < 2) continue;
    std::string who;
    for (const ExpenseState* claim : same)
      who +=
          (who.empty() ? "" : ", ") + member_name(node, claim->claimant) + " " + format_pence(claim->pence);
    out.unusual.push_back({"receipt_used_twice",
                           "one receipt is cited by " + std::to_string(same.size()) + " claims (" + who + ")",
                           same.front()->id});
  }
  // Checks that run out soon after the period: a volunteer's check current
  // on its last day, listed if no check of theirs (a renewal recorded since,
  // even one issued after the period) runs past the warning window.
  TRY_ASSIGN(auto checks, ledger.vettings());
  std::map<PublicKey, const VettingState*> current;
  std::map<PublicKey, std::int32_t> runs_to;
  for (const auto& check : checks) {
    if (check.withdrawn) continue;
    runs_to[check.volunteer] = std::max(runs_to[check.volunteer], check.expires_days);
    if (check.covers(to) && (!current.count(check.volunteer) ||
                             check.expires_days > current[check.volunteer]->expires_days))
      current[check.volunteer] = &check;
  }
  for (const auto& [volunteer, check] : current)
    if (runs_to[volunteer] - to <= kVettingExpiryWarningDays)
      out.vettings_expiring.push_back({check->id, member_name(node, volunteer), check->kind, check->expires_days,
                                       check->expires_days - to});
  std::stable_sort(out.vettings_expiring.begin(), out.vettings_expiring.end(),
                   [](const ExpiringVetting& a, const ExpiringVetting& b) { return a.expires_days < b.expires_days; });
  // Social value (app/social_value.h): help as a list of what each
  // provider gave, so group sessions can add theirs to the same list.
  std::vector<VolunteerJoined> joined;
  for (const auto& m : members) {
    if (!(m.roles & role_volunteer)) continue;
    TRY_ASSIGN(std::int32_t day, recorded_day(node, m.joined_seq));
    joined.push_back({m.key, day});
  }
  TRY_ASSIGN(SocialValueRateView rate_view, show_social_value_rate(node, {}));
  out.social_value =
      count_social_value(help_from_movements(movements), joined, from, to,
                         rate_view.set ? std::optional<std::int64_t>(rate_view.pence_per_hour) : std::nullopt);
  out.social_value.rate = rate_view;
  out.social_value.estimate_statement =
      "The value of volunteer hours is an estimate: what the same care would have cost if bought in at the "
      "replacement rate shown. It is not money, it is never in the ledger, and no one was paid it.";
  if (!rate_view.set)
    out.social_value.no_rate_advice =
        "No replacement rate is set, so the hours are not valued. An admin sets one with `cohours policy "
        "social-value --rate PENCE_AN_HOUR --source \"WHERE THE RATE COMES FROM\" --date YYYY-MM-DD --as "
        "ADMIN` (1600 is 16.00 an hour).";
  out.definitions = definitions();
  return out;
}

}  // namespace cohours::app
