// `hours import`: a timesheet typed up as CSV (docs/timesheets.md). The
// file is read here and its text sent to the use case; the answer is
// rendered row by row.

#include "client.h"
#include "cohours/app/timesheet_import.h"
#include "cohours/dates.h"
#include "commands.h"
#include "import_file.h"
#include "output.h"

namespace cohours::cli {

namespace {

struct ImportArgs {
  std::string file, as;
  bool dry_run = false, again = false;
};

nlohmann::json row_json(const app::ImportedRow& row) {
  nlohmann::json json = {{"line", row.line},
                         {"outcome", app::row_outcome_name(row.outcome)},
                         {"volunteer", row.volunteer},
                         {"recipient", row.recipient},
                         {"minutes", row.minutes},
                         {"category", row.category},
                         {"id", row.id.is_zero() ? std::string() : to_hex(row.id)}};
  json["date"] = row.date_days > 0 ? format_date(row.date_days) : std::string();
  if (row.outcome == app::RowOutcome::refused) {
    json["code"] = code_name(row.code);
    json["message"] = row.message;
  }
  return json;
}

std::string summary(const app::HoursImported& done) {
  const std::size_t rows = done.rows.size();
  const std::string of = " of " + std::to_string(rows) + " rows";
  if (done.refused > 0)
    return "Nothing stored: " + std::to_string(done.refused) + of + " refused. Correct them and import the file again.";
  if (done.dry_run)
    return "Dry run: every row is good; " + std::to_string(rows - done.already_imported) + of +
           " would be added" +
           (done.already_imported ? ", " + std::to_string(done.already_imported) + " are already imported" : "") + ".";
  if (done.added == 0) return "Nothing new: every row was imported before.";
  return std::to_string(done.added) + of + " added" +
         (done.already_imported ? ", " + std::to_string(done.already_imported) + " already imported" : "") +
         ". Each is pending until its recipient, or a coordinator, confirms it.";
}

void run_hours_import(const GlobalOptions& options, const ImportArgs& args) {
  app::ImportHours request{args.as, read_import_file(args.file, app::kMaxTimesheetBytes, "timesheet file"), args.file, args.dry_run, args.again};
  Client client(options);
  app::HoursImported done = client.call(request);
  if (options.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : done.rows) rows.push_back(row_json(row));
    print_json({{"file", args.file},
                {"file_digest", to_hex(done.file_digest)},
                {"dry_run", done.dry_run},
                {"stored", !done.dry_run && done.refused == 0},
                {"added", done.added},
                {"already_imported", done.already_imported},
                {"refused", done.refused},
                {"rows", rows}});
  } else {
    Table table({"line", "outcome", "volunteer", "recipient", "date", "time", "category", "entry"},
                {true, false, false, false, false, true, false, false});
    for (const auto& row : done.rows)
      table.add({std::to_string(row.line), app::row_outcome_name(row.outcome), row.volunteer, row.recipient,
                 row.date_days > 0 ? format_date(row.date_days) : "", row.minutes ? format_minutes(row.minutes) : "",
                 row.category, row.id.is_zero() ? "" : to_hex(row.id).substr(0, 12)});
    out() << table.render();
    for (const auto& row : done.rows)
      if (row.outcome == app::RowOutcome::refused) out() << args.file << " line " << row.line << ": " << row.message << "\n";
    out() << summary(done) << "\n";
  }
  for (const auto& row : done.rows)
    if (row.outcome == app::RowOutcome::refused)
      fail_import(row.code, done.refused, args.file, row.line, row.message, options.json);
}

}  // namespace

void add_hours_import_command(CLI::App& hours, GlobalOptions& options) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = add_command(hours, "import",
                              "Import a timesheet (CSV: volunteer,recipient,date,duration,category,note): "
                              "every row checked, nothing stored unless all are good");
  cmd->add_option("file", args->file, "The CSV file (template: docs/timesheets/template.csv)")->required();
  cmd->add_option("--as", args->as, "The coordinator who signs every row for its volunteer")->required();
  cmd->add_flag("--dry-run", args->dry_run, "Check every row and store nothing");
  cmd->add_flag("--again", args->again,
                "Rows with the same volunteer, recipient, day and length as hours already logged are more help");
  cmd->callback([&options, args] { run_hours_import(options, *args); });
}

}  // namespace cohours::cli
