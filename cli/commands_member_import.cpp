// `member import-timeoverflow`: a time bank's member list exported from
// TimeOverflow (docs/moving-from-timeoverflow.md). The file is read here
// and its text sent to the use case; the answer is rendered row by row.

#include "client.h"
#include "cohours/app/timeoverflow_import.h"
#include "commands.h"
#include "import_file.h"
#include "output.h"

namespace cohours::cli {

namespace {

struct MemberImportArgs {
  std::string file, as;
  std::vector<std::string> roles{"volunteer"};
  bool dry_run = false;
};

nlohmann::json member_row_json(const app::ImportedMember& row) {
  nlohmann::json json = {{"line", row.line},
                         {"outcome", app::row_outcome_name(row.outcome)},
                         {"number", row.number},
                         {"alias", row.alias},
                         {"balance_minutes", row.balance_minutes},
                         {"key", row.key.is_zero() ? std::string() : to_hex(row.key)},
                         {"opening", row.opening.is_zero() ? std::string() : to_hex(row.opening)}};
  if (row.outcome == app::RowOutcome::refused) {
    json["code"] = code_name(row.code);
    json["message"] = row.message;
  }
  return json;
}

std::string member_import_summary(const app::TimeOverflowImported& done) {
  const std::size_t rows = done.rows.size();
  const std::string of = " of " + std::to_string(rows) + " members";
  const std::string pool = done.net_minutes >= 0 ? "the pool pays out " + format_minutes(done.net_minutes)
                                                 : "the pool takes in " + format_minutes(-done.net_minutes);
  if (done.refused > 0)
    return "Nothing stored: " + std::to_string(done.refused) + of + " refused. Correct them and import the file again.";
  if (done.dry_run)
    return "Dry run: every row is good; " + std::to_string(rows - done.already_imported) + of + " would join" +
           (done.already_imported ? " (" + std::to_string(done.already_imported) + " came over before)" : "") +
           "; in opening balances " + pool + ".";
  if (done.added == 0) return "Nothing new: every member came over before.";
  return std::to_string(done.added) + of + " joined with their opening balances" +
         (done.already_imported ? " (" + std::to_string(done.already_imported) + " came over before)" : "") + "; " +
         pool + ". Each opening balance cites the file's digest " + to_hex(done.file_digest).substr(0, 16) + "...";
}

void run_member_import(const GlobalOptions& options, const MemberImportArgs& args) {
  app::ImportTimeOverflow request{
      args.as, read_import_file(args.file, app::kMaxTimeOverflowBytes, "member list"), args.file, args.dry_run,
      args.roles};
  Client client(options);
  app::TimeOverflowImported done = client.call(request);
  if (options.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : done.rows) rows.push_back(member_row_json(row));
    print_json({{"file", args.file},
                {"file_digest", to_hex(done.file_digest)},
                {"dry_run", done.dry_run},
                {"stored", !done.dry_run && done.refused == 0},
                {"added", done.added},
                {"already_imported", done.already_imported},
                {"refused", done.refused},
                {"net_minutes", done.net_minutes},
                {"rows", rows}});
  } else {
    Table table({"line", "outcome", "number", "name", "alias", "opening balance", "entry"},
                {true, false, true, false, false, true, false});
    for (const auto& row : done.rows)
      table.add({std::to_string(row.line), app::row_outcome_name(row.outcome),
                 row.number ? std::to_string(row.number) : "", row.name, row.alias,
                 format_minutes(row.balance_minutes), row.opening.is_zero() ? "" : to_hex(row.opening).substr(0, 12)});
    out() << table.render();
    for (const auto& row : done.rows)
      if (row.outcome == app::RowOutcome::refused) out() << args.file << " line " << row.line << ": " << row.message << "\n";
    out() << member_import_summary(done) << "\n";
  }
  for (const auto& row : done.rows)
    if (row.outcome == app::RowOutcome::refused)
      fail_import(row.code, done.refused, args.file, row.line, row.message, options.json);
}

}  // namespace

void add_member_import_command(CLI::App& member, GlobalOptions& options) {
  auto args = std::make_shared<MemberImportArgs>();
  CLI::App* cmd = add_command(member, "import-timeoverflow",
                              "Bring members and their balances over from a TimeOverflow member list (CSV): "
                              "every row checked, nothing stored unless all are good");
  cmd->add_option("file", args->file, "TimeOverflow's member report saved as CSV")->required();
  cmd->add_option("--as", args->as, "The admin who signs every entry")->required();
  cmd->add_option("--role", args->roles, "What every member joins as (repeatable; default volunteer)");
  cmd->add_flag("--dry-run", args->dry_run, "Check every row and store nothing");
  cmd->callback([&options, args] { run_member_import(options, *args); });
}

}  // namespace cohours::cli
