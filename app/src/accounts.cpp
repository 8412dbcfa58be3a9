#include "cohours/app/accounts.h"

#include <algorithm>
#include <map>

#include "cohours/app/format.h"
#include "cohours/app/names.h"
#include "cohours/dates.h"
#include "days.h"
#include "try.h"

namespace cohours::app {

namespace {

Result<AccountId> account_named(Node& node, const std::string& text) {
  if (text == "pool") return node.ledger().pool_account();
  TRY_ASSIGN(MemberInfo member, member_named(node, text));
  return AccountId::member(member.key);
}

// A member sees their own statement; admins and auditors see anyone's.
Status may_view(Node& node, const std::string& viewer, const AccountId& account) {
  if (viewer.empty()) return Status();  // the operator, with the data directory, sees all
  TRY_ASSIGN(MemberInfo info, member_named(node, viewer));
  if (account.kind == AccountKind::member && account.key == info.key) return Status();
  if (info.roles & (role_admin | role_auditor)) return Status();
  return Status(Code::not_permitted, "only admins and auditors see other members' statements");
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
    case PolicyTarget::vetted_categories: {
      if (b.categories.empty()) return "no activity needs a vetting";
      std::string list;
      for (const auto& category : b.categories) list += (list.empty() ? "" : ", ") + category;
      return "vetting needed for " + list;
    }
  }
  return "";
}

}  // namespace

Result<Balances> balances(Node& node, const ShowBalances& r) {
  Ledger& ledger = node.ledger();
  std::vector<AccountId> accounts;
  if (!r.account.empty()) {
    TRY_ASSIGN(AccountId account, account_named(node, r.account));
    accounts.push_back(account);
  } else {
    // Every member is listed by name, even with nothing yet, then the pool.
    std::vector<std::pair<std::string, AccountId>> named;
    TRY_ASSIGN(auto members, ledger.members());
    for (const auto& member : members)
      named.emplace_back(member_name(node, member.key), AccountId::member(member.key));
    std::sort(named.begin(), named.end());
    for (const auto& [name, account] : named) accounts.push_back(account);
  }
  Balances out;
  for (const AccountId& account : accounts) {
    TRY_ASSIGN(Balance balance, ledger.balance(account));
    out.accounts.push_back({account, account_name(node, account), balance});
  }
  if (r.account.empty()) {
    // Credits only: cash for expenses is never shown or summed with them.
    TRY_ASSIGN(auto all, ledger.balances());
    for (const auto& [account, balance] : all)
      if (account.kind != AccountKind::member && account.unit() == Unit::minutes)
        out.accounts.push_back({account, account_name(node, account), balance});
  }
  for (const auto& row : out.accounts) out.sum_minutes += row.balance.balance_minutes;
  return out;
}

Result<Statement> statement(Node& node, const ShowStatement& r) {
  Ledger& ledger = node.ledger();
  if (r.from_days > r.to_days) return Result<Statement>(Code::bad_date, "--from is after --to");
  TRY_ASSIGN(AccountId account, account_named(node, r.account));
  TRY_STATUS(may_view(node, r.viewer, account));
  Statement out;
  out.account = account_name(node, account);
  out.kind = account.kind;
  out.node_name = ledger.node_name();
  out.currency = ledger.currency().str();

  TRY_ASSIGN(auto postings, ledger.postings(account));
  // People at the other end of cross-co-op lines whose names are not known
  // yet are asked for first (through the daemon), all at once.
  std::vector<RemoteParty> remote;
  for (const auto& posting : postings) {
    if (posting.counterparty.kind != AccountKind::clearing) continue;
    if (auto movement = ledger.movement(posting.movement); movement.ok())
      if (auto party = remote_party(node, movement.value())) remote.push_back(*party);
  }
  learn_remote_names(node, remote);
  std::vector<StatementLine> lines;
  for (const auto& posting : postings) {
    auto movement = ledger.movement(posting.movement);
    const Movement* m = movement.ok() ? &movement.value() : nullptr;
    TRY_ASSIGN(std::int32_t recorded, recorded_day(node, posting.seq));
    StatementLine line;
    line.seq = posting.seq;
    line.posted_days = recorded;
    line.date_days = counting_day(posting, m, recorded);
    line.change_minutes = posting.delta_minutes;
    line.entry = posting.entry;
    // The person, not the clearing account, at the other end of a line
    // that crosses to another co-op.
    std::optional<RemoteParty> party;
    if (m && posting.counterparty.kind == AccountKind::clearing) party = remote_party(node, *m);
    line.counterparty = party ? remote_party_name(node, *party) : account_name(node, posting.counterparty);
    line.reversal =
        m && posting.entry != m->id && m->status == MovementStatus::reversed && posting.entry == m->closed_by;
    if (m) line.about = view_of(node, *m);
    lines.push_back(std::move(line));
  }
  // In the order the days count, so the running balance reads down the page.
  std::stable_sort(lines.begin(), lines.end(),
                   [](const StatementLine& a, const StatementLine& b) { return a.date_days < b.date_days; });
  std::int64_t running = 0;
  for (auto& line : lines) {
    running += line.change_minutes;
    line.balance_after_minutes = running;
    if (line.date_days < r.from_days) out.opening_minutes = running;
    if (line.date_days <= r.to_days) out.closing_minutes = running;
    if (line.date_days >= r.from_days && line.date_days <= r.to_days) out.lines.push_back(line);
  }

  TRY_ASSIGN(Balance balance, ledger.balance(account));
  out.pending_minutes = balance.pending_minutes();
  TRY_ASSIGN(auto movements, ledger.movements());
  for (const auto& m : movements) {
    if (m.status != MovementStatus::pending || (m.payer != account && m.payee != account)) continue;
    out.pending.push_back({view_of(node, m), m.payee == account});
  }

  if (account.kind == AccountKind::member) {
    std::map<std::string, std::int64_t> by_month;
    TRY_ASSIGN(auto claims, ledger.expenses());
    for (const auto& claim : claims) {
      if (claim.claimant != account.key) continue;
      ExpenseLine line{claim.id, claim.date_days, claim.category, claim.pence, claim.status, 0, 0};
      if (claim.status == ExpenseStatus::paid) {
        TRY_ASSIGN(std::uint64_t seq, ledger.seq_of(claim.paid_by));
        TRY_ASSIGN(line.paid_recorded_days, recorded_day(node, seq));
        line.paid_days = claim.paid_date_days;
      }
      if (claim.date_days >= r.from_days && claim.date_days <= r.to_days) out.expenses.push_back(line);
      if (claim.status == ExpenseStatus::paid && line.paid_days >= r.from_days &&
          line.paid_days <= r.to_days) {
        out.payments.push_back(line);
        by_month[format_date(line.paid_days).substr(0, 7)] += claim.pence;
      }
    }
    std::sort(out.payments.begin(), out.payments.end(),
              [](const ExpenseLine& a, const ExpenseLine& b) { return a.paid_days < b.paid_days; });
    for (const auto& [month, pence] : by_month) out.reimbursed_by_month.push_back({month, pence});
  }
  return out;
}

std::string entry_summary(Node& node, const Entry& e) {
  auto name = [&](const PublicKey& key) { return member_name(node, key); };
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, MemberJoin>)
          return name(b.member) + " joins as " + roles_to_string(b.roles);
        else if constexpr (std::is_same_v<T, MemberRole>)
          return name(b.member) + " now " + roles_to_string(b.roles);
        else if constexpr (std::is_same_v<T, PolicySet>) {
          std::string text;
          for (const auto& setting : b.settings) {
            if (!text.empty()) text += "; ";
            text += setting_summary(setting);
          }
          return text;
        } else if constexpr (std::is_same_v<T, HoursLog>)
          return format_minutes(b.minutes) + " " + b.category + " to " +
                 (b.recipient.is_zero() ? std::string("community") : name(b.recipient)) + " on " +
                 format_date(b.date_days);
        else if constexpr (std::is_same_v<T, HoursConfirm>)
          return "confirms " + to_hex(b.target).substr(0, 12);
        else if constexpr (std::is_same_v<T, HoursVoid>)
          return "voids " + to_hex(b.target).substr(0, 12);
        else if constexpr (std::is_same_v<T, Transfer>)
          return format_minutes(b.minutes) + " to " + name(b.to);
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
          return format_minutes(b.minutes) + " to " + remote_party_name(node, {b.to_node, b.to, true});
        else if constexpr (std::is_same_v<T, RemoteHoursLog>)
          return format_minutes(b.hours.minutes) + " " + b.hours.category + " from member-" +
                 to_hex(b.provider).substr(0, 8) + " of node " + to_hex(b.provider_node).substr(0, 12) +
                 " to " +
                 (b.hours.recipient.is_zero() ? std::string("the community") : name(b.hours.recipient));
        else if constexpr (std::is_same_v<T, MemberRekey>)
          return b.new_key.is_zero() ? name(b.member) + "'s key is retired; a new one waits to enrol"
                                     : name(b.member) + " now signs with key " +
                                           to_hex(b.new_key).substr(0, 12) + " (the previous key is retired)";
        else if constexpr (std::is_same_v<T, NodeRotate>)
          return "the node now signs with key " + to_hex(b.new_key).substr(0, 12) +
                 " (the previous node key is retired)";
        else if constexpr (std::is_same_v<T, VettingRecord>)
          return std::string(vetting_kind_name(b.kind)) + " check for " + name(b.volunteer) + ", " +
                 format_date(b.issued_days) + " to " + format_date(b.expires_days);
        else if constexpr (std::is_same_v<T, VettingWithdraw>)
          return "withdraws vetting " + to_hex(b.record).substr(0, 12);
        else if constexpr (std::is_same_v<T, BalanceOpen>)
          return "opening balance " + format_minutes(b.minutes) + " for " + name(b.member) + " (row " +
                 std::to_string(b.source_row) + " of file " + to_hex(b.source_digest).substr(0, 12) + ")";
        else if constexpr (std::is_same_v<T, GroupHours>) {
          std::string who;
          std::int64_t minutes = 0;
          for (const auto& p : b.providers) {
            who += (who.empty() ? "" : ", ") + name(p.provider);
            minutes += p.minutes;
          }
          return "group " + b.category + ": " + who + " gave " + format_minutes(minutes) + " to " +
                 (b.recipients.empty() ? std::string("the community")
                                       : std::to_string(b.recipients.size()) + " members") +
                 " on " + format_date(b.date_days) + (b.payer == Payer::pool ? ", paid by the pool" : ", shared");
        } else if constexpr (std::is_same_v<T, TransferIn>) {
          auto sender = node.replicas().origin_party(b.from_node, b.origin);
          const RemoteParty party{b.from_node, sender.ok() ? sender.value() : PublicKey{}, sender.ok()};
          return format_minutes(b.minutes) + " to " + name(b.to) + " from " + remote_party_name(node, party) +
                 " (origin " + to_hex(b.origin).substr(0, 12) + ")";
        }
        else if constexpr (std::is_same_v<T, ClearingLimit>)
          return node_name(node, b.peer) + " may owe this co-op " +
                 (b.floor.limited ? "at most " + format_minutes(-b.floor.minutes) : std::string("any amount")) +
                 " in clearing";
        else if constexpr (std::is_same_v<T, ClearingLimitPeer>)
          return node_name(node, b.peer) + " lets this co-op owe it " +
                 (b.floor.limited ? "at most " + format_minutes(-b.floor.minutes) : std::string("any amount")) +
                 " in clearing (its entry " + to_hex(b.origin).substr(0, 12) + ")";
        else
          static_assert(sizeof(T) == 0, "every kind has a summary");
      },
      e.body);
}

Result<LogRecords> log_records(Node& node, const ShowLog& r) {
  Ledger& ledger = node.ledger();
  LogRecords out;
  out.log_size = ledger.log_size();
  if (r.from_seq == 0) return Result<LogRecords>(Code::malformed, "--from starts at 1");
  std::uint64_t to = (r.to_seq == 0 || r.to_seq > out.log_size) ? out.log_size : r.to_seq;
  // Members of other co-ops that transfers name, asked for first (through
  // the daemon) so the summaries name them as statements do.
  std::vector<RemoteParty> remote;
  for (std::uint64_t seq = r.from_seq; seq <= to; ++seq) {
    auto record = ledger.record(seq);
    if (!record.ok()) break;
    auto decoded = decode_entry(record->entry);
    if (!decoded.ok()) break;
    if (const auto* out_body = std::get_if<TransferOut>(&decoded->entry.body))
      remote.push_back({out_body->to_node, out_body->to, true});
    if (const auto* in_body = std::get_if<TransferIn>(&decoded->entry.body))
      if (auto sender = node.replicas().origin_party(in_body->from_node, in_body->origin); sender.ok())
        remote.push_back({in_body->from_node, sender.value(), true});
  }
  learn_remote_names(node, remote);
  for (std::uint64_t seq = r.from_seq; seq <= to; ++seq) {
    TRY_ASSIGN(Record record, ledger.record(seq));
    auto decoded = decode_entry(record.entry);
    if (!decoded.ok())
      return Result<LogRecords>(Code::corruption, "record " + std::to_string(seq) +
                                                      " holds a malformed entry; run `cohours audit verify`");
    const Entry& e = decoded->entry;
    std::string signer = member_name(node, e.author);
    // The node, under whichever of its keys signed then.
    if (auto keys = ledger.node_signers(); keys.ok() && signed_for_node(keys.value(), e.author))
      signer = e.author == ledger.node_key() ? "node" : "node (key " + to_hex(e.author).substr(0, 8) + ")";
    // A key that signs for a member since a rekey: the member, and which key.
    if (auto key = ledger.signing_key(e.author); key.ok() && key->member != e.author)
      signer = member_name(node, key->member) + " (key " + to_hex(e.author).substr(0, 8) + ")";
    if (!e.on_behalf.is_zero()) signer += " for " + member_name(node, e.on_behalf);
    out.records.push_back({seq, decoded->id, e.kind(), e.author, e.on_behalf, signer, e.created_ms,
                           record.received_ms, entry_summary(node, e), record.prev_hash});
  }
  return out;
}

Result<LogHead> log_head(Node& node, const ShowHead&) {
  TRY_ASSIGN(SignedTreeHead head, node.ledger().latest_head());
  return LogHead{head.head.log,     head.head.size,         head.head.root,
                 head.head.time_ms, to_hex(head.signature), to_hex(encode_signed_tree_head(head))};
}

}  // namespace cohours::app
