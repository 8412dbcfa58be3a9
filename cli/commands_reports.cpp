// Read-only views: balances, statements, the log itself.
#include <algorithm>
#include <map>

#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

nlohmann::json balance_json(Session& session, const AccountId& account, const Balance& b) {
  return {{"account", session.account_name(account)},
          {"kind", account.kind == AccountKind::pool     ? "pool"
                   : account.kind == AccountKind::member ? "member"
                                                         : "clearing"},
          {"key", to_hex(account.key)},
          {"balance_minutes", b.balance_minutes},
          {"pending_minutes", b.pending_minutes()},
          {"pending_in_minutes", b.pending_in_minutes},
          {"pending_out_minutes", b.pending_out_minutes}};
}

void run_balance(const GlobalOptions& options, const std::string& alias) {
  Session session(options);
  std::vector<std::pair<AccountId, Balance>> rows;
  if (!alias.empty()) {
    AccountId account =
        alias == "pool" ? session.ledger().pool_account() : AccountId::member(session.member_key(alias));
    if (account.kind == AccountKind::member) check(session.ledger().member(account.key));
    rows.emplace_back(account, check(session.ledger().balance(account)));
  } else {
    // Every member is listed by name, even with nothing yet, then the pool.
    std::vector<std::pair<std::string, AccountId>> named;
    for (const auto& member : check(session.ledger().members()))
      named.emplace_back(session.name_of(member.key), AccountId::member(member.key));
    std::sort(named.begin(), named.end());
    for (const auto& [name, account] : named)
      rows.emplace_back(account, check(session.ledger().balance(account)));
    // Credits only: cash for expenses is never shown or summed with them.
    for (const auto& [account, balance] : check(session.ledger().balances()))
      if (account.kind != AccountKind::member && account.unit() == Unit::minutes)
        rows.emplace_back(account, balance);
  }
  std::int64_t sum = 0;
  nlohmann::json list = nlohmann::json::array();
  Table table({"ACCOUNT", "BALANCE", "PENDING IN", "PENDING OUT"}, {false, true, true, true});
  for (const auto& [account, balance] : rows) {
    sum += balance.balance_minutes;
    list.push_back(balance_json(session, account, balance));
    table.add({session.account_name(account), format_minutes(balance.balance_minutes),
               format_minutes(balance.pending_in_minutes), format_minutes(balance.pending_out_minutes)});
  }
  if (options.json) {
    nlohmann::json out = {{"accounts", list}};
    if (alias.empty()) out["sum_minutes"] = sum;
    return print_json(out);
  }
  out() << table.render();
  if (alias.empty())
    out() << "\nAll balances sum to " << format_minutes(sum)
          << " (every credit a member holds was paid by another account or the pool).\n";
}

// "you gave bob 2 hours" / "bob gave you 2 hours": who gained is never
// ambiguous. The pool's statement names both members.
std::string posting_text(Session& session, const AccountId& account, const Posting& posting,
                         const Movement* m) {
  std::string other = session.account_name(posting.counterparty);
  std::string amount =
      describe_minutes(posting.delta_minutes < 0 ? -posting.delta_minutes : posting.delta_minutes);
  if (!m) return (posting.delta_minutes > 0 ? "received " : "paid ") + amount;
  if (posting.entry != m->id && m->status == MovementStatus::reversed && posting.entry == m->closed_by)
    return "reversal: " + amount + (posting.delta_minutes > 0 ? " returned from " : " returned to ") + other;
  if (m->kind == MovementKind::transfer)
    return posting.delta_minutes > 0 ? other + " gave you " + amount + " of credit"
                                     : "you gave " + other + " " + amount + " of credit";
  std::string what = " of " + m->category + " on " + format_date(m->date_days);
  std::string recipient = m->recipient.is_zero() ? "the community" : session.name_of(m->recipient);
  if (account.kind == AccountKind::pool)
    return session.name_of(m->provider) + " gave " + recipient + " " + amount + what + " (paid by the pool)";
  if (posting.delta_minutes > 0)
    return "you gave " + recipient + " " + amount + what + " (paid by " + other + ")";
  return session.name_of(m->provider) + " gave you " + amount + what;
}

constexpr const char* kCreditsAreNotCash =
    "Time credits are not money. They cannot be exchanged for cash, goods or services paid in cash, and are "
    "not wages or income: one credit records one hour of help given or received. The cash amounts above only "
    "repay costs the member paid for the co-op (travel, childcare, meals, uniform), against receipts.";

// Expense claims of one member dated in [from, to], and paid amounts by the
// month they were paid (what a benefits office asks about).
struct MemberCash {
  nlohmann::json claims = nlohmann::json::array();
  std::map<std::string, std::int64_t> paid_by_month;
};

MemberCash member_cash(Session& session, const PublicKey& member, std::int32_t from, std::int32_t to) {
  MemberCash out;
  for (const auto& claim : check(session.ledger().expenses())) {
    if (claim.claimant != member) continue;
    if (claim.date_days >= from && claim.date_days <= to)
      out.claims.push_back({{"id", to_hex(claim.id)},
                            {"date", format_date(claim.date_days)},
                            {"category", expense_category_name(claim.category)},
                            {"pence", claim.pence},
                            {"currency", claim.currency.str()},
                            {"status", expense_status_name(claim.status)}});
    if (claim.status != ExpenseStatus::paid) continue;
    auto seq = session.ledger().seq_of(claim.paid_by);
    if (!seq.ok()) continue;
    std::int32_t day = days_from_ms(check(session.ledger().record(seq.value())).received_ms);
    if (day >= from && day <= to) out.paid_by_month[format_date(day).substr(0, 7)] += claim.pence;
  }
  return out;
}

// A member sees their own statement; admins and auditors see anyone's.
void check_viewer(Session& session, const std::string& viewer, const AccountId& account) {
  if (viewer.empty()) return;  // the operator, with the data directory, sees all
  PublicKey key = session.member_key(viewer);
  MemberInfo info = check(session.ledger().member(key));
  if (account.kind == AccountKind::member && account.key == key) return;
  if (info.roles & (role_admin | role_auditor)) return;
  fail(Code::not_permitted, "only admins and auditors see other members' statements");
}

void run_statement(const GlobalOptions& options, const std::string& alias, const std::string& from_text,
                   const std::string& to_text, bool benefits, const std::string& viewer) {
  Session session(options);
  AccountId account =
      alias == "pool" ? session.ledger().pool_account() : AccountId::member(session.member_key(alias));
  if (account.kind == AccountKind::member) check(session.ledger().member(account.key));
  check_viewer(session, viewer, account);
  if (benefits && account.kind != AccountKind::member) usage_error("--benefits is for a member's statement");
  std::int32_t from = from_text.empty() ? INT32_MIN : parse_date_arg(from_text, "--from");
  std::int32_t to = to_text.empty() ? INT32_MAX : parse_date_arg(to_text, "--to");
  if (from > to) fail(Code::bad_date, "--from is after --to");
  auto postings = check(session.ledger().postings(account));
  Balance balance = check(session.ledger().balance(account));
  // With --to, the balance shown is the one at the end of that day.
  std::int64_t balance_at_end = 0;
  nlohmann::json lines = nlohmann::json::array();
  Table table({"SEQ", "POSTED", "WHAT", "CHANGE", "BALANCE"}, {true, false, false, true, true});
  for (const auto& posting : postings) {
    auto movement = session.ledger().movement(posting.movement);
    const Movement* m = movement.ok() ? &movement.value() : nullptr;
    // Lines are dated by when the credits moved, so they read in order;
    // the day the help was given is in the description.
    Record record = check(session.ledger().record(posting.seq));
    std::int32_t day = days_from_ms(record.received_ms);
    if (day <= to) balance_at_end = posting.balance_after_minutes;
    if (day < from || day > to) continue;
    std::string text = posting_text(session, account, posting, m);
    lines.push_back({{"seq", posting.seq},
                     {"posted", format_date(day)},
                     {"description", text},
                     {"change_minutes", posting.delta_minutes},
                     {"balance_after_minutes", posting.balance_after_minutes},
                     {"entry", to_hex(posting.entry)},
                     {"movement", to_hex(posting.movement)}});
    table.add({std::to_string(posting.seq), format_date(day), text,
               (posting.delta_minutes > 0 ? "+" : "") + format_minutes(posting.delta_minutes),
               format_minutes(posting.balance_after_minutes)});
  }
  nlohmann::json pending = nlohmann::json::array();
  for (const auto& m : check(session.ledger().movements())) {
    if (m.status != MovementStatus::pending || (m.payer != account && m.payee != account)) continue;
    bool incoming = m.payee == account;
    std::string to = m.recipient.is_zero() ? "the community" : session.name_of(m.recipient);
    std::string what = describe_minutes(m.minutes) + " of " + m.category + " on " + format_date(m.date_days);
    std::string text = incoming ? "you gave " + to + " " + what + ", waiting for " +
                                      (m.recipient.is_zero() ? "a coordinator" : to) + " to confirm"
                                : session.name_of(m.provider) + " gave " +
                                      (account.kind == AccountKind::pool ? to : "you") + " " + what +
                                      ", waiting for confirmation";
    pending.push_back({{"id", to_hex(m.id)},
                       {"date", format_date(m.date_days)},
                       {"description", text},
                       {"minutes", incoming ? m.minutes : -m.minutes}});
  }
  if (!to_text.empty()) balance.balance_minutes = balance_at_end;
  MemberCash cash;
  if (account.kind == AccountKind::member) cash = member_cash(session, account.key, from, to);
  const std::string currency = session.ledger().currency().str();
  if (options.json) {
    nlohmann::json out = {{"account", session.account_name(account)},
                          {"balance_minutes", balance.balance_minutes},
                          {"pending_minutes", balance.pending_minutes()},
                          {"lines", lines},
                          {"pending", pending},
                          {"expenses", cash.claims}};
    if (benefits) {
      nlohmann::json months = nlohmann::json::array();
      for (const auto& [month, pence] : cash.paid_by_month)
        months.push_back({{"month", month}, {"paid_pence", pence}});
      out["benefits"] = {
          {"currency", currency}, {"reimbursed_by_month", months}, {"statement", kCreditsAreNotCash}};
    }
    return print_json(out);
  }
  if (benefits) {
    out() << "Statement of support for " << session.account_name(account) << " from "
          << session.ledger().node_name() << (from_text.empty() ? "" : ", from " + from_text)
          << (to_text.empty() ? "" : " to " + to_text) << "\n\n"
          << "Cash reimbursed for expenses, by month paid (" << currency << "):\n";
    if (cash.paid_by_month.empty()) out() << "  none\n";
    for (const auto& [month, pence] : cash.paid_by_month)
      out() << "  " << month << "  " << format_pence(pence) << "\n";
    out() << "\nTime credits: balance " << format_minutes(balance.balance_minutes) << " ("
          << describe_minutes(balance.balance_minutes < 0 ? -balance.balance_minutes
                                                          : balance.balance_minutes)
          << (balance.balance_minutes < 0 ? " owed in help" : "") << ").\n\n"
          << kCreditsAreNotCash << "\n";
    return;
  }
  out() << "Statement for " << session.account_name(account) << "\n\n" << table.render();
  out() << "\nBalance: " << format_minutes(balance.balance_minutes) << "\n";
  if (!pending.empty()) {
    out() << "\nPending (not yet in the balance):\n";
    for (const auto& p : pending)
      out() << "  " << p["description"].get<std::string>() << "  ["
            << p["id"].get<std::string>().substr(0, 12) << "]\n";
  }
  if (!cash.claims.empty()) {
    out() << "\nExpenses (cash, " << currency << ", never credits):\n";
    for (const auto& c : cash.claims)
      out() << "  " << c["date"].get<std::string>() << "  " << c["category"].get<std::string>() << "  "
            << format_pence(c["pence"].get<std::int64_t>()) << "  " << c["status"].get<std::string>() << "\n";
  }
}

std::string setting_summary(const PolicySetting& b) {
  switch (b.target) {
    case PolicyTarget::role_floor:
      return "floor for " + std::string(role_name(static_cast<Role>(b.subject))) + " " +
             format_minutes(b.amount);
    case PolicyTarget::pool_floor:
      return "pool floor " + format_minutes(b.amount);
    case PolicyTarget::pool_floor_none:
      return "pool floor removed";
    case PolicyTarget::max_entry_minutes:
      return "maximum per entry " + format_minutes(b.amount);
    case PolicyTarget::categories:
      return std::to_string(b.categories.size()) + " categories";
    case PolicyTarget::expense_claim_limit:
      return std::string(expense_category_name(static_cast<ExpenseCategory>(b.subject))) +
             " limit per claim " + format_pence(b.amount);
    case PolicyTarget::expense_month_limit:
      return std::string(expense_category_name(static_cast<ExpenseCategory>(b.subject))) +
             " limit per month " + format_pence(b.amount);
    case PolicyTarget::mileage_rate:
      return "mileage rate " + format_pence(b.amount) + " a mile";
  }
  return "";
}

std::string entry_summary(Session& session, const Entry& e) {
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, MemberJoin>)
          return session.name_of(b.member) + " joins as " + roles_to_string(b.roles);
        else if constexpr (std::is_same_v<T, MemberRole>)
          return session.name_of(b.member) + " now " + roles_to_string(b.roles);
        else if constexpr (std::is_same_v<T, PolicySet>) {
          std::string text;
          for (const auto& setting : b.settings) {
            if (!text.empty()) text += "; ";
            text += setting_summary(setting);
          }
          return text;
        } else if constexpr (std::is_same_v<T, HoursLog>)
          return format_minutes(b.minutes) + " " + b.category + " to " +
                 (b.recipient.is_zero() ? std::string("community") : session.name_of(b.recipient)) + " on " +
                 format_date(b.date_days);
        else if constexpr (std::is_same_v<T, HoursConfirm>)
          return "confirms " + to_hex(b.target).substr(0, 12);
        else if constexpr (std::is_same_v<T, HoursVoid>)
          return "voids " + to_hex(b.target).substr(0, 12);
        else if constexpr (std::is_same_v<T, Transfer>)
          return format_minutes(b.minutes) + " to " + session.name_of(b.to);
        else if constexpr (std::is_same_v<T, RespiteRequest>)
          return format_minutes(b.minutes) + " on " + format_date(b.date_days);
        else if constexpr (std::is_same_v<T, RespiteOffer>)
          return "takes request " + to_hex(b.request).substr(0, 12);
        else if constexpr (std::is_same_v<T, RespiteCancel>)
          return "cancels request " + to_hex(b.request).substr(0, 12);
        else if constexpr (std::is_same_v<T, Reversal>)
          return "reverses " + to_hex(b.target).substr(0, 12);
        else if constexpr (std::is_same_v<T, ExpenseClaim>)
          return format_pence(b.pence) + " " + b.currency.str() + " " + expense_category_name(b.category) +
                 (b.miles ? " (" + std::to_string(b.miles) + " miles)" : "") + " on " +
                 format_date(b.date_days);
        else if constexpr (std::is_same_v<T, ExpenseApprove>)
          return "approves claim " + to_hex(b.claim).substr(0, 12);
        else if constexpr (std::is_same_v<T, ExpenseReject>)
          return "rejects claim " + to_hex(b.claim).substr(0, 12);
        else if constexpr (std::is_same_v<T, ExpensePaid>)
          return "pays claim " + to_hex(b.claim).substr(0, 12);
        else if constexpr (std::is_same_v<T, TransferOut>)
          return format_minutes(b.minutes) + " to member-" + to_hex(b.to).substr(0, 8) + " at node " +
                 to_hex(b.to_node).substr(0, 12);
        else if constexpr (std::is_same_v<T, RemoteHoursLog>)
          return format_minutes(b.hours.minutes) + " " + b.hours.category + " from member-" +
                 to_hex(b.provider).substr(0, 8) + " of node " + to_hex(b.provider_node).substr(0, 12) + " to " +
                 (b.hours.recipient.is_zero() ? std::string("the community") : session.name_of(b.hours.recipient));
        else
          return format_minutes(b.minutes) + " to " + session.name_of(b.to) + " from node " +
                 to_hex(b.from_node).substr(0, 12) + " (origin " + to_hex(b.origin).substr(0, 12) + ")";
      },
      e.body);
}

void run_log_show(const GlobalOptions& options, std::uint64_t from, std::uint64_t to) {
  Session session(options);
  std::uint64_t size = session.ledger().log_size();
  if (from == 0) fail(Code::malformed, "--from starts at 1");
  if (to == 0 || to > size) to = size;
  nlohmann::json list = nlohmann::json::array();
  Table table({"SEQ", "RECEIVED", "KIND", "SIGNED BY", "SUMMARY", "ID"}, {true});
  for (std::uint64_t seq = from; seq <= to; ++seq) {
    Record record = check(session.ledger().record(seq));
    auto decoded = decode_entry(record.entry);
    if (!decoded.ok())
      fail(Code::corruption,
           "record " + std::to_string(seq) + " holds a malformed entry; run `cohours audit verify`");
    const Entry& e = decoded->entry;
    std::string signer = e.author == session.ledger().node_key() ? "node" : session.name_of(e.author);
    if (!e.on_behalf.is_zero()) signer += " for " + session.name_of(e.on_behalf);
    std::string summary = entry_summary(session, e);
    list.push_back({{"seq", seq},
                    {"id", to_hex(decoded->id)},
                    {"kind", kind_name(e.kind())},
                    {"author", to_hex(e.author)},
                    {"on_behalf", e.on_behalf.is_zero() ? "" : to_hex(e.on_behalf)},
                    {"signed_by", signer},
                    {"created", format_time_ms(e.created_ms)},
                    {"received", format_time_ms(record.received_ms)},
                    {"summary", summary},
                    {"prev_hash", to_hex(record.prev_hash)}});
    table.add({std::to_string(seq), format_time_ms(record.received_ms), kind_name(e.kind()), signer, summary,
               to_hex(decoded->id).substr(0, 12)});
  }
  if (options.json) return print_json({{"log_size", size}, {"records", list}});
  out() << table.render() << "(" << size << " records in the log)\n";
}

void run_log_head(const GlobalOptions& options) {
  Session session(options);
  SignedTreeHead head = check(session.ledger().latest_head());
  std::string hex = to_hex(encode_signed_tree_head(head));
  if (options.json)
    return print_json({{"log", to_hex(head.head.log)},
                       {"size", head.head.size},
                       {"root", to_hex(head.head.root)},
                       {"time", format_time_ms(head.head.time_ms)},
                       {"signature", to_hex(head.signature)},
                       {"signed_head", hex}});
  out() << "log " << to_hex(head.head.log) << "\nsize " << head.head.size << "\nroot "
        << to_hex(head.head.root) << "\nsigned " << format_time_ms(head.head.time_ms) << "\n"
        << "# keep the next line; `cohours audit verify --known-head FILE` proves later logs extend it\n"
        << hex << "\n";
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
  auto benefits = std::make_shared<bool>(false);
  auto viewer = std::make_shared<std::string>();
  statement->add_flag("--benefits", *benefits,
                      "Cash reimbursed per month, and that time credits are not cash");
  statement->add_option("--as", *viewer, "Who is asking: the member themself, an admin or an auditor");
  statement->callback([&options, alias, from, to, benefits, viewer] {
    run_statement(options, *alias, *from, *to, *benefits, *viewer);
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
