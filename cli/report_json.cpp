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

std::string definition_of(const app::PeriodReport& r, const char* figure) {
  for (const auto& d : r.definitions)
    if (d.figure == figure) return d.definition;
  return "";
}

// Each figure with its method beside it (the same text as under
// "definitions"), so a figure copied out of the report keeps its meaning.
nlohmann::json social_value_json(const app::PeriodReport& r) {
  const app::SocialValueSection& s = r.social_value;
  auto optional = [](const auto& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
  nlohmann::json rate = nullptr;
  if (s.rate.set)
    rate = {{"pence_per_hour", s.rate.pence_per_hour},
            {"currency", s.rate.currency},
            {"source", s.rate.source},
            {"date", format_date(s.rate.date_days)},
            {"set_by", s.rate.set_by},
            {"set_at", format_time_ms(s.rate.set_ms)}};
  nlohmann::json out = {
      {"estimate_statement", s.estimate_statement},
      {"rate", {{"value", rate}, {"method", definition_of(r, "social_value_rate")}}},
      {"hours", {{"minutes", s.valued_minutes}, {"method", definition_of(r, "social_value_hours")}}},
      {"estimate",
       {{"pence", optional(s.value_pence)},
        {"currency", s.rate.currency},
        {"method", definition_of(r, "social_value_estimate")}}},
      {"respite",
       {{"minutes", s.respite_minutes},
        {"carers", s.carers_given_respite},
        {"method", definition_of(r, "social_value_respite")}}},
      {"people_helped", {{"count", s.people_helped}, {"method", definition_of(r, "social_value_people_helped")}}},
      {"new_volunteers",
       {{"count", s.new_volunteers}, {"method", definition_of(r, "social_value_new_volunteers")}}},
      {"retention",
       {{"stayed_active", s.stayed_active},
        {"not_active", s.not_active},
        {"too_early_to_tell", s.too_early_to_tell},
        {"method", definition_of(r, "social_value_retention")}}},
      {"days_to_first_exchange",
       {{"median_days", optional(s.median_days_to_first_exchange)},
        {"with_first_exchange", s.with_first_exchange},
        {"none_yet", s.no_exchange_yet},
        {"method", definition_of(r, "social_value_days_to_first_exchange")}}}};
  if (!s.no_rate_advice.empty()) out["no_rate"] = s.no_rate_advice;
  return out;
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
  report["social_value"] = social_value_json(r);
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
