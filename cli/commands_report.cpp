// `cohours audit report`: the board's and the council's view of a period.
#include <filesystem>
#include <fstream>

#include "client.h"
#include "cohours/app/reports.h"
#include "commands.h"
#include "output.h"
#include "output_paths.h"
#include "report_html.h"
#include "report_json.h"

namespace cohours::cli {

namespace {

namespace fs = std::filesystem;

std::string csv_field(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

// An array of flat objects as CSV (RFC 4180) with the given columns, so an
// empty section still has its header row.
void write_csv(const fs::path& path, const nlohmann::json& rows, const std::vector<std::string>& columns) {
  std::ofstream out(path);
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
  out << "\r\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i)
      out << (i ? "," : "") << csv_field(row.value(columns[i], nlohmann::json("")));
    out << "\r\n";
  }
  if (!out) fail(Code::io_error, "cannot write " + path.string());
}

// The social value section as rows of figure, value and method: every
// number with the words that say how it was counted.
nlohmann::json social_value_rows(const nlohmann::json& s) {
  nlohmann::json rows = nlohmann::json::array();
  auto row = [&rows](const std::string& figure, const nlohmann::json& value, const nlohmann::json& method) {
    rows.push_back({{"figure", figure}, {"value", value.is_null() ? nlohmann::json("") : value}, {"method", method}});
  };
  const nlohmann::json& rate = s["rate"]["value"];
  if (rate.is_null()) {
    row("rate_pence_per_hour", "not set", s.value("no_rate", ""));
  } else {
    row("rate_pence_per_hour", rate["pence_per_hour"], s["rate"]["method"]);
    row("rate_source", rate["source"], "where the rate comes from, as the admin gave it");
    row("rate_date", rate["date"], "the day the rate is dated");
    row("rate_set_by", rate["set_by"], "the admin who set it, at " + rate["set_at"].get<std::string>());
  }
  row("hours_minutes", s["hours"]["minutes"], s["hours"]["method"]);
  row("estimate_pence", s["estimate"]["pence"].is_null() ? nlohmann::json("not valued: no rate set") : s["estimate"]["pence"],
      s["estimate"]["method"]);
  row("respite_minutes", s["respite"]["minutes"], s["respite"]["method"]);
  row("carers_given_respite", s["respite"]["carers"], s["respite"]["method"]);
  row("people_helped", s["people_helped"]["count"], s["people_helped"]["method"]);
  row("new_volunteers", s["new_volunteers"]["count"], s["new_volunteers"]["method"]);
  for (const char* key : {"stayed_active", "not_active", "too_early_to_tell"})
    row(std::string("new_volunteers_") + key, s["retention"][key], s["retention"]["method"]);
  const nlohmann::json& first = s["days_to_first_exchange"];
  row("median_days_to_first_exchange", first["median_days"].is_null() ? nlohmann::json("none yet") : first["median_days"],
      first["method"]);
  row("new_volunteers_with_first_exchange", first["with_first_exchange"], first["method"]);
  row("new_volunteers_no_exchange_yet", first["none_yet"], first["method"]);
  row("statement", s["estimate_statement"], "");
  return rows;
}

void write_csv_dir(const fs::path& dir, const nlohmann::json& report) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(Code::io_error, "cannot create " + dir.string() + ": " + ec.message());
  nlohmann::json summary = nlohmann::json::array();
  summary.push_back({{"figure", "coop"}, {"value", report["coop"]}});
  for (const char* key : {"from", "to", "generated", "respite_minutes"})
    summary.push_back({{"figure", key}, {"value", report[key]}});
  for (auto& [key, value] : report["people"].items())
    if (!value.is_array()) summary.push_back({{"figure", key}, {"value", value}});
  for (auto& [key, value] : report["pool"].items())
    summary.push_back({{"figure", "pool_" + key}, {"value", value}});
  for (auto& [key, value] : report["expenses_totals"].items())
    summary.push_back({{"figure", "expenses_" + key}, {"value", value}});
  for (auto& [key, value] : report["group_sessions"].items())
    summary.push_back({{"figure", "group_" + key}, {"value", value}});
  write_csv(dir / "summary.csv", summary, {"figure", "value"});
  write_csv(dir / "hours_by_month.csv", report["hours_by_month"], {"month", "minutes"});
  write_csv(dir / "hours_by_category.csv", report["hours_by_category"], {"category", "minutes"});
  write_csv(dir / "pending_over_14_days.csv", report["pending_over_14_days"],
            {"date", "provider", "recipient", "minutes", "age_days", "id", "recorded"});
  write_csv(dir / "expenses_by_category.csv", report["expenses_by_category"],
            {"category", "count", "claimed_pence", "approved_pence", "rejected_pence", "paid_pence"});
  write_csv(dir / "payments.csv", report["payments"],
            {"paid", "recorded", "member", "category", "pence", "claim_date", "claim"});
  write_csv(dir / "unusual.csv", report["unusual"], {"kind", "description", "id"});
  write_csv(dir / "vettings_expiring.csv", report["vettings_expiring"],
            {"expires", "days_left", "volunteer", "kind", "id"});
  write_csv(dir / "hours_per_person.csv", report["people"]["hours_per_person"], {"member", "minutes"});
  write_csv(dir / "social_value.csv", social_value_rows(report["social_value"]), {"figure", "value", "method"});
  nlohmann::json definitions = nlohmann::json::array();
  for (auto& [key, value] : report["definitions"].items())
    definitions.push_back({{"figure", key}, {"definition", value}});
  write_csv(dir / "definitions.csv", definitions, {"figure", "definition"});
}

// Each figure, then how it was counted, indented beneath it.
void print_social_value(const nlohmann::json& s, const std::string& currency) {
  auto method = [](const nlohmann::json& figure) { out() << "  how: " << figure["method"].get<std::string>() << "\n"; };
  auto minutes = [](const nlohmann::json& v) { return format_minutes(v.get<std::int64_t>()); };
  out() << "\nSocial value (an estimate, never money in the ledger)\n";
  const nlohmann::json& rate = s["rate"]["value"];
  if (rate.is_null()) {
    out() << "Replacement rate: not set. " << s["no_rate"].get<std::string>() << "\n";
  } else {
    out() << "Replacement rate: " << format_pence(rate["pence_per_hour"].get<std::int64_t>()) << " " << currency
          << " an hour (" << rate["pence_per_hour"].get<std::int64_t>() << " pence), " << rate["source"].get<std::string>()
          << ", dated " << rate["date"].get<std::string>() << "; set by " << rate["set_by"].get<std::string>() << "\n";
    method(s["rate"]);
  }
  out() << "Hours of help valued: " << minutes(s["hours"]["minutes"]) << "\n";
  method(s["hours"]);
  if (s["estimate"]["pence"].is_null())
    out() << "Estimated value: not valued (no replacement rate set)\n";
  else
    out() << "Estimated value: " << format_pence(s["estimate"]["pence"].get<std::int64_t>()) << " " << currency
          << " at " << format_pence(rate["pence_per_hour"].get<std::int64_t>()) << " " << currency << " an hour ("
          << rate["source"].get<std::string>() << ", " << rate["date"].get<std::string>() << ")\n";
  method(s["estimate"]);
  const std::int64_t carers = s["respite"]["carers"].get<std::int64_t>();
  out() << "Respite for carers: " << minutes(s["respite"]["minutes"]) << " to " << carers
        << (carers == 1 ? " carer\n" : " carers\n");
  method(s["respite"]);
  out() << "People helped: " << s["people_helped"]["count"] << "\n";
  method(s["people_helped"]);
  out() << "New volunteers: " << s["new_volunteers"]["count"] << "\n";
  method(s["new_volunteers"]);
  const nlohmann::json& kept = s["retention"];
  out() << "Active after three months: " << kept["stayed_active"] << " stayed active, " << kept["not_active"]
        << " not active, " << kept["too_early_to_tell"] << " too early to tell\n";
  method(kept);
  const nlohmann::json& first = s["days_to_first_exchange"];
  out() << "Days from joining to a first exchange: median "
        << (first["median_days"].is_null() ? std::string("none yet") : std::to_string(first["median_days"].get<int>()))
        << " (" << first["with_first_exchange"] << " with one, " << first["none_yet"] << " none yet)\n";
  method(first);
  out() << s["estimate_statement"].get<std::string>() << "\n";
}

void print_tables(const nlohmann::json& r) {
  const std::string currency = r["expenses_totals"]["currency"];
  out() << r["coop"].get<std::string>() << ": report for " << r["from"].get<std::string>() << " to "
        << r["to"].get<std::string>() << "\n\n";
  auto minutes = [](const nlohmann::json& v) { return format_minutes(v.get<std::int64_t>()); };
  auto pence = [](const nlohmann::json& v) { return format_pence(v.get<std::int64_t>()); };
  Table months({"MONTH", "HOURS GIVEN"}, {false, true});
  for (const auto& row : r["hours_by_month"]) months.add({row["month"], minutes(row["minutes"])});
  out() << "Hours given, by month\n" << months.render() << "\n";
  Table categories({"CATEGORY", "HOURS GIVEN"}, {false, true});
  for (const auto& row : r["hours_by_category"]) categories.add({row["category"], minutes(row["minutes"])});
  out() << "Hours given, by category\n" << categories.render() << "\n";
  Table people({"MEMBER", "HOURS GIVEN"}, {false, true});
  for (const auto& row : r["people"]["hours_per_person"])
    people.add({row["member"], minutes(row["minutes"])});
  out() << "Active volunteers: " << r["people"]["active_volunteers"]
        << "; active carers: " << r["people"]["active_carers"]
        << "; respite given: " << minutes(r["respite_minutes"]) << "\n"
        << people.render() << "\n";
  const auto& group = r["group_sessions"];
  out() << "Group sessions: " << group["sessions"] << "; volunteers: " << group["volunteers"]
        << ", who gave " << minutes(group["volunteer_minutes"]) << " (each volunteer's time once); members helped: "
        << group["members_helped"] << "; places: " << group["places"] << "\n\n";
  const auto& pool = r["pool"];
  out() << "Pool: opening " << minutes(pool["opening_minutes"]) << ", paid out "
        << minutes(pool["paid_out_minutes"]) << ", received " << minutes(pool["received_minutes"])
        << ", closing " << minutes(pool["closing_minutes"]) << "\n\n";
  // The day each item was recorded, where it was another day than the one it counts on.
  auto recorded = [](const nlohmann::json& row, const char* counts) {
    return row["recorded"] == row[counts] ? std::string() : row["recorded"].get<std::string>();
  };
  Table pending({"DATE", "RECORDED", "PROVIDER", "RECIPIENT", "HOURS", "AGE"},
                {false, false, false, false, true, true});
  for (const auto& row : r["pending_over_14_days"])
    pending.add({row["date"], recorded(row, "date"), row["provider"], row["recipient"],
                 minutes(row["minutes"]), std::to_string(row["age_days"].get<int>()) + " days"});
  out() << "Pending for more than 14 days\n"
        << (r["pending_over_14_days"].empty() ? "none\n" : pending.render()) << "\n";
  Table expenses({"CATEGORY", "CLAIMS", "CLAIMED", "APPROVED", "REJECTED", "PAID"},
                 {false, true, true, true, true, true});
  for (const auto& row : r["expenses_by_category"])
    expenses.add({row["category"], std::to_string(row["count"].get<int>()), pence(row["claimed_pence"]),
                  pence(row["approved_pence"]), pence(row["rejected_pence"]), pence(row["paid_pence"])});
  const auto& t = r["expenses_totals"];
  expenses.add({"total", std::to_string(t["count"].get<int>()), pence(t["claimed_pence"]),
                pence(t["approved_pence"]), pence(t["rejected_pence"]), pence(t["paid_pence"])});
  out() << "Expenses (" << currency << ")\n" << expenses.render() << "\n";
  Table payments({"PAID", "RECORDED", "MEMBER", "CATEGORY", "AMOUNT", "CLAIM"},
                 {false, false, false, false, true});
  for (const auto& row : r["payments"])
    payments.add({row["paid"], recorded(row, "paid"), row["member"], row["category"], pence(row["pence"]),
                  row["claim"].get<std::string>().substr(0, 12)});
  out() << "Payments made in the period (" << currency << ")\n"
        << (r["payments"].empty() ? "none\n" : payments.render()) << "\n";
  out() << "Unusual items\n";
  if (r["unusual"].empty()) out() << "none\n";
  for (const auto& row : r["unusual"]) out() << "- " << row["description"].get<std::string>() << "\n";
  out() << "\nSafeguarding checks that run out within 30 days of the period's end\n";
  if (r["vettings_expiring"].empty()) out() << "none\n";
  for (const auto& row : r["vettings_expiring"])
    out() << "- " << row["volunteer"].get<std::string>() << ": " << row["kind"].get<std::string>() << ", expires "
          << row["expires"].get<std::string>() << " (" << row["days_left"].get<int>() << " days after the period)\n";
  print_social_value(r["social_value"], currency);
  out() << "\nDefinitions\n";
  for (auto& [key, value] : r["definitions"].items())
    out() << "- " << key << ": " << value.get<std::string>() << "\n";
}

struct ReportArgs {
  std::string from, to, month, csv_dir, html_file;
};

void run_report(const GlobalOptions& options, const ReportArgs& args) {
  app::ShowPeriodReport request;
  if (!args.month.empty()) {
    if (!args.from.empty() || !args.to.empty()) usage_error("give --month, or --from and --to, not both");
    const app::DayRange range = parse_month_arg(args.month, "--month");
    request = {range.first, range.last};
  } else {
    if (args.from.empty() || args.to.empty()) usage_error("give --month YYYY-MM, or --from and --to");
    request = {parse_date_arg(args.from, "--from"), parse_date_arg(args.to, "--to")};
  }
  if (request.from_days > request.to_days) fail(Code::bad_date, "--from is after --to");
  if (!args.csv_dir.empty()) refuse_inside_data_dir(options, args.csv_dir);
  if (!args.html_file.empty()) refuse_inside_data_dir(options, args.html_file);
  Client client(options);
  const app::PeriodReport data = client.call(request);
  const nlohmann::json report = report_json(data);
  if (!args.csv_dir.empty()) write_csv_dir(std::filesystem::path(args.csv_dir), report);
  if (!args.html_file.empty()) {
    std::ofstream out(std::filesystem::path(args.html_file));
    out << render_report_html(data);
    if (!out) fail(Code::io_error, "cannot write " + args.html_file);
  }
  if (options.json) return print_json(report);
  if (!args.csv_dir.empty() || !args.html_file.empty()) {
    if (!args.csv_dir.empty()) out() << "CSV files written to " << args.csv_dir << "\n";
    if (!args.html_file.empty()) out() << "HTML report written to " << args.html_file << "\n";
    return;
  }
  print_tables(report);
}

}  // namespace

void add_report_command(CLI::App& audit, GlobalOptions& options) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* report = add_command(audit, "report", "Figures for the board and the council over a period");
  report->add_option("--from", args->from, "First day, YYYY-MM-DD");
  report->add_option("--to", args->to, "Last day, YYYY-MM-DD");
  report->add_option("--month", args->month, "One calendar month, YYYY-MM (instead of --from and --to)");
  report->add_option("--csv", args->csv_dir, "Write one CSV file per section into DIR");
  report->add_option("--html", args->html_file, "Write a self-contained HTML page with charts");
  report->callback([&options, args] { run_report(options, *args); });
}

}  // namespace cohours::cli
