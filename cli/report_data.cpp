#include "report_data.h"

#include <map>
#include <set>

#include "cohours/dates.h"
#include "output.h"

namespace cohours::cli {

namespace {

std::string month_of(std::int32_t days) {
  return format_date(days).substr(0, 7);
}

// The entry that closed a movement, decoded (to see who signed it).
std::optional<Entry> closing_entry(Session& session, const EntryId& id) {
  auto seq = session.ledger().seq_of(id);
  if (!seq.ok()) return std::nullopt;
  auto record = session.ledger().record(seq.value());
  if (!record.ok()) return std::nullopt;
  auto entry = decode_entry(record->entry);
  if (!entry.ok()) return std::nullopt;
  return entry->entry;
}

std::int32_t posted_day(Session& session, std::uint64_t seq) {
  return days_from_ms(check(session.ledger().record(seq)).received_ms);
}

}  // namespace

nlohmann::json build_period_report(Session& session, std::int32_t from, std::int32_t to) {
  Ledger& ledger = session.ledger();
  Policy policy = check(ledger.policy());
  auto movements = check(ledger.movements());
  auto members = check(ledger.members());
  std::map<PublicKey, std::uint32_t> roles;
  for (const auto& m : members) roles[m.key] = m.roles;

  std::map<std::string, std::int64_t> by_month, by_category, by_person;
  std::set<PublicKey> volunteers, carers;
  std::int64_t respite = 0;
  nlohmann::json pending = nlohmann::json::array(), unusual = nlohmann::json::array();
  for (const auto& m : movements) {
    if (m.kind == MovementKind::transfer) continue;
    const bool in_period = m.date_days >= from && m.date_days <= to;
    if (m.status == MovementStatus::pending && m.date_days < to - 14)
      pending.push_back({{"id", to_hex(m.id)},
                         {"provider", session.name_of(m.provider)},
                         {"recipient", m.recipient.is_zero() ? "community" : session.name_of(m.recipient)},
                         {"minutes", m.minutes},
                         {"date", format_date(m.date_days)},
                         {"age_days", to - m.date_days}});
    if (!in_period || m.status != MovementStatus::posted) continue;
    by_month[month_of(m.date_days)] += m.minutes;
    by_category[m.category] += m.minutes;
    by_person[session.name_of(m.provider)] += m.minutes;
    if (roles[m.provider] & role_volunteer) volunteers.insert(m.provider);
    if (roles[m.provider] & role_carer) carers.insert(m.provider);
    if (!m.recipient.is_zero() && (roles[m.recipient] & role_carer)) carers.insert(m.recipient);
    if (m.kind == MovementKind::respite) respite += m.minutes;
    if (m.max_entry_minutes_then > 0 && m.minutes >= m.max_entry_minutes_then)
      unusual.push_back(
          {{"kind", "entry_at_maximum"},
           {"id", to_hex(m.id)},
           {"description", session.name_of(m.provider) + " logged " + describe_minutes(m.minutes) + " of " +
                               m.category + " on " + format_date(m.date_days) + ", the per-entry maximum then in force"}});
    if (auto confirm = closing_entry(session, m.closed_by); confirm && !confirm->on_behalf.is_zero())
      unusual.push_back(
          {{"kind", "confirmed_by_coordinator"},
           {"id", to_hex(m.closed_by)},
           {"description", session.name_of(confirm->author) + " confirmed " + describe_minutes(m.minutes) +
                               " of " + m.category + " for " + session.name_of(confirm->on_behalf)}});
  }
  for (const auto& m : movements) {
    if (m.status != MovementStatus::reversed) continue;
    auto reversal = closing_entry(session, m.closed_by);
    auto seq = ledger.seq_of(m.closed_by);
    if (!reversal || !seq.ok()) continue;
    std::int32_t day = posted_day(session, seq.value());
    if (day < from || day > to) continue;
    unusual.push_back(
        {{"kind", "reversal"},
         {"id", to_hex(m.closed_by)},
         {"description", session.name_of(reversal->author) + " reversed " + describe_minutes(m.minutes) +
                             " from " + session.account_name(m.payee) + " to " +
                             session.account_name(m.payer)}});
  }

  // The pool: its postings dated by the day they were made.
  AccountId pool = ledger.pool_account();
  std::int64_t opening = 0, paid_out = 0, received = 0;
  for (const auto& posting : check(ledger.postings(pool))) {
    std::int32_t day = posted_day(session, posting.seq);
    if (day < from)
      opening += posting.delta_minutes;
    else if (day <= to)
      (posting.delta_minutes < 0 ? paid_out : received) +=
          posting.delta_minutes < 0 ? -posting.delta_minutes : posting.delta_minutes;
  }

  // Expenses claimed in the period, by category and where they stand now.
  struct Sums {
    std::int64_t count = 0, claimed = 0, approved = 0, rejected = 0, paid = 0;
  };
  std::map<int, Sums> expenses;
  Sums total;
  // Monthly limits apply to whole calendar months: every month the period
  // touches is summed in full, so a report on part of a month still flags.
  const std::string first_month = month_of(from), last_month = month_of(to);
  std::map<std::tuple<PublicKey, std::string, int>, std::int64_t> monthly;
  std::map<Hash32, std::vector<const ExpenseState*>> by_receipt;
  auto claims = check(ledger.expenses());
  for (const auto& claim : claims) {
    if (claim.date_days < from || claim.date_days > to) continue;
    for (Sums* sums : {&expenses[static_cast<int>(claim.category)], &total}) {
      sums->count += 1;
      sums->claimed += claim.pence;
      if (claim.status == ExpenseStatus::approved || claim.status == ExpenseStatus::paid) sums->approved += claim.pence;
      if (claim.status == ExpenseStatus::rejected) sums->rejected += claim.pence;
      if (claim.status == ExpenseStatus::paid) sums->paid += claim.pence;
    }
  }
  for (const auto& claim : claims) {
    const std::string month = month_of(claim.date_days);
    if (claim.status == ExpenseStatus::rejected || month < first_month || month > last_month) continue;
    monthly[{claim.claimant, month, static_cast<int>(claim.category)}] += claim.pence;
    if (!claim.receipt_digest.is_zero()) by_receipt[claim.receipt_digest].push_back(&claim);
  }
  const std::string currency = ledger.currency().str();
  for (const auto& [key, pence] : monthly) {
    const auto& [member, month, category] = key;
    std::int64_t limit = policy.expense_month_limit_pence[static_cast<std::size_t>(category) - 1];
    if (limit > 0 && pence > limit)
      unusual.push_back({{"kind", "over_monthly_expense_limit"},
                         {"id", ""},
                         {"description", session.name_of(member) + " claimed " + format_pence(pence) + " " +
                                             currency + " of " +
                                             expense_category_name(static_cast<ExpenseCategory>(category)) +
                                             " in " + month + ", over the monthly limit of " + format_pence(limit) +
                                             " " + currency}});
  }
  // One receipt behind two claims may be the same cost paid twice.
  for (const auto& [digest, same] : by_receipt) {
    if (same.size() < 2) continue;
    std::string who;
    for (const ExpenseState* claim : same)
      who += (who.empty() ? "" : ", ") + session.name_of(claim->claimant) + " " + format_pence(claim->pence);
    unusual.push_back({{"kind", "receipt_used_twice"},
                       {"id", to_hex(same.front()->id)},
                       {"description", "one receipt is cited by " + std::to_string(same.size()) + " claims (" + who + ")"}});
  }

  nlohmann::json report;
  report["coop"] = ledger.node_name();
  report["from"] = format_date(from);
  report["to"] = format_date(to);
  report["generated"] = format_time_ms(session.clock().now_ms());
  report["hours_by_month"] = nlohmann::json::array();
  for (const auto& [month, minutes] : by_month)
    report["hours_by_month"].push_back({{"month", month}, {"minutes", minutes}});
  report["hours_by_category"] = nlohmann::json::array();
  for (const auto& [category, minutes] : by_category)
    report["hours_by_category"].push_back({{"category", category}, {"minutes", minutes}});
  nlohmann::json people = nlohmann::json::array();
  for (const auto& [member, minutes] : by_person)
    people.push_back({{"member", member}, {"minutes", minutes}});
  report["people"] = {{"active_volunteers", volunteers.size()},
                      {"active_carers", carers.size()},
                      {"hours_per_person", people}};
  report["respite_minutes"] = respite;
  report["pool"] = {{"opening_minutes", opening},
                    {"paid_out_minutes", paid_out},
                    {"received_minutes", received},
                    {"closing_minutes", opening - paid_out + received}};
  report["pending_over_14_days"] = pending;
  report["expenses_by_category"] = nlohmann::json::array();
  for (const auto& [category, sums] : expenses)
    report["expenses_by_category"].push_back(
        {{"category", expense_category_name(static_cast<ExpenseCategory>(category))},
         {"count", sums.count},
         {"claimed_pence", sums.claimed},
         {"approved_pence", sums.approved},
         {"rejected_pence", sums.rejected},
         {"paid_pence", sums.paid}});
  report["expenses_totals"] = {{"currency", currency},
                               {"count", total.count},
                               {"claimed_pence", total.claimed},
                               {"approved_pence", total.approved},
                               {"rejected_pence", total.rejected},
                               {"paid_pence", total.paid}};
  report["unusual"] = unusual;
  report["definitions"] = {
      {"hours_by_month",
       "Confirmed hours, by the month the help was given, for help given in the period. Pending, "
       "voided and reversed hours are not counted; hours paid by the pool are; transfers of credit "
       "are not hours of help and are not counted."},
      {"hours_by_category", "The same confirmed hours, by category."},
      {"active_volunteers",
       "Members with the volunteer role who gave at least one confirmed hour in the period."},
      {"active_carers", "Members with the carer role who gave or received confirmed hours in the period."},
      {"respite_minutes", "Confirmed respite given in the period (carers paying volunteers)."},
      {"pool",
       "The co-op pool pays for help to service users and the community. Opening and closing are its "
       "balance before and after the period; paid out and received are its postings made in the period."},
      {"pending_over_14_days",
       "Hours dated more than 14 days before the end of the period that are still neither "
       "confirmed nor voided."},
      {"expenses_by_category",
       "Cash claims dated in the period, by category and by where they stand now: approved "
       "counts claims approved or paid."},
      {"unusual",
       "Items for the board to look at: entries at the per-entry maximum, hours a coordinator confirmed "
       "for the recipient, reversals made in the period, members over a monthly expense limit."}};
  return report;
}

}  // namespace cohours::cli
