// Read-only views: balances, statements, the log itself.
#include <algorithm>
#include <map>

#include "client.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

const char* kind_word(AccountKind kind) {
  return kind == AccountKind::pool ? "pool" : kind == AccountKind::member ? "member" : "clearing";
}

void run_balance(const GlobalOptions& options, const std::string& alias) {
  Client client(options);
  app::Balances result = client.call(app::ShowBalances{alias});
  nlohmann::json list = nlohmann::json::array();
  Table table({"ACCOUNT", "BALANCE", "PENDING IN", "PENDING OUT"}, {false, true, true, true});
  for (const auto& [account, name, b] : result.accounts) {
    list.push_back({{"account", name},
                    {"kind", kind_word(account.kind)},
                    {"key", to_hex(account.key)},
                    {"balance_minutes", b.balance_minutes},
                    {"pending_minutes", b.pending_minutes()},
                    {"pending_in_minutes", b.pending_in_minutes},
                    {"pending_out_minutes", b.pending_out_minutes}});
    table.add({name, format_minutes(b.balance_minutes), format_minutes(b.pending_in_minutes),
               format_minutes(b.pending_out_minutes)});
  }
  if (options.json) {
    nlohmann::json out = {{"accounts", list}};
    if (alias.empty()) out["sum_minutes"] = result.sum_minutes;
    return print_json(out);
  }
  out() << table.render();
  if (alias.empty())
    out() << "\nAll balances sum to " << format_minutes(result.sum_minutes)
          << " (every credit a member holds was paid by another account or the pool).\n";
}

// "you gave bob 2 hours" / "bob gave you 2 hours": who gained is never
// ambiguous. The pool's statement names both members.
std::string posting_text(const app::Statement& statement, const app::StatementLine& line) {
  const std::int64_t change = line.change_minutes;
  std::string amount = describe_minutes(change < 0 ? -change : change);
  if (!line.about) return (change > 0 ? "received " : "paid ") + amount;
  const app::MovementView& m = *line.about;
  const std::string& other = line.counterparty;
  if (line.reversal)
    return "reversal: " + amount + (change > 0 ? " returned from " : " returned to ") + other;
  if (m.kind == MovementKind::opening) {
    if (statement.kind == AccountKind::pool)
      return "opening balance of " + m.provider + " brought over (" + (change < 0 ? "paid " : "received ") + amount +
             ")";
    return "opening balance brought over: " + amount + (change > 0 ? " in credit" : " owed");
  }
  if (m.kind == MovementKind::transfer)
    return change > 0 ? other + " gave you " + amount + " of credit"
                      : "you gave " + other + " " + amount + " of credit";
  std::string what = " of " + app::describe_group_part(m) + " on " + format_date(m.date_days);
  std::string recipient = m.recipient.empty() ? "the community" : m.recipient;
  if (statement.kind == AccountKind::pool)
    return m.provider + " gave " + recipient + " " + amount + what + " (paid by the pool)";
  if (change > 0) return "you gave " + recipient + " " + amount + what + " (paid by " + other + ")";
  return m.provider + " gave you " + amount + what;
}

std::string pending_text(const app::Statement& statement, const app::PendingLine& p) {
  const app::MovementView& m = p.movement;
  std::string to = m.recipient.empty() ? "the community" : m.recipient;
  std::string what = describe_minutes(m.minutes) + " of " + app::describe_group_part(m) + " on " +
                     format_date(m.date_days);
  if (p.incoming)
    return "you gave " + to + " " + what + ", waiting for " + (m.recipient.empty() ? "a coordinator" : to) +
           " to confirm";
  return m.provider + " gave " + (statement.kind == AccountKind::pool ? to : "you") + " " + what +
         ", waiting for confirmation";
}

constexpr const char* kCreditsAreNotCash =
    "Time credits are not money. They cannot be exchanged for cash, goods or services paid in cash, and are "
    "not wages or income: one credit records one hour of help given or received. The cash amounts above only "
    "repay costs the member paid for the co-op (travel, childcare, meals, uniform), against receipts.";

// How the figures are dated: said beside them (docs/decisions.md).
constexpr const char* kStatementDates =
    "Hours count on the day the help was given, transfers and reversals on the day they were recorded; "
    "RECORDED shows the day the ledger recorded a line where that was another day.";
constexpr const char* kPaymentDates =
    "Each payment counts in the month the co-op paid it (the date the admin gave when recording it), "
    "whenever it was entered in the ledger.";

void run_statement(const GlobalOptions& options, const std::string& alias, const std::string& from_text,
                   const std::string& to_text, const std::string& month, bool benefits, const std::string& viewer) {
  app::ShowStatement request{alias, INT32_MIN, INT32_MAX, viewer};
  if (!month.empty()) {
    if (!from_text.empty() || !to_text.empty()) usage_error("give --month, or --from and --to, not both");
    const app::DayRange range = parse_month_arg(month, "--month");
    request.from_days = range.first;
    request.to_days = range.last;
  }
  if (!from_text.empty()) request.from_days = parse_date_arg(from_text, "--from");
  if (!to_text.empty()) request.to_days = parse_date_arg(to_text, "--to");
  if (request.from_days > request.to_days) fail(Code::bad_date, "--from is after --to");
  Client client(options);
  app::Statement s = client.call(request);
  if (benefits && s.kind != AccountKind::member) usage_error("--benefits is for a member's statement");

  nlohmann::json lines = nlohmann::json::array();
  Table table({"SEQ", "DATE", "RECORDED", "WHAT", "CHANGE", "BALANCE"},
              {true, false, false, false, true, true});
  for (const auto& line : s.lines) {
    std::string text = posting_text(s, line);
    lines.push_back({{"seq", line.seq},
                     {"date", format_date(line.date_days)},
                     {"posted", format_date(line.posted_days)},
                     {"description", text},
                     {"change_minutes", line.change_minutes},
                     {"balance_after_minutes", line.balance_after_minutes},
                     {"entry", to_hex(line.entry)},
                     {"movement", line.about ? to_hex(line.about->id) : ""}});
    table.add({std::to_string(line.seq), format_date(line.date_days),
               line.posted_days == line.date_days ? "" : format_date(line.posted_days), text,
               (line.change_minutes > 0 ? "+" : "") + format_minutes(line.change_minutes),
               format_minutes(line.balance_after_minutes)});
  }
  nlohmann::json pending = nlohmann::json::array();
  for (const auto& p : s.pending)
    pending.push_back({{"id", to_hex(p.movement.id)},
                       {"date", format_date(p.movement.date_days)},
                       {"description", pending_text(s, p)},
                       {"minutes", p.incoming ? p.movement.minutes : -p.movement.minutes}});
  nlohmann::json claims = nlohmann::json::array();
  for (const auto& c : s.expenses)
    claims.push_back({{"id", to_hex(c.id)},
                      {"date", format_date(c.date_days)},
                      {"category", expense_category_name(c.category)},
                      {"pence", c.pence},
                      {"currency", s.currency},
                      {"status", expense_status_name(c.status)}});
  if (options.json) {
    nlohmann::json out = {{"account", s.account},
                          {"balance_minutes", s.closing_minutes},
                          {"opening_minutes", s.opening_minutes},
                          {"pending_minutes", s.pending_minutes},
                          {"lines", lines},
                          {"pending", pending},
                          {"expenses", claims},
                          {"dates", kStatementDates}};
    if (benefits) {
      nlohmann::json months = nlohmann::json::array(), payments = nlohmann::json::array();
      for (const auto& [month, pence] : s.reimbursed_by_month)
        months.push_back({{"month", month}, {"paid_pence", pence}});
      for (const auto& p : s.payments)
        payments.push_back({{"id", to_hex(p.id)},
                            {"paid", format_date(p.paid_days)},
                            {"recorded", format_date(p.paid_recorded_days)},
                            {"category", expense_category_name(p.category)},
                            {"pence", p.pence}});
      out["benefits"] = {{"currency", s.currency},
                         {"reimbursed_by_month", months},
                         {"payments", payments},
                         {"dates", kPaymentDates},
                         {"statement", kCreditsAreNotCash}};
    }
    return print_json(out);
  }
  if (benefits) {
    out() << "Statement of support for " << s.account << " from " << s.node_name
          << (from_text.empty() ? "" : ", from " + from_text) << (to_text.empty() ? "" : " to " + to_text)
          << "\n\n"
          << "Cash reimbursed for expenses, by month paid (" << s.currency << "):\n";
    if (s.reimbursed_by_month.empty()) out() << "  none\n";
    for (const auto& [month, pence] : s.reimbursed_by_month) {
      out() << "  " << month << "  " << format_pence(pence) << "\n";
      for (const auto& p : s.payments) {
        if (format_date(p.paid_days).substr(0, 7) != month) continue;
        out() << "      paid " << format_date(p.paid_days) << "  " << expense_category_name(p.category)
              << "  " << format_pence(p.pence)
              << (p.paid_recorded_days == p.paid_days
                      ? ""
                      : "  (recorded " + format_date(p.paid_recorded_days) + ")")
              << "\n";
      }
    }
    out() << kPaymentDates << "\n";
    const std::int64_t balance = s.closing_minutes;
    out() << "\nTime credits: balance " << format_minutes(balance) << " ("
          << describe_minutes(balance < 0 ? -balance : balance) << (balance < 0 ? " owed in help" : "")
          << ").\n\n"
          << kCreditsAreNotCash << "\n";
    return;
  }
  out() << "Statement for " << s.account << "\n\n" << table.render();
  out() << "\nBalance: " << format_minutes(s.closing_minutes) << "\n" << kStatementDates << "\n";
  if (!s.pending.empty()) {
    out() << "\nPending (not yet in the balance):\n";
    for (const auto& p : s.pending)
      out() << "  " << pending_text(s, p) << "  [" << to_hex(p.movement.id).substr(0, 12) << "]\n";
  }
  if (!s.expenses.empty()) {
    out() << "\nExpenses (cash, " << s.currency << ", never credits):\n";
    for (const auto& c : s.expenses)
      out() << "  " << format_date(c.date_days) << "  " << expense_category_name(c.category) << "  "
            << format_pence(c.pence) << "  " << expense_status_name(c.status) << "\n";
  }
}

void run_log_show(const GlobalOptions& options, std::uint64_t from, std::uint64_t to) {
  Client client(options);
  // Asked for in pages: one answer for a large log passes the control
  // socket's 16 MiB limit (43,554 records made 19 MB). The end is fixed by
  // the first answer, so records appended meanwhile are not chased.
  constexpr std::uint64_t kPage = 4096;
  app::LogRecords log = client.call(app::ShowLog{from, to ? std::min(to, from + kPage - 1) : from + kPage - 1});
  const std::uint64_t end = to ? std::min(to, log.log_size) : log.log_size;
  for (std::uint64_t first = from + kPage; first <= end && !log.records.empty(); first += kPage) {
    app::LogRecords page = client.call(app::ShowLog{first, std::min(end, first + kPage - 1)});
    if (page.records.empty()) break;
    log.records.insert(log.records.end(), std::make_move_iterator(page.records.begin()),
                       std::make_move_iterator(page.records.end()));
  }
  nlohmann::json list = nlohmann::json::array();
  Table table({"SEQ", "RECEIVED", "KIND", "SIGNED BY", "SUMMARY", "ID"}, {true});
  for (const auto& r : log.records) {
    list.push_back({{"seq", r.seq},
                    {"id", to_hex(r.id)},
                    {"kind", kind_name(r.kind)},
                    {"author", to_hex(r.author)},
                    {"on_behalf", r.on_behalf.is_zero() ? "" : to_hex(r.on_behalf)},
                    {"signed_by", r.signed_by},
                    {"created", format_time_ms(r.created_ms)},
                    {"received", format_time_ms(r.received_ms)},
                    {"summary", r.summary},
                    {"prev_hash", to_hex(r.prev_hash)}});
    table.add({std::to_string(r.seq), format_time_ms(r.received_ms), kind_name(r.kind), r.signed_by,
               r.summary, to_hex(r.id).substr(0, 12)});
  }
  if (options.json) return print_json({{"log_size", log.log_size}, {"records", list}});
  out() << table.render() << "(" << log.log_size << " records in the log)\n";
}

void run_log_head(const GlobalOptions& options) {
  Client client(options);
  app::LogHead head = client.call(app::ShowHead{});
  if (options.json)
    return print_json({{"log", to_hex(head.log)},
                       {"size", head.size},
                       {"root", to_hex(head.root)},
                       {"time", format_time_ms(head.time_ms)},
                       {"signature", head.signature_hex},
                       {"signed_head", head.encoded_hex}});
  out() << "log " << to_hex(head.log) << "\nsize " << head.size << "\nroot " << to_hex(head.root)
        << "\nsigned " << format_time_ms(head.time_ms) << "\n"
        << "# keep the next line; `cohours audit verify --known-head FILE` proves later logs extend it\n"
        << head.encoded_hex << "\n";
}

}  // namespace

void add_report_commands(CLI::App& app, GlobalOptions& options) {
  auto alias = std::make_shared<std::string>();
  CLI::App* balance =
      add_command(app, "balance", "Balances of every account, or of one member ('pool' for the pool)");
  balance->add_option("alias", *alias);
  balance->callback([&options, alias] { run_balance(options, *alias); });

  auto from = std::make_shared<std::string>(), to = std::make_shared<std::string>();
  CLI::App* statement = add_command(app, "statement", "Every credit in and out of one account, in order");
  statement->add_option("alias", *alias, "A member alias, or 'pool'")->required();
  statement->add_option("--from", *from, "First day, YYYY-MM-DD");
  statement->add_option("--to", *to, "Last day, YYYY-MM-DD");
  auto month = std::make_shared<std::string>();
  statement->add_option("--month", *month, "One calendar month, YYYY-MM (instead of --from and --to)");
  auto benefits = std::make_shared<bool>(false);
  auto viewer = std::make_shared<std::string>();
  statement->add_flag("--benefits", *benefits,
                      "Cash reimbursed per month, and that time credits are not cash");
  statement->add_option("--as", *viewer, "Who is asking: the member themself, an admin or an auditor");
  statement->callback([&options, alias, from, to, month, benefits, viewer] {
    run_statement(options, *alias, *from, *to, *month, *benefits, *viewer);
  });

  CLI::App* log = add_command(app, "log", "Read the node's signed log");
  log->require_subcommand(1);
  auto first = std::make_shared<std::uint64_t>(1), last = std::make_shared<std::uint64_t>(0);
  CLI::App* show = add_command(*log, "show", "Show records in order");
  show->add_option("--from", *first, "First sequence number (default 1)")->check(CLI::PositiveNumber);
  show->add_option("--to", *last, "Last sequence number (default: the end)")->check(CLI::PositiveNumber);
  show->callback([&options, first, last] { run_log_show(options, *first, *last); });
  CLI::App* head = add_command(*log, "head", "Print the latest signed tree head, to keep for later audits");
  head->callback([&options] { run_log_head(options); });
}

}  // namespace cohours::cli
