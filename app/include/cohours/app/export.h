// The ledger exported for auditors, boards and councils (`cohours export`),
// and the check of such an export without the node (`audit verify
// --export`). This layer says what the tables hold, row by row, as text
// cells; the front end writes them as CSV or JSON files in a directory of
// the person's choosing, and reads them back for the check. The same code
// makes the rows from the node's ledger (export) and from the ledger the
// exported records rebuild (check), so the two cannot drift.
//
// An export is read in pages (a control-socket reply is at most 16 MiB):
// start_export fixes the signed head; the records are asked for up to its
// size; accounts, postings and claims are read from the live ledger
// (cli/CONTROL.md "Known limits" says what a daemon appending meanwhile
// does to them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"

namespace cohours::app {

// head.json's "format": the tables and columns below.
inline constexpr const char* kExportFormat = "cohours-export-v2";

// A column of an export table. `number`: an integer (a JSON number);
// `name_only`: a display name from the erasable directory, covered by no
// signature, so the check does not compare it.
struct ExportColumn {
  const char* name;
  bool number = false;
  bool name_only = false;
};
struct ExportTable {
  const char* name;  // the file is NAME.csv or NAME.json
  std::vector<ExportColumn> columns;
};
const ExportTable& records_table();   // one row per log record
const ExportTable& accounts_table();  // one row per account
const ExportTable& postings_table();  // one row per leg of a movement on an account
const ExportTable& expenses_table();  // one row per expense claim
// The four, in the order they are written and checked.
std::vector<const ExportTable*> export_tables();
// "records.csv", "accounts.json", ...: `format` is "csv" or "json".
std::string export_file_name(const ExportTable& table, const std::string& format);

using ExportRow = std::vector<std::string>;  // one cell per column, in order

// export.head: the latest signed head, which the export is taken under.
struct StartExport {};
struct ExportHead {
  std::string node_name;
  PublicKey node_key;
  std::string currency;
  std::uint64_t size = 0;  // records the head covers
  Hash32 root;
  std::int64_t time_ms = 0;
  std::string signed_head_hex;  // the whole signed head, encoded
  Hash32 state_digest;          // of the live ledger when the export starts
  std::int64_t exported_ms = 0;
};
Result<ExportHead> start_export(Node& node, const StartExport& request);

// A page of rows, and where the next page starts: 0 when there is none.
struct ExportPage {
  std::vector<ExportRow> rows;
  std::uint64_t next = 0;
};
// Each page holds at most this many rows, and stops once its cells pass
// kExportPageBytes, so it fits one reply however long the log.
inline constexpr std::size_t kExportPageRows = 4096;
inline constexpr std::size_t kExportPageBytes = 4u * 1024 * 1024;

// export.records: records from_seq..to_seq (to_seq: the head's size).
// malformed for from_seq 0; not_found past the end of the log.
struct ExportRecords {
  std::uint64_t from_seq = 1;
  std::uint64_t to_seq = 0;
};
Result<ExportPage> export_records(Node& node, const ExportRecords& request);

// export.accounts: every account the ledger knows (those with a balance or
// anything pending, every member's, the pool, and every account a posting
// reaches), in key order, as rows; and the accounts themselves, whose
// postings are then asked for one account at a time.
struct ExportAccounts {};
struct ExportAccountList {
  std::vector<ExportRow> rows;
  std::vector<AccountId> accounts;
};
Result<ExportAccountList> export_accounts(Node& node, const ExportAccounts& request);

// export.postings: one account's postings from log position from_seq on;
// `next` is the log position to ask for next.
struct ExportPostings {
  AccountId account;
  std::uint64_t from_seq = 0;
};
Result<ExportPage> export_postings(Node& node, const ExportPostings& request);

// export.expenses: claims in id order from the `from`-th (0 first).
struct ExportExpenses {
  std::uint64_t from = 0;
};
Result<ExportPage> export_expenses(Node& node, const ExportExpenses& request);

// --- the check --------------------------------------------------------------

// head.json's fields as the front end read them: strings as they are, the
// integers (size, time_ms) as their decimal text; nullopt for a field that
// is absent or of the wrong type.
struct ExportHeadFields {
  std::optional<std::string> format, node_key, root, signed_head, currency, state_digest;
  std::optional<std::string> size, time_ms;
};

// Where the check reads an export: the front end's files.
class ExportSource {
 public:
  virtual ~ExportSource() = default;
  // "csv" or "json": which files hold the tables.
  virtual std::string format() const = 0;
  // The rows of one table, cells in the table's column order. corruption,
  // naming the file and what is wrong, for a file that cannot be read or
  // does not hold the table (the check then fails with that message).
  virtual Result<std::vector<ExportRow>> rows(const ExportTable& table) = 0;
};

struct ExportVerification {
  bool passed = false;
  std::string failure;  // the first mismatch; empty when passed
  std::uint64_t records = 0, accounts = 0, postings = 0, expenses = 0;  // compared so far
  std::string node_key, root, state_digest;                             // hex; as far as the check got
  bool node_key_given = false;  // checked against the key the auditor expects
};

// Checks an export without the node: the records are loaded into a store in
// memory and verified by the engine (encodings, hash links, entry
// signatures, the signed head's signature and root over exactly these
// records); the state is rebuilt from them and every row of every table and
// the state digest compared. `node_key`: the key the auditor expects the
// head to be signed by; empty: the export's own key is trusted (and
// reported). Names (name_only columns) are not compared.
//
// A mismatch is a report with passed false, not an error; errors are
// operational (io_error). Keeps one table in memory at a time.
Result<ExportVerification> verify_export(const ExportHeadFields& head, ExportSource& source,
                                         const std::optional<PublicKey>& node_key, const Clock& clock);

}  // namespace cohours::app
