// `hours group` and `hours group-show`: a session given to several members
// (a lunch club) or by several volunteers, as one entry (docs/cli.md).

#include "client.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

struct GroupArgs {
  std::string as, duration, category, date, note;
  std::vector<std::string> volunteers, with;
  bool pool = false, shared = false;
};

// NAME or NAME=DURATION.
app::GroupVolunteer group_volunteer_arg(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return {text, 0};
  if (eq == 0) usage_error("--volunteer takes NAME or NAME=DURATION (alice=1h30), got '" + text + "'");
  return {text.substr(0, eq), parse_minutes_arg(text.substr(eq + 1), "--volunteer")};
}

nlohmann::json group_session_json(const app::GroupSession& s) {
  nlohmann::json volunteers = nlohmann::json::array(), shares = nlohmann::json::array();
  for (const auto& v : s.volunteers) volunteers.push_back({{"volunteer", v.volunteer}, {"minutes", v.minutes}});
  for (const auto& share : s.shares)
    shares.push_back({{"member", share.member},
                      {"minutes", share.minutes},
                      {"status", movement_status_name(share.status)}});
  return {{"id", to_hex(s.id)},
          {"category", s.category},
          {"date", format_date(s.date_days)},
          {"payer", s.pool_pays ? "pool" : "shared"},
          {"minutes", s.minutes},
          {"volunteers", volunteers},
          {"shares", shares}};
}

void print_group_session(const app::GroupSession& s) {
  std::string who;
  for (const auto& v : s.volunteers)
    who += (who.empty() ? "" : ", ") + v.volunteer + " " + describe_minutes(v.minutes);
  out() << s.category << " on " << format_date(s.date_days) << ": " << who << " ("
        << describe_minutes(s.minutes) << " given, each volunteer's time counted once), paid by "
        << (s.pool_pays ? "the co-op pool" : "the members helped") << ".\n";
  Table table({"MEMBER", "SHARE", "STATUS"}, {false, true, false});
  for (const auto& share : s.shares)
    table.add({share.member, format_minutes(share.minutes), movement_status_name(share.status)});
  out() << table.render();
}

void run_hours_group(const GlobalOptions& options, const GroupArgs& args) {
  if (args.pool && args.shared) usage_error("give --pool or --shared, not both");
  app::LogGroupSession request;
  request.as = args.as;
  for (const auto& v : args.volunteers) request.volunteers.push_back(group_volunteer_arg(v));
  if (!args.duration.empty()) request.minutes = parse_minutes_arg(args.duration, "--duration");
  request.with = args.with;
  request.payer = args.pool ? "pool" : args.shared ? "shared" : "";
  request.category = args.category;
  request.date_days = parse_date_arg(args.date, "--date");
  request.note = args.note;
  Client client(options);
  app::GroupLogged logged = client.call(request);
  if (options.json) {
    nlohmann::json reply = group_session_json(logged.session);
    reply["seq"] = logged.entry.seq;
    reply["duplicate"] = logged.entry.duplicate;
    return print_json(reply);
  }
  print_group_session(logged.session);
  out() << "Pending until confirmed: `cohours hours confirm ID --as COORDINATOR` confirms every share, "
           "`--as MEMBER` that member's own.\n"
        << to_hex(logged.entry.id) << "\n";
}

void run_hours_group_show(const GlobalOptions& options, const std::string& id) {
  Client client(options);
  app::GroupSession session = client.call(app::ShowGroupSession{id});
  if (options.json) return print_json(group_session_json(session));
  print_group_session(session);
}

}  // namespace

void add_hours_group_commands(CLI::App& hours, GlobalOptions& options) {
  auto args = std::make_shared<GroupArgs>();
  CLI::App* group = add_command(hours, "group",
                                "Log one session given to several members or by several volunteers (a lunch "
                                "club): one entry, pending until confirmed");
  group->add_option("--as", args->as, "A coordinator, or one of the volunteers")->required();
  group->add_option("--volunteer", args->volunteers,
                    "A volunteer at the session, NAME or NAME=DURATION; repeat for each (default: --as)");
  group->add_option("--with", args->with, "The members helped, in order (their shares are dealt in it)")
      ->delimiter(',');
  group->add_option("--duration", args->duration, "The session's length (2h, 90, 1h30): each volunteer's time");
  group->add_option("--category", args->category, "e.g. lunch-club (see `policy show`)")->required();
  group->add_option("--date", args->date, "Day of the session, YYYY-MM-DD, today or yesterday")->required();
  group->add_flag("--pool", args->pool, "The co-op pool pays (service users; the default when all are)");
  group->add_flag("--shared", args->shared,
                  "The members helped share the cost (the default when none is a service user)");
  group->add_option("--note-private,--note", args->note, "A private note, kept off the signed log");
  group->callback([&options, args] { run_hours_group(options, *args); });

  auto id = std::make_shared<std::string>();
  CLI::App* show = add_command(hours, "group-show", "Show a group session and each member's share");
  show->add_option("id", *id, "The session's id (or its first 8+ digits)")->required();
  show->callback([&options, id] { run_hours_group_show(options, *id); });
}

}  // namespace cohours::cli
