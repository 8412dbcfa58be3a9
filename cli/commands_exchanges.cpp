// Commands that move credits: hours, respite, transfers, reversals.

#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

// Prints the outcome: a sentence for people, then the id alone on its own
// line (scripts take the last line), or JSON with "id".
void report(const GlobalOptions& options, const SubmitResult& result, const std::string& sentence,
            nlohmann::json extra = nlohmann::json::object()) {
  if (options.json) {
    extra["id"] = to_hex(result.id);
    extra["seq"] = result.seq;
    extra["duplicate"] = result.duplicate;
    return print_json(extra);
  }
  out() << sentence << "\n" << to_hex(result.id) << "\n";
}

Hash32 note_digest(Session& session, const std::string& text) {
  return session.put_note(text);
}

struct LogArgs {
  std::string as, on_behalf_of, to, minutes, category, date, note;
};

void run_hours_log(const GlobalOptions& options, const LogArgs& args) {
  Session session(options);
  PublicKey author = session.member_key(args.as);
  // A volunteer of another co-op (ALIAS@NODE): the hours are logged here,
  // where they are paid, and reach the volunteer through clearing.
  std::optional<RemoteMember> visitor =
      args.on_behalf_of.empty() ? std::nullopt : resolve_remote_member(session, args.on_behalf_of);
  PublicKey provider = args.on_behalf_of.empty() ? author
                       : visitor                 ? visitor->member
                                                 : session.member_key(args.on_behalf_of);
  HoursLog body;
  body.minutes = parse_minutes_arg(args.minutes, "--minutes");
  body.category = args.category;
  body.date_days = parse_date_arg(args.date, "--date");
  std::string recipient_name = "the community";
  if (args.to == "community") {
    body.payer = Payer::pool;
  } else {
    body.recipient = session.member_key(args.to);
    MemberInfo recipient = check(session.ledger().member(body.recipient));
    // Service users do not pay: their help comes out of the co-op pool.
    body.payer = (recipient.roles & role_service_user) ? Payer::pool : Payer::recipient;
    recipient_name = session.name_of(body.recipient);
  }
  if (!valid_category(body.category))
    fail(Code::unknown_category,
         "category '" + body.category + "' is not allowed (see `cohours policy show`)");
  body.note_digest = note_digest(session, args.note);
  auto result = visitor ? session.submit_as(author, RemoteHoursLog{visitor->member, visitor->node, body})
                        : session.submit_as(author, body, args.on_behalf_of.empty() ? PublicKey{} : provider);
  std::string confirmer = body.recipient.is_zero() ? "a coordinator" : recipient_name;
  report(options, result,
         (visitor ? args.on_behalf_of : session.name_of(provider)) + " gave " + recipient_name + " " +
             describe_minutes(body.minutes) + " of " + body.category + " on " + format_date(body.date_days) +
             " (paid by " + (body.payer == Payer::pool ? "the co-op pool" : recipient_name) +
             "). Pending until " + confirmer + " confirms it.");
}

// Who signs for whom: the recipient confirms their own hours; a coordinator
// confirming for a member signs on their behalf.
PublicKey on_behalf_for(Session& session, const PublicKey& signer, const Movement& movement) {
  if (signer == movement.recipient || movement.recipient.is_zero()) return {};
  MemberInfo member = check(session.ledger().member(signer));
  if (member.roles & role_coordinator) return movement.recipient;
  return {};
}

std::string describe_movement(Session& session, const Movement& m) {
  std::string to = m.recipient.is_zero() ? "the community" : session.name_of(m.recipient);
  return session.name_of(m.provider) + " gave " + to + " " + describe_minutes(m.minutes) +
         (m.category.empty() ? "" : " of " + m.category) + " on " + format_date(m.date_days);
}

void run_hours_confirm(const GlobalOptions& options, const std::string& id_text, const std::string& as) {
  Session session(options);
  PublicKey signer = session.member_key(as);
  EntryId target = session.resolve_id(id_text);
  auto found = session.ledger().movement(target);
  if (!found.ok() || found->kind == MovementKind::transfer)
    fail(Code::unknown_entry,
         "entry " + id_text +
             " is not an hours entry (give the id printed by `hours log` or `respite offer`)");
  Movement movement = found.value();
  auto result = session.submit_as(signer, HoursConfirm{target}, on_behalf_for(session, signer, movement));
  report(options, result,
         "Confirmed: " + describe_movement(session, movement) + ". " + session.account_name(movement.payee) +
             " receives " + describe_minutes(movement.minutes) + " from " +
             session.account_name(movement.payer) + ".");
}

void run_hours_void(const GlobalOptions& options, const std::string& id_text, const std::string& as,
                    const std::string& reason) {
  Session session(options);
  PublicKey signer = session.member_key(as);
  EntryId target = session.resolve_id(id_text);
  auto found = session.ledger().movement(target);
  if (!found.ok() || found->kind == MovementKind::transfer)
    fail(Code::unknown_entry, "entry " + id_text + " is not an hours entry");
  // A coordinator voids in their own name: the rules allow it without acting for anyone.
  auto result = session.submit_as(signer, HoursVoid{target, note_digest(session, reason)});
  report(options, result, "Voided: " + describe_movement(session, found.value()) + ". No credits moved.");
}

struct RequestArgs {
  std::string as, minutes, date, note;
};

void run_respite_request(const GlobalOptions& options, const RequestArgs& args) {
  Session session(options);
  PublicKey carer = session.member_key(args.as);
  RespiteRequest body{parse_minutes_arg(args.minutes, "--minutes"), parse_date_arg(args.date, "--date"), {}};
  body.note_digest = note_digest(session, args.note);
  auto result = session.submit_as(carer, body);
  report(options, result,
         session.name_of(carer) + " asks for " + describe_minutes(body.minutes) + " of respite on " +
             format_date(body.date_days) +
             ". A volunteer takes it with `cohours respite offer ID --as VOLUNTEER`.");
}

void run_respite_offer(const GlobalOptions& options, const std::string& id_text, const std::string& as) {
  Session session(options);
  PublicKey volunteer = session.member_key(as);
  EntryId request_id = session.resolve_id(id_text);
  RespiteRequestState request = check(session.ledger().respite_request(request_id));
  auto result = session.submit_as(volunteer, RespiteOffer{request_id});
  std::string carer = session.name_of(request.carer);
  report(options, result,
         session.name_of(volunteer) + " will give " + carer + " " + describe_minutes(request.minutes) +
             " of respite on " + format_date(request.date_days) + ", paid by " + carer + ". Afterwards " +
             carer + " confirms it with `cohours hours confirm ID --as " + carer + "`.");
}

void run_respite_cancel(const GlobalOptions& options, const std::string& id_text, const std::string& as) {
  Session session(options);
  PublicKey signer = session.member_key(as);
  EntryId request_id = session.resolve_id(id_text);
  RespiteRequestState request = check(session.ledger().respite_request(request_id));
  PublicKey behalf;
  if (signer != request.carer) {
    MemberInfo member = check(session.ledger().member(signer));
    if (member.roles & role_coordinator) behalf = request.carer;
  }
  auto result = session.submit_as(signer, RespiteCancel{request_id}, behalf);
  std::string offer = request.status == RequestStatus::offered ? " The pending offer on it was voided." : "";
  report(options, result, "Cancelled the respite request of " + session.name_of(request.carer) + "." + offer);
}

void run_respite_list(const GlobalOptions& options, const std::string& status) {
  Session session(options);
  auto requests = check(session.ledger().respite_requests());
  nlohmann::json list = nlohmann::json::array();
  Table table({"REQUEST", "CARER", "DATE", "TIME", "STATUS", "OFFER"}, {false, false, false, true});
  for (const auto& r : requests) {
    std::string state = request_status_name(r.status);
    if (!status.empty() && status != state) continue;
    list.push_back({{"id", to_hex(r.id)},
                    {"carer", session.name_of(r.carer)},
                    {"date", format_date(r.date_days)},
                    {"minutes", r.minutes},
                    {"status", state},
                    {"offer", r.offer.is_zero() ? "" : to_hex(r.offer)}});
    table.add({to_hex(r.id).substr(0, 12), session.name_of(r.carer), format_date(r.date_days),
               format_minutes(r.minutes), state, r.offer.is_zero() ? "" : to_hex(r.offer).substr(0, 12)});
  }
  if (options.json) return print_json({{"requests", list}});
  out() << table.render();
}

struct TransferArgs {
  std::string as, to, minutes, memo;
};

void run_transfer(const GlobalOptions& options, const TransferArgs& args) {
  Session session(options);
  PublicKey sender = session.member_key(args.as);
  if (auto remote = resolve_remote_member(session, args.to)) {
    // A member of another co-op: transfer.out here, transfer.in there.
    TransferOut body{remote->member, remote->node, parse_minutes_arg(args.minutes, "--minutes"), {}};
    body.memo_digest = note_digest(session, args.memo);
    auto result = session.submit_as(sender, body);
    report(options, result,
           session.name_of(sender) + " sent " + args.to + " " + describe_minutes(body.minutes) +
               " of credit. It arrives when " + remote->node_name +
               " records it (`cohours clearing` shows transfers in flight).");
    return;
  }
  Transfer body{session.member_key(args.to), parse_minutes_arg(args.minutes, "--minutes"), {}};
  body.memo_digest = note_digest(session, args.memo);
  auto result = session.submit_as(sender, body);
  report(options, result,
         session.name_of(sender) + " gave " + session.name_of(body.to) + " " +
             describe_minutes(body.minutes) + " of credit.");
}

void run_reverse(const GlobalOptions& options, const std::string& id_text, const std::string& as,
                 const std::string& reason) {
  Session session(options);
  PublicKey admin = session.member_key(as);
  EntryId target = session.resolve_id(id_text);
  // The engine says what may be reversed; the movement is read afterwards.
  auto result = session.submit_as(admin, Reversal{target, note_digest(session, reason)});
  Movement movement = check(session.ledger().movement(target));
  report(options, result,
         "Reversed: " + session.account_name(movement.payee) + " returns " +
             describe_minutes(movement.minutes) + " to " + session.account_name(movement.payer) + ".");
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
  log_cmd->callback([&options, log] { run_hours_log(options, *log); });

  auto target = std::make_shared<std::string>();
  auto as = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  CLI::App* confirm = add_command(*hours, "confirm", "Confirm hours you received (moves the credits)");
  confirm->add_option("id", *target, "The hours entry id (or its first 8+ digits)")->required();
  confirm->add_option("--as", *as, "The recipient, or a coordinator on their behalf")->required();
  confirm->callback([&options, target, as] { run_hours_confirm(options, *target, *as); });
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
