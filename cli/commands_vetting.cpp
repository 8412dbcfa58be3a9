// Safeguarding checks: recorded as seen by an admin or coordinator,
// withdrawn with a reason, listed with those about to expire.
#include "client.h"
#include "cohours/app/vetting.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

struct RecordArgs {
  std::string volunteer, as, kind, issued, expires, certificate;
};

nlohmann::json vetting_json(const app::VettingView& v) {
  return {{"id", to_hex(v.id)},
          {"volunteer", v.volunteer},
          {"kind", vetting_kind_name(v.kind)},
          {"issued", format_date(v.issued_days)},
          {"expires", format_date(v.expires_days)},
          {"checker", v.checker},
          {"standing", app::vetting_standing_name(v.standing)},
          {"days_left", v.days_left},
          {"certificate_kept", v.certificate_kept},
          {"withdrawn_by", v.withdrawn_by},
          {"reason", v.reason}};
}

void run_record(const GlobalOptions& options, const RecordArgs& args) {
  app::RecordVetting request;
  request.as = args.as;
  request.volunteer = args.volunteer;
  request.kind = args.kind;
  request.issued_days = parse_date_arg(args.issued, "--issued");
  request.expires_days = parse_date_arg(args.expires, "--expires");
  request.certificate = args.certificate;
  Client client(options);
  app::VettingRecorded recorded = client.call(request);
  const app::VettingView& v = recorded.vetting;
  if (options.json)
    return print_json({{"id", to_hex(recorded.entry.id)}, {"seq", recorded.entry.seq}, {"vetting", vetting_json(v)}});
  out() << "Recorded: " << v.volunteer << "'s " << vetting_kind_name(v.kind) << " check, valid "
        << format_date(v.issued_days) << " to " << format_date(v.expires_days) << " ("
        << app::vetting_standing_name(v.standing) << "), seen by " << v.checker << ".\n"
        << to_hex(recorded.entry.id) << "\n";
}

void run_withdraw(const GlobalOptions& options, const app::WithdrawVetting& request) {
  Client client(options);
  app::VettingWithdrawn withdrawn = client.call(request);
  const app::VettingView& v = withdrawn.vetting;
  if (options.json)
    return print_json(
        {{"id", to_hex(withdrawn.entry.id)}, {"seq", withdrawn.entry.seq}, {"vetting", vetting_json(v)}});
  out() << "Withdrawn: " << v.volunteer << "'s " << vetting_kind_name(v.kind) << " check of "
        << format_date(v.issued_days) << ". Activities that need a check are refused for them until "
        << "another is recorded.\n"
        << to_hex(withdrawn.entry.id) << "\n";
}

// "30d", "30" (days) or "6w" (weeks).
std::int32_t parse_days_arg(const std::string& text, const char* option) {
  std::string digits = text;
  std::int32_t unit = 1;
  if (!digits.empty() && (digits.back() == 'd' || digits.back() == 'w')) {
    unit = digits.back() == 'w' ? 7 : 1;
    digits.pop_back();
  }
  bool ok = !digits.empty() && digits.size() <= 4;
  for (char ch : digits) ok = ok && ch >= '0' && ch <= '9';
  if (!ok) fail(Code::malformed, std::string(option) + " takes a number of days such as 30d or 6w, got '" + text + "'");
  return static_cast<std::int32_t>(std::stoi(digits)) * unit;
}

struct ListArgs {
  std::string volunteer, expiring;
  bool all = false;
};

void run_list(const GlobalOptions& options, const ListArgs& args) {
  app::ListVettings request;
  request.volunteer = args.volunteer;
  request.all = args.all;
  if (!args.expiring.empty()) request.expiring_within_days = parse_days_arg(args.expiring, "--expiring");
  Client client(options);
  app::VettingList list = client.call(request);
  nlohmann::json rows = nlohmann::json::array();
  Table table({"CHECK", "VOLUNTEER", "KIND", "ISSUED", "EXPIRES", "STANDING", "SEEN BY"});
  for (const auto& v : list.vettings) {
    rows.push_back(vetting_json(v));
    std::string standing = app::vetting_standing_name(v.standing);
    if (v.standing == app::VettingStanding::current) standing += " (" + std::to_string(v.days_left) + " days left)";
    table.add({to_hex(v.id).substr(0, 12), v.volunteer, vetting_kind_name(v.kind), format_date(v.issued_days),
               format_date(v.expires_days), standing, v.checker});
  }
  if (options.json)
    return print_json({{"today", format_date(list.today_days)},
                       {"vetted_categories", list.vetted_categories},
                       {"vettings", rows}});
  std::string needs;
  for (const auto& category : list.vetted_categories) needs += (needs.empty() ? "" : ", ") + category;
  out() << "Needs a current check: " << (needs.empty() ? "nothing (policy)" : needs) << "\n";
  if (list.vettings.empty()) {
    out() << (request.expiring_within_days ? "No check expires within " +
                                                 std::to_string(*request.expiring_within_days) + " days.\n"
                                           : std::string("No checks recorded.\n"));
    return;
  }
  out() << table.render();
}

}  // namespace

void add_vetting_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* vetting = add_command(app, "vetting", "Safeguarding checks (DBS) volunteers need before some help");
  vetting->require_subcommand(1);

  auto record = std::make_shared<RecordArgs>();
  CLI::App* record_cmd = add_command(*vetting, "record", "Record that you saw a volunteer's check");
  record_cmd->add_option("volunteer", record->volunteer, "The volunteer")->required();
  record_cmd->add_option("--as", record->as, "The admin or coordinator who saw it")->required();
  record_cmd->add_option("--kind", record->kind,
                         "dbs-basic, dbs-standard, dbs-enhanced, dbs-enhanced-barred, pvg, access-ni or other")
      ->required();
  record_cmd->add_option("--issued", record->issued, "The certificate's issue date, YYYY-MM-DD")->required();
  record_cmd->add_option("--expires", record->expires, "Valid to the end of this day, YYYY-MM-DD (the co-op's "
                                                       "renewal date)")
      ->required();
  record_cmd->add_option("--certificate", record->certificate,
                         "The certificate number, kept off the signed log (erasable)");
  record_cmd->callback([&options, record] { run_record(options, *record); });

  auto withdraw = std::make_shared<app::WithdrawVetting>();
  CLI::App* withdraw_cmd = add_command(*vetting, "withdraw", "Withdraw a recorded check");
  withdraw_cmd->add_option("id", withdraw->id, "The check's id (or its first 8+ digits), from `vetting list`")
      ->required();
  withdraw_cmd->add_option("--as", withdraw->as, "The admin or coordinator")->required();
  withdraw_cmd->add_option("--reason", withdraw->reason, "Why, kept off the signed log")->required();
  withdraw_cmd->callback([&options, withdraw] { run_withdraw(options, *withdraw); });

  auto list = std::make_shared<ListArgs>();
  CLI::App* list_cmd = add_command(*vetting, "list", "List current checks");
  list_cmd->add_option("--volunteer", list->volunteer, "Only this volunteer's");
  list_cmd->add_option("--expiring", list->expiring, "Only current checks that expire within this many days "
                                                     "(30d, 6w)");
  list_cmd->add_flag("--all", list->all, "Also expired and withdrawn checks");
  list_cmd->callback([&options, list] { run_list(options, *list); });
}

}  // namespace cohours::cli
