// Commands that move credits: hours, respite, transfers, reversals.

#include "client.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

// Prints the outcome: a sentence for people, then the id alone on its own
// line (scripts take the last line), or JSON with "id".
void report(const GlobalOptions& options, const app::Accepted& entry, const std::string& sentence,
            nlohmann::json extra = nlohmann::json::object()) {
  if (options.json) {
    extra["id"] = to_hex(entry.id);
    extra["seq"] = entry.seq;
    extra["duplicate"] = entry.duplicate;
    return print_json(extra);
  }
  out() << sentence << "\n" << to_hex(entry.id) << "\n";
}

std::string recipient_of(const app::MovementView& m) {
  return m.recipient.empty() ? "the community" : m.recipient;
}

std::string describe_movement(const app::MovementView& m) {
  return m.provider + " gave " + recipient_of(m) + " " + describe_minutes(m.minutes) +
         (m.category.empty() ? "" : " of " + app::describe_group_part(m)) + " on " + format_date(m.date_days);
}

// A group session's shares closed by one confirm or void (hours group):
// "bob's share (1 of 6) of lunch-club on 2026-11-24: 35 minutes from the
// co-op pool to 2 volunteers".
std::string describe_group_shares(const app::MovementView& m) {
  std::string whose = m.group_members == 0 ? "the community group session"
                      : m.member_number > 0
                          ? m.recipient + "'s share (" + std::to_string(m.member_number) + " of " +
                                std::to_string(m.group_members) + ")"
                          : "the shares of " + m.recipient;
  return whose + " of " + m.category + " on " + format_date(m.date_days) + ": " + describe_minutes(m.minutes) +
         " from " + (m.pool_pays ? std::string("the co-op pool") : m.payer) + " to " + m.provider;
}

struct LogArgs {
  std::string as, on_behalf_of, to, minutes, category, date, note;
  bool again = false;
};

void run_hours_log(const GlobalOptions& options, const LogArgs& args) {
  app::LogHours request{args.as,       args.on_behalf_of,
                        args.to,       parse_minutes_arg(args.minutes, "--minutes"),
                        args.category, parse_date_arg(args.date, "--date"),
                        args.note,         args.again};
  Client client(options);
  app::HoursLogged logged = client.call(request);
  const app::MovementView& m = logged.movement;
  std::string confirmer = m.recipient.empty() ? "a coordinator" : m.recipient;
  report(options, logged.entry,
         logged.provider + " gave " + recipient_of(m) + " " + describe_minutes(m.minutes) + " of " +
             m.category + " on " + format_date(m.date_days) + " (paid by " +
             (m.pool_pays ? "the co-op pool" : m.recipient) + "). Pending until " + confirmer +
             " confirms it.");
}

void run_hours_confirm(const GlobalOptions& options, const std::string& id, const std::string& as,
                       const std::string& for_member) {
  Client client(options);
  app::HoursClosed closed = client.call(app::ConfirmHours{id, as, for_member});
  const app::MovementView& m = closed.movement;
  if (m.group) return report(options, closed.entry, "Confirmed: " + describe_group_shares(m) + ".");
  report(options, closed.entry,
         "Confirmed: " + describe_movement(m) + ". " + m.payee + " receives " + describe_minutes(m.minutes) +
             " from " + m.payer + ".");
}

void run_hours_void(const GlobalOptions& options, const std::string& id, const std::string& as,
                    const std::string& reason) {
  Client client(options);
  app::HoursClosed closed = client.call(app::VoidHours{id, as, reason});
  if (closed.movement.group)
    return report(options, closed.entry,
                  "Voided: " + describe_group_shares(closed.movement) + ". No credits moved.");
  report(options, closed.entry, "Voided: " + describe_movement(closed.movement) + ". No credits moved.");
}

struct RequestArgs {
  std::string as, minutes, date, note;
};

void run_respite_request(const GlobalOptions& options, const RequestArgs& args) {
  app::RequestRespite request{args.as, parse_minutes_arg(args.minutes, "--minutes"),
                              parse_date_arg(args.date, "--date"), args.note};
  Client client(options);
  app::RespiteDone done = client.call(request);
  report(options, done.entry,
         done.request.carer + " asks for " + describe_minutes(done.request.minutes) + " of respite on " +
             format_date(done.request.date_days) +
             ". A volunteer takes it with `cohours respite offer ID --as VOLUNTEER`.");
}

void run_respite_offer(const GlobalOptions& options, const std::string& id, const std::string& as) {
  Client client(options);
  app::RespiteDone done = client.call(app::OfferRespite{id, as});
  const std::string& carer = done.request.carer;
  report(options, done.entry,
         done.volunteer + " will give " + carer + " " + describe_minutes(done.request.minutes) +
             " of respite on " + format_date(done.request.date_days) + ", paid by " + carer +
             ". Afterwards " + carer + " confirms it with `cohours hours confirm ID --as " + carer + "`.");
}

void run_respite_cancel(const GlobalOptions& options, const std::string& id, const std::string& as) {
  Client client(options);
  app::RespiteDone done = client.call(app::CancelRespite{id, as});
  std::string offer =
      done.request.status == RequestStatus::offered ? " The pending offer on it was voided." : "";
  report(options, done.entry, "Cancelled the respite request of " + done.request.carer + "." + offer);
}

void run_respite_list(const GlobalOptions& options, const std::string& status) {
  app::ListRespite request;
  for (auto s : {RequestStatus::open, RequestStatus::offered, RequestStatus::done, RequestStatus::cancelled})
    if (status == request_status_name(s)) request.status = s;
  Client client(options);
  app::RespiteList list = client.call(request);
  nlohmann::json rows = nlohmann::json::array();
  Table table({"REQUEST", "CARER", "DATE", "TIME", "STATUS", "OFFER"}, {false, false, false, true});
  for (const auto& r : list.requests) {
    std::string state = request_status_name(r.status);
    rows.push_back({{"id", to_hex(r.id)},
                    {"carer", r.carer},
                    {"date", format_date(r.date_days)},
                    {"minutes", r.minutes},
                    {"status", state},
                    {"offer", r.offer.is_zero() ? "" : to_hex(r.offer)}});
    table.add({to_hex(r.id).substr(0, 12), r.carer, format_date(r.date_days), format_minutes(r.minutes),
               state, r.offer.is_zero() ? "" : to_hex(r.offer).substr(0, 12)});
  }
  if (options.json) return print_json({{"requests", rows}});
  out() << table.render();
}

struct TransferArgs {
  std::string as, to, minutes, memo;
};

void run_transfer(const GlobalOptions& options, const TransferArgs& args) {
  app::SendCredits request{args.as, args.to, parse_minutes_arg(args.minutes, "--minutes"), args.memo};
  Client client(options);
  app::CreditsSent sent = client.call(request);
  if (!sent.other_node.empty())
    return report(options, sent.entry,
                  sent.sender + " sent " + sent.recipient + " " + describe_minutes(request.minutes) +
                      " of credit. It arrives when " + sent.other_node +
                      " records it (`cohours clearing` shows transfers in flight).");
  report(options, sent.entry,
         sent.sender + " gave " + sent.recipient + " " + describe_minutes(request.minutes) + " of credit.");
}

void run_reverse(const GlobalOptions& options, const std::string& id, const std::string& as,
                 const std::string& reason) {
  Client client(options);
  app::Reversed reversed = client.call(app::Reverse{id, as, reason});
  const app::MovementView& m = reversed.movement;
  report(options, reversed.entry,
         "Reversed: " + m.payee + " returns " + describe_minutes(m.minutes) + " to " + m.payer + ".");
}

}  // namespace

void add_exchange_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* hours = add_command(app, "hours", "Log, confirm and void hours of help");
  hours->require_subcommand(1);
  auto log = std::make_shared<LogArgs>();
  CLI::App* log_cmd = add_command(*hours, "log", "Log hours you gave (pending until the recipient confirms)");
  log_cmd->add_option("--as", log->as, "Who gave the help (or the coordinator entering a timesheet)")
      ->required();
  log_cmd->add_option(
      "--on-behalf-of", log->on_behalf_of,
      "The volunteer, when a coordinator enters their timesheet (ALIAS@NODE: a volunteer of another co-op)");
  log_cmd->add_option("--to", log->to, "Who received the help, or 'community'")->required();
  log_cmd->add_option("--minutes", log->minutes, "Whole minutes (120 = 2 hours)")->required();
  log_cmd->add_option("--category", log->category, "e.g. befriending, transport (see `policy show`)")
      ->required();
  log_cmd->add_option("--date", log->date, "Day the help was given, YYYY-MM-DD")->required();
  log_cmd->add_option("--note-private", log->note, "A private note, kept off the signed log");
  log_cmd->add_flag("--again", log->again,
                    "Log it although the same hours (volunteer, recipient, day, length) are already logged");
  log_cmd->callback([&options, log] { run_hours_log(options, *log); });
  add_hours_import_command(*hours, options);
  add_hours_group_commands(*hours, options);

  auto target = std::make_shared<std::string>();
  auto as = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  CLI::App* confirm = add_command(*hours, "confirm", "Confirm hours you received (moves the credits)");
  confirm->add_option("id", *target, "The hours entry id (or its first 8+ digits)")->required();
  confirm->add_option("--as", *as, "The recipient, or a coordinator on their behalf")->required();
  auto for_member = std::make_shared<std::string>();
  confirm->add_option("--for", *for_member,
                      "A group session: the one member whose share a coordinator confirms (default: every share)");
  confirm->callback([&options, target, as, for_member] { run_hours_confirm(options, *target, *as, *for_member); });
  CLI::App* void_cmd = add_command(*hours, "void", "Cancel pending hours");
  void_cmd->add_option("id", *target)->required();
  void_cmd->add_option("--as", *as, "The provider, the recipient or a coordinator")->required();
  void_cmd->add_option("--reason", *reason, "Why, kept off the signed log");
  void_cmd->callback([&options, target, as, reason] { run_hours_void(options, *target, *as, *reason); });

  CLI::App* respite = add_command(app, "respite", "Carers ask for respite; volunteers offer it");
  respite->require_subcommand(1);
  auto request = std::make_shared<RequestArgs>();
  CLI::App* request_cmd = add_command(*respite, "request", "Ask for respite (a carer)");
  request_cmd->add_option("--as", request->as, "The carer")->required();
  request_cmd->add_option("--minutes", request->minutes, "How long, in whole minutes")->required();
  request_cmd->add_option("--date", request->date, "When, YYYY-MM-DD")->required();
  request_cmd->add_option("--note-private", request->note, "A private note, kept off the signed log");
  request_cmd->callback([&options, request] { run_respite_request(options, *request); });
  CLI::App* offer = add_command(*respite, "offer", "Take a respite request (a volunteer)");
  offer->add_option("id", *target, "The request id")->required();
  offer->add_option("--as", *as, "The volunteer")->required();
  offer->callback([&options, target, as] { run_respite_offer(options, *target, *as); });
  CLI::App* cancel = add_command(*respite, "cancel", "Withdraw a respite request");
  cancel->add_option("id", *target, "The request id")->required();
  cancel->add_option("--as", *as, "The carer, or a coordinator")->required();
  cancel->callback([&options, target, as] { run_respite_cancel(options, *target, *as); });
  auto status = std::make_shared<std::string>();
  CLI::App* list = add_command(*respite, "list", "List respite requests");
  list->add_option("--status", *status, "open, offered, done or cancelled")
      ->check(CLI::IsMember({"open", "offered", "done", "cancelled"}));
  list->callback([&options, status] { run_respite_list(options, *status); });

  auto transfer = std::make_shared<TransferArgs>();
  CLI::App* transfer_cmd = add_command(app, "transfer", "Give credits to another member");
  transfer_cmd->add_option("--as", transfer->as, "Who gives")->required();
  transfer_cmd->add_option("--to", transfer->to, "Who receives")->required();
  transfer_cmd->add_option("--minutes", transfer->minutes, "Whole minutes")->required();
  transfer_cmd->add_option("--memo", transfer->memo, "A message, kept off the signed log");
  transfer_cmd->callback([&options, transfer] { run_transfer(options, *transfer); });

  CLI::App* reverse = add_command(app, "reverse", "Undo confirmed hours or a transfer (an admin)");
  reverse->add_option("id", *target, "The hours.log, respite.offer or transfer entry id")->required();
  reverse->add_option("--as", *as, "The admin")->required();
  reverse->add_option("--reason", *reason, "Why, kept off the signed log");
  reverse->callback([&options, target, as, reason] { run_reverse(options, *target, *as, *reason); });
}

}  // namespace cohours::cli
