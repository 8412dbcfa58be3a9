// export: the ledger as CSV or JSON tables with the signed tree head they
// were taken under; and `audit verify --export`, which checks such an export
// without the node's store by rebuilding the state from the exported records.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "cohours/app/clock_source.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/import.h"
#include "commands.h"
#include "host.h"
#include "output.h"

namespace cohours::cli {

namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::string>;
using Emit = std::function<void(Row)>;

// A column of an export table. `number`: an integer (a JSON number);
// `name`: a display name from the erasable directory, not covered by any
// signature, so `audit verify --export` does not check it.
struct Field {
  const char* name;
  bool number = false;
  bool name_only = false;
};
struct TableSpec {
  const char* name;
  std::vector<Field> fields;
};

const TableSpec kRecords{"records",
                         {{"seq", true},
                          {"entry_id"},
                          {"kind"},
                          {"author"},
                          {"on_behalf"},
                          {"created_ms", true},
                          {"received_ms", true},
                          {"received_at"},
                          {"record_hex"}}};
const TableSpec kAccounts{"accounts",
                          {{"account", false, true},
                           {"kind"},
                           {"key"},
                           {"unit"},
                           {"balance", true},
                           {"pending_in", true},
                           {"pending_out", true}}};
const TableSpec kPostings{"postings",
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
const TableSpec kExpenses{"expenses",
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
                           {"reference_digest"}}};
const TableSpec* const kTables[] = {&kRecords, &kAccounts, &kPostings, &kExpenses};

std::string file_name(const TableSpec& spec, bool json) {
  return std::string(spec.name) + (json ? ".json" : ".csv");
}

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

// Names for the tables: the directory's when exporting, none when verifying.
struct Names {
  std::function<std::string(const AccountId&)> account = [](const AccountId&) { return std::string(); };
  std::function<std::string(const PublicKey&)> member = [](const PublicKey&) { return std::string(); };
};

// --- the tables, produced from a ledger (the same code exports and checks) --

void record_rows(const Ledger& ledger, std::uint64_t size, const Emit& emit,
                 const std::function<void(std::uint64_t)>& progress = {}) {
  for (std::uint64_t seq = 1; seq <= size; ++seq) {
    Record record = check(ledger.record(seq));
    SignedEntry entry = check(decode_entry(record.entry));
    emit({std::to_string(seq), to_hex(entry.id), kind_name(entry.entry.kind()), to_hex(entry.entry.author),
          hex_or_empty(entry.entry.on_behalf), std::to_string(entry.entry.created_ms),
          std::to_string(record.received_ms), format_time_ms(record.received_ms),
          to_hex(encode_record(record))});
    if (progress && seq % 4096 == 0) progress(seq);
  }
}

// Every account the ledger knows: those with a balance or anything pending,
// every member's, the pool, and (balances at zero are not stored) every
// account reached through a posting's counterparty.
std::vector<AccountId> all_accounts(const Ledger& ledger) {
  std::set<AccountId> seen{ledger.pool_account()};
  for (const auto& [account, balance] : check(ledger.balances())) seen.insert(account);
  for (const auto& member : check(ledger.members())) seen.insert(AccountId::member(member.key));
  std::vector<AccountId> unvisited(seen.begin(), seen.end());
  while (!unvisited.empty()) {
    AccountId account = unvisited.back();
    unvisited.pop_back();
    for (const auto& posting : check(ledger.postings(account)))
      if (seen.insert(posting.counterparty).second) unvisited.push_back(posting.counterparty);
  }
  return {seen.begin(), seen.end()};
}

void account_rows(const Ledger& ledger, const std::vector<AccountId>& accounts, const Names& names,
                  const Emit& emit) {
  for (const auto& account : accounts) {
    Balance b = check(ledger.balance(account));
    emit({names.account(account), account_kind_name(account.kind), to_hex(account.key),
          unit_name(account.unit()), std::to_string(b.balance_minutes), std::to_string(b.pending_in_minutes),
          std::to_string(b.pending_out_minutes)});
  }
}

void posting_rows(const Ledger& ledger, const std::vector<AccountId>& accounts, const Names& names,
                  const Emit& emit) {
  for (const auto& account : accounts)
    for (const auto& p : check(ledger.postings(account)))
      emit({names.account(account), account_kind_name(account.kind), to_hex(account.key),
            unit_name(account.unit()), std::to_string(p.seq), std::to_string(p.delta_minutes),
            std::to_string(p.balance_after_minutes), names.account(p.counterparty),
            account_kind_name(p.counterparty.kind), to_hex(p.counterparty.key), to_hex(p.entry),
            to_hex(p.movement)});
}

void expense_rows(const Ledger& ledger, const Names& names, const Emit& emit) {
  for (const auto& e : check(ledger.expenses()))
    emit({to_hex(e.id), names.member(e.claimant), to_hex(e.claimant), expense_status_name(e.status),
          std::to_string(e.pence), e.currency.str(), expense_category_name(e.category),
          format_date(e.date_days), std::to_string(e.miles), hex_or_empty(e.hours),
          hex_or_empty(e.receipt_digest), hex_or_empty(e.note_digest), std::to_string(e.claimed_seq),
          hex_or_empty(e.decided_by), hex_or_empty(e.decided_by_key), hex_or_empty(e.reason_digest),
          hex_or_empty(e.paid_by), hex_or_empty(e.reference_digest)});
}

// --- files ------------------------------------------------------------------

// RFC 4180: CRLF line ends; a field with a comma, quote or line break is
// quoted, its quotes doubled.
std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// Streams one table to DIR/NAME.csv or .json, so memory does not grow with the log.
class TableWriter {
 public:
  TableWriter(const fs::path& dir, const TableSpec& spec, bool json)
      : spec_(spec), json_(json), path_(dir / file_name(spec, json)), out_(path_, std::ios::binary) {
    if (!out_) fail(Code::io_error, "cannot write " + path_.string());
    if (json_) {
      out_ << "[";
    } else {
      Row header;
      for (const auto& field : spec_.fields) header.push_back(field.name);
      write_csv(header);
    }
  }
  void row(const Row& values) {
    ++rows_;
    if (!json_) return write_csv(values);
    nlohmann::ordered_json object;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (spec_.fields[i].number)
        object[spec_.fields[i].name] = std::stoll(values[i]);
      else
        object[spec_.fields[i].name] = values[i];
    }
    out_ << (rows_ == 1 ? "\n" : ",\n") << object.dump();
  }
  std::uint64_t finish() {
    if (json_) out_ << (rows_ ? "\n]\n" : "]\n");
    out_.close();
    if (!out_) fail(Code::io_error, "writing " + path_.string() + " failed");
    return rows_;
  }

 private:
  void write_csv(const Row& values) {
    for (std::size_t i = 0; i < values.size(); ++i) out_ << (i ? "," : "") << csv_field(values[i]);
    out_ << "\r\n";
  }
  const TableSpec& spec_;
  bool json_;
  fs::path path_;
  std::ofstream out_;
  std::uint64_t rows_ = 0;
};

// What is wrong with an export: `audit verify --export` exits 7 with it.
struct ExportMismatch {
  std::string message;
};
[[noreturn]] void mismatch(std::string message) {
  throw ExportMismatch{std::move(message)};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) mismatch(path.filename().string() + " cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// RFC 4180 records; accepts CRLF or LF line ends.
std::vector<Row> parse_csv(const std::string& text, const std::string& file) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  bool quoted = false, in_row = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch != '"')
        field += ch;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        field += text[++i];
      else
        quoted = false;
    } else if (ch == '"' && field.empty()) {
      quoted = in_row = true;
    } else if (ch == ',') {
      row.push_back(std::move(field));
      field.clear();
      in_row = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      in_row = false;
    } else {
      field += ch;
      in_row = true;
    }
  }
  if (quoted) mismatch(file + " ends inside a quoted field");
  if (in_row || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

// Reads a table back as rows of text in the spec's column order.
std::vector<Row> read_table(const fs::path& dir, const TableSpec& spec, bool json) {
  const std::string file = file_name(spec, json);
  const std::string text = read_file(dir / file);
  std::vector<Row> rows;
  if (!json) {
    rows = parse_csv(text, file);
    Row header;
    for (const auto& field : spec.fields) header.push_back(field.name);
    if (rows.empty() || rows.front() != header)
      mismatch(file + ": the header row is not the expected columns");
    rows.erase(rows.begin());
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i].size() != spec.fields.size())
        mismatch(file + ": row " + std::to_string(i + 1) + " has " + std::to_string(rows[i].size()) +
                 " fields, not " + std::to_string(spec.fields.size()));
    return rows;
  }
  nlohmann::json array = nlohmann::json::parse(text, nullptr, false);
  if (!array.is_array()) mismatch(file + " is not a JSON array");
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& object = array[i];
    Row row;
    for (const auto& field : spec.fields) {
      if (!object.is_object() || !object.contains(field.name))
        mismatch(file + ": row " + std::to_string(i + 1) + " has no field '" + field.name + "'");
      const auto& value = object[field.name];
      row.push_back(value.is_string() ? value.get<std::string>() : value.dump());
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Compares one exported row with the row the records produce.
void compare_row(const std::string& file, const TableSpec& spec, const Row& exported, const Row& expected,
                 const std::string& label) {
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    if (spec.fields[i].name_only || exported[i] == expected[i]) continue;
    std::string field = spec.fields[i].name;
    std::replace(field.begin(), field.end(), '_', ' ');
    mismatch(file + ": " + field + " of " + label + " differs from the records");
  }
}

void compare_table(const fs::path& dir, const TableSpec& spec, bool json, const std::vector<Row>& expected,
                   const std::function<std::string(const Row&)>& label) {
  const std::string file = file_name(spec, json);
  std::vector<Row> exported = read_table(dir, spec, json);
  if (exported.size() != expected.size())
    mismatch(file + ": holds " + std::to_string(exported.size()) + " rows but the records produce " +
             std::to_string(expected.size()));
  for (std::size_t i = 0; i < exported.size(); ++i)
    compare_row(file, spec, exported[i], expected[i], label(exported[i]));
}

std::vector<Row> collect(const std::function<void(const Emit&)>& produce) {
  std::vector<Row> rows;
  produce([&](Row row) { rows.push_back(std::move(row)); });
  return rows;
}

// --- export -----------------------------------------------------------------

void run_export(const GlobalOptions& options, const std::string& format, const std::string& dir_text) {
  const bool json = format == "json";
  const fs::path dir = resolve_user_path(dir_text);  // relative to where `cohours` ran
  std::error_code error;
  // A fresh directory: an export never mixes with older files.
  if (fs::exists(dir, error) && (!fs::is_directory(dir, error) || !fs::is_empty(dir, error)))
    fail(Code::already_exists, dir_text + " exists and is not empty; export into a new or empty directory");
  Session session(options);
  const Ledger& ledger = session.ledger();
  // The head first: everything below is read at this size (the store is
  // held by this process, so nothing is appended meanwhile). Inside the
  // daemon (host.h) peer sync or the phone API could still append while the
  // export runs; see cli/CONTROL.md "Known limits".
  SignedTreeHead head = check(ledger.latest_head());
  Hash32 digest = check(ledger.state_digest());
  fs::create_directories(dir, error);
  if (error) fail(Code::io_error, "cannot create " + dir_text + ": " + error.message());

  Names names{[&](const AccountId& a) { return session.account_name(a); },
              [&](const PublicKey& k) { return session.name_of(k); }};
  std::function<void(std::uint64_t)> progress;
  if (err_is_terminal())
    progress = [&](std::uint64_t done) {
      err() << "\rexported " << done << " / " << head.head.size << " records" << std::flush;
    };

  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, std::uint64_t> counts;
  auto write = [&](const TableSpec& spec, const std::function<void(const Emit&)>& produce) {
    TableWriter writer(dir, spec, json);
    produce([&](Row row) { writer.row(row); });
    counts[spec.name] = writer.finish();
    files.push_back(file_name(spec, json));
  };
  write(kRecords, [&](const Emit& emit) { record_rows(ledger, head.head.size, emit, progress); });
  if (progress && head.head.size >= 4096) err() << "\n";
  std::vector<AccountId> accounts = all_accounts(ledger);
  write(kAccounts, [&](const Emit& emit) { account_rows(ledger, accounts, names, emit); });
  write(kPostings, [&](const Emit& emit) { posting_rows(ledger, accounts, names, emit); });
  write(kExpenses, [&](const Emit& emit) { expense_rows(ledger, names, emit); });

  nlohmann::ordered_json head_json = {{"format", "cohours-export-v1"},
                                      {"node_name", ledger.node_name()},
                                      {"node_key", to_hex(head.head.log)},
                                      {"currency", ledger.currency().str()},
                                      {"size", head.head.size},
                                      {"root", to_hex(head.head.root)},
                                      {"time_ms", head.head.time_ms},
                                      {"time", format_time_ms(head.head.time_ms)},
                                      {"signed_head", to_hex(encode_signed_tree_head(head))},
                                      {"state_digest", to_hex(digest)},
                                      {"exported_at", format_time_ms(session.clock().now_ms())}};
  {
    std::ofstream out(dir / "head.json", std::ios::binary);
    out << head_json.dump(2) << "\n";
    out.close();
    if (!out) fail(Code::io_error, "writing " + (dir / "head.json").string() + " failed");
  }
  files.push_back("head.json");

  if (options.json)
    return print_json({{"dir", dir_text},
                       {"format", format},
                       {"files", files},
                       {"records", counts["records"]},
                       {"accounts", counts["accounts"]},
                       {"postings", counts["postings"]},
                       {"expense_claims", counts["expenses"]},
                       {"head_size", head.head.size},
                       {"root", to_hex(head.head.root)},
                       {"state_digest", to_hex(digest)}});
  out() << "exported to " << dir_text << " (" << format << "): ";
  for (std::size_t i = 0; i < files.size(); ++i) out() << (i ? ", " : "") << files[i].get<std::string>();
  out() << "\n"
        << "records                " << counts["records"] << "\n"
        << "accounts               " << counts["accounts"] << "\n"
        << "postings               " << counts["postings"] << "\n"
        << "expense claims         " << counts["expenses"] << "\n"
        << "signed tree head       size " << head.head.size << ", root " << to_hex(head.head.root) << "\n"
        << "state digest           " << to_hex(digest) << "\n"
        << "check it with `cohours audit verify --export " << dir_text << "`\n";
}

// --- verify -----------------------------------------------------------------

struct VerifyReport {
  std::uint64_t records = 0, accounts = 0, postings = 0, expenses = 0;
  std::string format, node_key, root, state_digest;
  bool node_key_given = false;
};

std::string text_field(const nlohmann::json& head_json, const char* name) {
  if (!head_json.contains(name) || !head_json[name].is_string())
    mismatch(std::string("head.json has no ") + name);
  return head_json[name].get<std::string>();
}

SignedTreeHead check_head_file(const nlohmann::json& head_json, const std::optional<PublicKey>& expected,
                               VerifyReport& report) {
  auto text = [&](const char* name) { return text_field(head_json, name); };
  auto bytes = from_hex(text("signed_head"));
  if (!bytes) mismatch("head.json: signed_head is not hex");
  auto decoded = decode_signed_tree_head(*bytes);
  if (!decoded.ok()) mismatch("head.json: signed_head is not a signed tree head");
  SignedTreeHead head = decoded.value();
  if (!verify_tree_head(head)) mismatch("head.json: the signed head's signature does not verify");
  // The plain fields must say what the signed bytes say.
  auto number = [&](const char* name) {
    return head_json.contains(name) && head_json[name].is_number_integer() ? head_json[name].dump()
                                                                           : std::string("?");
  };
  if (text("node_key") != to_hex(head.head.log)) mismatch("head.json: node_key differs from the signed head");
  if (text("root") != to_hex(head.head.root)) mismatch("head.json: root differs from the signed head");
  if (number("size") != std::to_string(head.head.size))
    mismatch("head.json: size differs from the signed head");
  if (number("time_ms") != std::to_string(head.head.time_ms))
    mismatch("head.json: time_ms differs from the signed head");
  if (expected) {
    if (*expected != head.head.log)
      mismatch("the export is signed by node " + to_hex(head.head.log) + ", not by the expected node " +
               to_hex(*expected));
    report.node_key_given = true;
  }
  report.node_key = to_hex(head.head.log);
  report.root = to_hex(head.head.root);
  return head;
}

void verify_export_dir(const fs::path& dir, const std::optional<PublicKey>& node_key, VerifyReport& report) {
  const bool csv = fs::exists(dir / "records.csv"), json = fs::exists(dir / "records.json");
  if (csv == json)
    mismatch(csv ? "both records.csv and records.json are present" : "no records.csv or records.json");
  report.format = json ? "json" : "csv";
  const std::string records_file = file_name(kRecords, json);

  nlohmann::json head_json = nlohmann::json::parse(read_file(dir / "head.json"), nullptr, false);
  if (!head_json.is_object()) mismatch("head.json is not a JSON object");
  SignedTreeHead head = check_head_file(head_json, node_key, report);
  auto currency = Currency::parse(text_field(head_json, "currency"));
  if (!currency) mismatch("head.json: currency is not a three-letter code");

  // 1. The records, checked by the engine itself: encodings, hash links,
  //    entry signatures, and the signed head's root over exactly these.
  std::vector<Row> records = read_table(dir, kRecords, json);
  if (records.size() != head.head.size)
    mismatch("head.json: the signed head covers " + std::to_string(head.head.size) + " records but " +
             records_file + " holds " + std::to_string(records.size()) +
             ": the head does not match the records");
  std::vector<Bytes> bytes;
  bytes.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto raw = from_hex(records[i].back());
    if (!raw) mismatch(records_file + ": record_hex of row " + std::to_string(i + 1) + " is not hex");
    bytes.push_back(std::move(*raw));
  }
  auto store = make_memory_store();
  if (Status s = import_log(*store, head.head.log, *currency, bytes, head); !s.ok()) {
    if (s.code() != Code::corruption) fail(s);
    mismatch(records_file + ": the log does not verify: " + s.message());
  }
  bytes = {};
  const Clock& clock = *check(app::process_clock());
  auto ledger = check(Ledger::open_read_only(*store, clock));
  report.records = records.size();

  // 2. Every table row against what those records produce.
  std::size_t index = 0;
  record_rows(*ledger, head.head.size, [&](Row expected) {
    compare_row(records_file, kRecords, records[index++], expected, "record " + expected.front());
  });
  records = {};
  const Names none;
  std::vector<AccountId> accounts = all_accounts(*ledger);
  auto accounts_rows = collect([&](const Emit& emit) { account_rows(*ledger, accounts, none, emit); });
  compare_table(dir, kAccounts, json, accounts_rows,
                [](const Row& r) { return r[0].empty() ? r[1] + " account " + r[2].substr(0, 8) : r[0]; });
  auto postings_rows = collect([&](const Emit& emit) { posting_rows(*ledger, accounts, none, emit); });
  compare_table(dir, kPostings, json, postings_rows, [](const Row& r) {
    return "the posting of " + (r[0].empty() ? r[2].substr(0, 8) : r[0]) + " at record " + r[4];
  });
  auto expense_rows_ = collect([&](const Emit& emit) { expense_rows(*ledger, none, emit); });
  compare_table(dir, kExpenses, json, expense_rows_,
                [](const Row& r) { return "claim " + r[0].substr(0, 12); });
  report.accounts = accounts_rows.size();
  report.postings = postings_rows.size();
  report.expenses = expense_rows_.size();

  Hash32 digest = check(ledger->state_digest());
  if (text_field(head_json, "state_digest") != to_hex(digest))
    mismatch("head.json: state_digest differs from the records");
  report.state_digest = to_hex(digest);
}

}  // namespace

void run_verify_export(const GlobalOptions& options, const std::string& dir,
                       const std::string& node_key_hex) {
  const fs::path path = resolve_user_path(dir);  // relative to where `cohours` ran
  if (!fs::is_directory(path) || !fs::exists(path / "head.json"))
    fail(Code::not_found, "no export in " + dir + " (head.json is missing); make one with `cohours export`");
  // The auditor's own copy of the node key, if they have one.
  std::optional<PublicKey> node_key;
  if (!node_key_hex.empty()) {
    node_key = fixed_from_hex<PublicKey>(node_key_hex);
    if (!node_key) fail(Code::malformed, "--node-key takes the node's public key as 64 hex digits");
  }
  VerifyReport report;
  std::string failure;
  try {
    verify_export_dir(path, node_key, report);
  } catch (const ExportMismatch& e) {
    failure = e.message;
  }
  nlohmann::json json = {{"passed", failure.empty()},
                         {"format", report.format},
                         {"records", report.records},
                         {"accounts_compared", report.accounts},
                         {"postings_compared", report.postings},
                         {"expense_claims_compared", report.expenses},
                         {"node_key", report.node_key},
                         {"node_key_expected", report.node_key_given},
                         {"root", report.root},
                         {"state_digest", report.state_digest}};
  if (!failure.empty()) json["failure"] = failure;
  if (options.json) {
    print_json(json);
  } else {
    out() << "records                " << report.records
          << " verified (encoding, hash links, signatures, signed head)\n"
          << "accounts               " << report.accounts << " recomputed from the records and compared\n"
          << "postings               " << report.postings << " compared\n"
          << "expense claims         " << report.expenses << " compared\n";
    if (failure.empty())
      out() << "Merkle root            " << report.root << "\n"
            << "state digest           " << report.state_digest << "\n"
            << "node key               " << report.node_key
            << (report.node_key_given
                    ? " (as expected)\n"
                    : " (trusted from the export: compare it with the node's published key, "
                      "or pass --node-key)\n")
            << "export verified: the tables follow from the signed log\n";
  }
  if (!failure.empty())
    throw CliError{Code::corruption, "export verify FAILED: " + failure, exit_audit_failed, options.json};
}

void add_export_commands(CLI::App& app, GlobalOptions& options) {
  auto format = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  CLI::App* command = add_command(
      app, "export", "Write every record, account, posting and expense claim with the signed tree head");
  command->add_option("--format", *format, "csv or json")->required()->check(CLI::IsMember({"csv", "json"}));
  command->add_option("dir", *dir, "A new or empty directory to write into")->required();
  command->callback([&options, format, dir] { run_export(options, *format, *dir); });
}

}  // namespace cohours::cli
