#include "report_json.h"

#include "cohours/dates.h"

namespace cohours::cli {

namespace {

nlohmann::json totals_json(const app::ExpenseTotals& t) {
  return {{"count", t.count},
          {"claimed_pence", t.claimed_pence},
          {"approved_pence", t.approved_pence},
          {"rejected_pence", t.rejected_pence},
          {"paid_pence", t.paid_pence}};
}

std::string id_or_empty(const EntryId& id) {
  return id.is_zero() ? std::string() : to_hex(id);
}

}  // namespace

nlohmann::json report_json(const app::PeriodReport& r) {
  nlohmann::json report;
  report["coop"] = r.coop;
  report["from"] = format_date(r.from_days);
  report["to"] = format_date(r.to_days);
  report["generated"] = format_time_ms(r.generated_ms);
  report["hours_by_month"] = nlohmann::json::array();
  for (const auto& [month, minutes] : r.hours_by_month)
    report["hours_by_month"].push_back({{"month", month}, {"minutes", minutes}});
  report["hours_by_category"] = nlohmann::json::array();
  for (const auto& [category, minutes] : r.hours_by_category)
    report["hours_by_category"].push_back({{"category", category}, {"minutes", minutes}});
  nlohmann::json people = nlohmann::json::array();
  for (const auto& [member, minutes] : r.hours_per_person)
    people.push_back({{"member", member}, {"minutes", minutes}});
  report["people"] = {{"active_volunteers", r.active_volunteers},
                      {"active_carers", r.active_carers},
                      {"hours_per_person", people}};
  report["respite_minutes"] = r.respite_minutes;
  report["pool"] = {{"opening_minutes", r.pool.opening_minutes},
                    {"paid_out_minutes", r.pool.paid_out_minutes},
                    {"received_minutes", r.pool.received_minutes},
                    {"closing_minutes", r.pool.closing_minutes}};
  report["pending_over_14_days"] = nlohmann::json::array();
  for (const auto& p : r.pending_over_14_days)
    report["pending_over_14_days"].push_back({{"id", to_hex(p.id)},
                                              {"provider", p.provider},
                                              {"recipient", p.recipient},
                                              {"minutes", p.minutes},
                                              {"date", format_date(p.date_days)},
                                              {"recorded", format_date(p.recorded_days)},
                                              {"age_days", p.age_days}});
  report["expenses_by_category"] = nlohmann::json::array();
  for (const auto& row : r.expenses_by_category) {
    nlohmann::json json = totals_json(row.totals);
    json["category"] = expense_category_name(row.category);
    report["expenses_by_category"].push_back(json);
  }
  report["expenses_totals"] = totals_json(r.expenses_totals);
  report["expenses_totals"]["currency"] = r.currency;
  report["payments"] = nlohmann::json::array();
  for (const auto& p : r.payments)
    report["payments"].push_back({{"claim", to_hex(p.claim)},
                                  {"member", p.member},
                                  {"category", expense_category_name(p.category)},
                                  {"pence", p.pence},
                                  {"claim_date", format_date(p.claim_date_days)},
                                  {"paid", format_date(p.paid_days)},
                                  {"recorded", format_date(p.recorded_days)}});
  report["unusual"] = nlohmann::json::array();
  for (const auto& u : r.unusual)
    report["unusual"].push_back(
        {{"kind", u.kind}, {"description", u.description}, {"id", id_or_empty(u.id)}});
  report["vettings_expiring"] = nlohmann::json::array();
  for (const auto& v : r.vettings_expiring)
    report["vettings_expiring"].push_back({{"volunteer", v.volunteer},
                                           {"kind", vetting_kind_name(v.kind)},
                                           {"expires", format_date(v.expires_days)},
                                           {"days_left", v.days_left},
                                           {"id", to_hex(v.id)}});
  report["group_sessions"] = {{"sessions", r.group_sessions.sessions},
                              {"volunteers", r.group_sessions.volunteers},
                              {"members_helped", r.group_sessions.members_helped},
                              {"places", r.group_sessions.places},
                              {"volunteer_minutes", r.group_sessions.volunteer_minutes}};
  report["definitions"] = nlohmann::json::object();
  for (const auto& d : r.definitions) report["definitions"][d.figure] = d.definition;
  return report;
}

}  // namespace cohours::cli
