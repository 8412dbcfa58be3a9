#include "cohours/app/export.h"

#include <algorithm>
#include <functional>
#include <set>

#include "cohours/app/names.h"
#include "cohours/dates.h"
#include "cohours/import.h"
#include "try.h"

namespace cohours::app {

namespace {

// Zero keys and digests mean "none": an empty cell reads better.
template <std::size_t N>
std::string hex_or_empty(const FixedBytes<N>& value) {
  return value.is_zero() ? std::string() : to_hex(value);
}

const char* account_kind_name(AccountKind kind) {
  switch (kind) {
    case AccountKind::member:
      return "member";
    case AccountKind::pool:
      return "pool";
    case AccountKind::clearing:
      return "clearing";
    case AccountKind::member_payable:
      return "member-payable";
    case AccountKind::coop_expenses:
      return "coop-expenses";
    case AccountKind::coop_paid:
      return "coop-paid";
  }
  return "unknown";
}
const char* unit_name(Unit unit) {
  return unit == Unit::minutes ? "minutes" : "pence";
}

// Names for the name columns: the directory's when exporting, none when
// checking (names are not signed, so an auditor has nothing to check them by).
struct Names {
  std::function<std::string(const AccountId&)> account = [](const AccountId&) { return std::string(); };
  std::function<std::string(const PublicKey&)> member = [](const PublicKey&) { return std::string(); };
};
Names names_of(Node& node) {
  return {[&node](const AccountId& a) { return account_name(node, a); },
          [&node](const PublicKey& k) { return member_name(node, k); }};
}

std::size_t cells_size(const ExportRow& row) {
  std::size_t size = 0;
  for (const auto& cell : row) size += cell.size();
  return size;
}

// Appends a row to a page; false once the page is full.
bool add_row(ExportPage& page, ExportRow row, std::size_t& bytes) {
  bytes += cells_size(row);
  page.rows.push_back(std::move(row));
  return page.rows.size() < kExportPageRows && bytes < kExportPageBytes;
}

// --- the rows, from a ledger (the same code exports and checks) ------------

Result<ExportRow> record_row(const Ledger& ledger, std::uint64_t seq) {
  TRY_ASSIGN(Record record, ledger.record(seq));
  auto entry = decode_entry(record.entry);
  if (!entry.ok())
    return Result<ExportRow>(Code::corruption,
                             "record " + std::to_string(seq) +
                                 " holds an entry that does not decode: " + entry.status().message());
  const Entry& e = entry->entry;
  return ExportRow{std::to_string(seq),
                   to_hex(entry->id),
                   kind_name(e.kind()),
                   to_hex(e.node),
                   to_hex(e.author),
                   hex_or_empty(e.on_behalf),
                   std::to_string(e.created_ms),
                   std::to_string(record.received_ms),
                   format_time_ms(record.received_ms),
                   to_hex(encode_record(record))};
}

// Every account the ledger knows: those with a balance or anything pending,
// every member's, the pool, and (balances at zero are not stored) every
// account reached through a posting's counterparty.
Result<std::vector<AccountId>> all_accounts(const Ledger& ledger) {
  std::set<AccountId> seen{ledger.pool_account()};
  TRY_ASSIGN(auto balances, ledger.balances());
  for (const auto& [account, balance] : balances) seen.insert(account);
  TRY_ASSIGN(auto members, ledger.members());
  for (const auto& member : members) seen.insert(AccountId::member(member.key));
  std::vector<AccountId> unvisited(seen.begin(), seen.end());
  while (!unvisited.empty()) {
    AccountId account = unvisited.back();
    unvisited.pop_back();
    TRY_ASSIGN(auto postings, ledger.postings(account));
    for (const auto& posting : postings)
      if (seen.insert(posting.counterparty).second) unvisited.push_back(posting.counterparty);
  }
  return std::vector<AccountId>(seen.begin(), seen.end());
}

Result<ExportRow> account_row(const Ledger& ledger, const AccountId& account, const Names& names) {
  TRY_ASSIGN(Balance b, ledger.balance(account));
  return ExportRow{names.account(account),
                   account_kind_name(account.kind),
                   to_hex(account.key),
                   unit_name(account.unit()),
                   std::to_string(b.balance_minutes),
                   std::to_string(b.pending_in_minutes),
                   std::to_string(b.pending_out_minutes)};
}

ExportRow posting_row(const AccountId& account, const Posting& p, const Names& names) {
  return {names.account(account),
          account_kind_name(account.kind),
          to_hex(account.key),
          unit_name(account.unit()),
          std::to_string(p.seq),
          std::to_string(p.delta_minutes),
          std::to_string(p.balance_after_minutes),
          names.account(p.counterparty),
          account_kind_name(p.counterparty.kind),
          to_hex(p.counterparty.key),
          to_hex(p.entry),
          to_hex(p.movement)};
}

ExportRow expense_row(const ExpenseState& e, const Names& names) {
  return {to_hex(e.id),
          names.member(e.claimant),
          to_hex(e.claimant),
          expense_status_name(e.status),
          std::to_string(e.pence),
          e.currency.str(),
          expense_category_name(e.category),
          format_date(e.date_days),
          std::to_string(e.miles),
          hex_or_empty(e.hours),
          hex_or_empty(e.receipt_digest),
          hex_or_empty(e.note_digest),
          std::to_string(e.claimed_seq),
          hex_or_empty(e.decided_by),
          hex_or_empty(e.decided_by_key),
          hex_or_empty(e.reason_digest),
          hex_or_empty(e.paid_by),
          e.status == ExpenseStatus::paid ? format_date(e.paid_date_days) : std::string(),
          hex_or_empty(e.reference_digest)};
}

// --- the check ------------------------------------------------------------

// What is wrong with an export: the check stops there and reports it.
struct Mismatch {
  std::string message;
};

class Check {
 public:
  Check(const ExportHeadFields& head, ExportSource& source, const std::optional<PublicKey>& node_key,
        const Clock& clock, ExportVerification& report)
      : head_(head), source_(source), expected_(node_key), clock_(clock), report_(report) {}

  // A Mismatch is returned as one; other failures are errors.
  Status run();

 private:
  std::string file(const ExportTable& table) const { return export_file_name(table, source_.format()); }
  const std::string& text(const std::optional<std::string>& field, const char* name) {
    if (!field) throw Mismatch{std::string("head.json has no ") + name};
    return *field;
  }
  std::vector<ExportRow> rows(const ExportTable& table) {
    auto rows = source_.rows(table);
    if (!rows.ok()) {
      if (rows.code() == Code::corruption) throw Mismatch{rows.status().message()};
      throw rows.status();
    }
    return std::move(rows).value();
  }
  SignedTreeHead check_head();
  void compare_row(const ExportTable& table, const ExportRow& exported, const ExportRow& expected,
                   const std::string& label);
  void compare_table(const ExportTable& table, const std::vector<ExportRow>& expected,
                     const std::function<std::string(const ExportRow&)>& label);

  const ExportHeadFields& head_;
  ExportSource& source_;
  const std::optional<PublicKey>& expected_;
  const Clock& clock_;
  ExportVerification& report_;
};

SignedTreeHead Check::check_head() {
  if (head_.format && *head_.format != kExportFormat)
    throw Mismatch{"head.json: the export is " + *head_.format + ", not " + kExportFormat +
                   "; check it with the cohours that made it, or export again"};
  auto bytes = from_hex(text(head_.signed_head, "signed_head"));
  if (!bytes) throw Mismatch{"head.json: signed_head is not hex"};
  auto decoded = decode_signed_tree_head(*bytes);
  if (!decoded.ok()) throw Mismatch{"head.json: signed_head is not a signed tree head"};
  SignedTreeHead head = decoded.value();
  // Its signature is checked with the records (import_log): the key that
  // signs a head of this size follows from the key rotations among them.
  // The plain fields must say what the signed bytes say.
  if (text(head_.node_key, "node_key") != to_hex(head.head.log))
    throw Mismatch{"head.json: node_key differs from the signed head"};
  if (text(head_.root, "root") != to_hex(head.head.root))
    throw Mismatch{"head.json: root differs from the signed head"};
  if (head_.size.value_or("?") != std::to_string(head.head.size))
    throw Mismatch{"head.json: size differs from the signed head"};
  if (head_.time_ms.value_or("?") != std::to_string(head.head.time_ms))
    throw Mismatch{"head.json: time_ms differs from the signed head"};
  if (expected_) {
    if (*expected_ != head.head.log)
      throw Mismatch{"the export is signed by node " + to_hex(head.head.log) + ", not by the expected node " +
                     to_hex(*expected_)};
    report_.node_key_given = true;
  }
  report_.node_key = to_hex(head.head.log);
  report_.root = to_hex(head.head.root);
  return head;
}

void Check::compare_row(const ExportTable& table, const ExportRow& exported, const ExportRow& expected,
                        const std::string& label) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name_only || exported[i] == expected[i]) continue;
    std::string field = table.columns[i].name;
    std::replace(field.begin(), field.end(), '_', ' ');
    throw Mismatch{file(table) + ": " + field + " of " + label + " differs from the records"};
  }
}

void Check::compare_table(const ExportTable& table, const std::vector<ExportRow>& expected,
                          const std::function<std::string(const ExportRow&)>& label) {
  std::vector<ExportRow> exported = rows(table);
  if (exported.size() != expected.size())
    throw Mismatch{file(table) + ": holds " + std::to_string(exported.size()) +
                   " rows but the records produce " + std::to_string(expected.size())};
  for (std::size_t i = 0; i < exported.size(); ++i)
    compare_row(table, exported[i], expected[i], label(exported[i]));
}

Status Check::run() {
  SignedTreeHead head = check_head();
  auto currency = Currency::parse(text(head_.currency, "currency"));
  if (!currency) throw Mismatch{"head.json: currency is not a three-letter code"};

  // 1. The records, checked by the engine itself: encodings, hash links,
  //    entry signatures, and the signed head's root over exactly these.
  const ExportTable& records_spec = records_table();
  const std::string records_file = file(records_spec);
  std::vector<ExportRow> records = rows(records_spec);
  if (records.size() != head.head.size)
    throw Mismatch{"head.json: the signed head covers " + std::to_string(head.head.size) + " records but " +
                   records_file + " holds " + std::to_string(records.size()) +
                   ": the head does not match the records"};
  std::vector<Bytes> bytes;
  bytes.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto raw = from_hex(records[i].back());  // record_hex
    if (!raw) throw Mismatch{records_file + ": record_hex of row " + std::to_string(i + 1) + " is not hex"};
    bytes.push_back(std::move(*raw));
  }
  auto store = make_memory_store();
  if (Status s = import_log(*store, head.head.log, *currency, bytes, head); !s.ok()) {
    if (s.code() != Code::corruption) return s;
    throw Mismatch{records_file + ": the log does not verify: " + s.message()};
  }
  bytes = {};
  TRY_ASSIGN(std::unique_ptr<Ledger> ledger, Ledger::open_read_only(*store, clock_));
  report_.records = records.size();

  // 2. Every table row against what those records produce.
  for (std::uint64_t seq = 1; seq <= head.head.size; ++seq) {
    TRY_ASSIGN(ExportRow expected, record_row(*ledger, seq));
    compare_row(records_spec, records[seq - 1], expected, "record " + expected.front());
  }
  records = {};
  const Names none;
  TRY_ASSIGN(std::vector<AccountId> accounts, all_accounts(*ledger));
  std::vector<ExportRow> expected;
  for (const auto& account : accounts) {
    TRY_ASSIGN(ExportRow row, account_row(*ledger, account, none));
    expected.push_back(std::move(row));
  }
  compare_table(accounts_table(), expected, [](const ExportRow& r) {
    return r[0].empty() ? r[1] + " account " + r[2].substr(0, 8) : r[0];
  });
  report_.accounts = expected.size();
  expected.clear();
  for (const auto& account : accounts) {
    TRY_ASSIGN(auto postings, ledger->postings(account));
    for (const auto& posting : postings) expected.push_back(posting_row(account, posting, none));
  }
  compare_table(postings_table(), expected, [](const ExportRow& r) {
    return "the posting of " + (r[0].empty() ? r[2].substr(0, 8) : r[0]) + " at record " + r[4];
  });
  report_.postings = expected.size();
  expected.clear();
  TRY_ASSIGN(auto claims, ledger->expenses());
  for (const auto& claim : claims) expected.push_back(expense_row(claim, none));
  compare_table(expenses_table(), expected, [](const ExportRow& r) { return "claim " + r[0].substr(0, 12); });
  report_.expenses = expected.size();

  TRY_ASSIGN(Hash32 digest, ledger->state_digest());
  if (text(head_.state_digest, "state_digest") != to_hex(digest))
    throw Mismatch{"head.json: state_digest differs from the records"};
  report_.state_digest = to_hex(digest);
  return Status();
}

}  // namespace

const ExportTable& records_table() {
  static const ExportTable table{"records",
                                 {{"seq", true},
                                  {"entry_id"},
                                  {"kind"},
                                  {"node"},
                                  {"author"},
                                  {"on_behalf"},
                                  {"created_ms", true},
                                  {"received_ms", true},
                                  {"received_at"},
                                  {"record_hex"}}};
  return table;
}
const ExportTable& accounts_table() {
  static const ExportTable table{"accounts",
                                 {{"account", false, true},
                                  {"kind"},
                                  {"key"},
                                  {"unit"},
                                  {"balance", true},
                                  {"pending_in", true},
                                  {"pending_out", true}}};
  return table;
}
const ExportTable& postings_table() {
  static const ExportTable table{"postings",
                                 {{"account", false, true},
                                  {"account_kind"},
                                  {"account_key"},
                                  {"unit"},
                                  {"seq", true},
                                  {"change", true},
                                  {"balance_after", true},
                                  {"counterparty", false, true},
                                  {"counterparty_kind"},
                                  {"counterparty_key"},
                                  {"entry"},
                                  {"movement"}}};
  return table;
}
const ExportTable& expenses_table() {
  static const ExportTable table{"expenses",
                                 {{"id"},
                                  {"claimant", false, true},
                                  {"claimant_key"},
                                  {"status"},
                                  {"pence", true},
                                  {"currency"},
                                  {"category"},
                                  {"date"},
                                  {"miles", true},
                                  {"hours_entry"},
                                  {"receipt_digest"},
                                  {"note_digest"},
                                  {"claimed_seq", true},
                                  {"decided_by"},
                                  {"decided_by_key"},
                                  {"reason_digest"},
                                  {"paid_by"},
                                  {"paid_date"},
                                  {"reference_digest"}}};
  return table;
}

std::vector<const ExportTable*> export_tables() {
  return {&records_table(), &accounts_table(), &postings_table(), &expenses_table()};
}

std::string export_file_name(const ExportTable& table, const std::string& format) {
  return std::string(table.name) + "." + format;
}

Result<ExportHead> start_export(Node& node, const StartExport&) {
  const Ledger& ledger = node.ledger();
  TRY_ASSIGN(SignedTreeHead head, ledger.latest_head());
  TRY_ASSIGN(Hash32 digest, ledger.state_digest());
  return ExportHead{ledger.node_name(),
                    head.head.log,
                    ledger.currency().str(),
                    head.head.size,
                    head.head.root,
                    head.head.time_ms,
                    to_hex(encode_signed_tree_head(head)),
                    digest,
                    node.clock().now_ms()};
}

Result<ExportPage> export_records(Node& node, const ExportRecords& r) {
  const Ledger& ledger = node.ledger();
  if (r.from_seq == 0) return Result<ExportPage>(Code::malformed, "records start at 1");
  if (r.to_seq > ledger.log_size())
    return Result<ExportPage>(Code::not_found, "the log holds " + std::to_string(ledger.log_size()) +
                                                   " records, not " + std::to_string(r.to_seq));
  ExportPage page;
  std::size_t bytes = 0;
  for (std::uint64_t seq = r.from_seq; seq <= r.to_seq; ++seq) {
    TRY_ASSIGN(ExportRow row, record_row(ledger, seq));
    if (!add_row(page, std::move(row), bytes)) {
      page.next = seq < r.to_seq ? seq + 1 : 0;
      break;
    }
  }
  return page;
}

Result<ExportAccountList> export_accounts(Node& node, const ExportAccounts&) {
  const Ledger& ledger = node.ledger();
  ExportAccountList list;
  TRY_ASSIGN(list.accounts, all_accounts(ledger));
  const Names names = names_of(node);
  for (const auto& account : list.accounts) {
    TRY_ASSIGN(ExportRow row, account_row(ledger, account, names));
    list.rows.push_back(std::move(row));
  }
  return list;
}

Result<ExportPage> export_postings(Node& node, const ExportPostings& r) {
  const Ledger& ledger = node.ledger();
  TRY_ASSIGN(auto postings, ledger.postings(r.account, r.from_seq, UINT64_MAX, kExportPageRows));
  ExportPage page;
  if (postings.size() == kExportPageRows) {
    // More may follow. The next page starts at a log position, so the
    // postings of the last position are all left to it (one entry may post
    // more than once on an account), unless they fill the page: then all
    // of that position's are given here.
    const std::uint64_t last = postings.back().seq;
    while (!postings.empty() && postings.back().seq == last) postings.pop_back();
    if (postings.empty()) {
      TRY_ASSIGN(postings, ledger.postings(r.account, last, last));
      page.next = last + 1;
    } else {
      page.next = last;
    }
  }
  // A posting row is a few hundred bytes: a page of them is far under
  // kExportPageBytes.
  const Names names = names_of(node);
  for (const auto& posting : postings) page.rows.push_back(posting_row(r.account, posting, names));
  return page;
}

Result<ExportPage> export_expenses(Node& node, const ExportExpenses& r) {
  TRY_ASSIGN(auto claims, node.ledger().expenses());
  const Names names = names_of(node);
  ExportPage page;
  std::size_t bytes = 0;
  for (std::uint64_t i = r.from; i < claims.size(); ++i)
    if (!add_row(page, expense_row(claims[i], names), bytes)) {
      page.next = i + 1 < claims.size() ? i + 1 : 0;
      break;
    }
  return page;
}

Result<ExportVerification> verify_export(const ExportHeadFields& head, ExportSource& source,
                                         const std::optional<PublicKey>& node_key, const Clock& clock) {
  ExportVerification report;
  Check check(head, source, node_key, clock, report);
  try {
    if (Status s = check.run(); !s.ok()) return s;
    report.passed = true;
  } catch (const Mismatch& mismatch) {
    report.failure = mismatch.message;
  } catch (const Status& error) {
    return error;
  }
  return report;
}

}  // namespace cohours::app
