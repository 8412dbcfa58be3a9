// Read-only views of accounts and of the log: balances, a member's (or the
// pool's) statement with its expenses and benefits figures, the records of
// the log, its latest signed head.
//
// Dates (docs/decisions.md "Which day a figure counts"): hours count on the
// day the help was given and cash on the day it was paid, whenever the
// ledger recorded them; transfers and reversals on the day they were
// recorded. Each line also carries the day it was recorded.
#pragma once

#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/movements.h"
#include "cohours/app/node.h"

namespace cohours::app {

struct AccountView {
  AccountId account;
  std::string name;  // names.h account_name
  Balance balance;
};

// `account` empty: every member (by name, even with nothing yet), then the
// pool and the other credit accounts. Else one member, or "pool". Cash
// accounts are never listed beside credits.
struct ShowBalances {
  std::string account;
};
struct Balances {
  std::vector<AccountView> accounts;
  std::int64_t sum_minutes = 0;  // of every balance listed
};
Result<Balances> balances(Node& node, const ShowBalances& request);

// A member's or the pool's statement over [from_days, to_days] (whole days,
// inclusive). `viewer` empty: the operator (sees all); else the member
// asking, who sees their own statement unless an admin or auditor.
struct ShowStatement {
  std::string account;  // alias or "pool"
  std::int32_t from_days = INT32_MIN;
  std::int32_t to_days = INT32_MAX;
  std::string viewer;
};
// One posting on the account.
struct StatementLine {
  std::uint64_t seq = 0;
  std::int32_t date_days = 0;    // the day it counts (see above)
  std::int32_t posted_days = 0;  // the day the ledger recorded it
  std::int64_t change_minutes = 0;
  std::int64_t balance_after_minutes = 0;  // running balance in date order
  EntryId entry;                           // the entry that posted it
  std::string counterparty;                // the other account's name
  bool reversal = false;                   // a reversal giving back `about`
  std::optional<MovementView> about;       // what the credits moved for
};
// Hours logged for or by the account, not yet confirmed.
struct PendingLine {
  MovementView movement;
  bool incoming = false;  // the account would receive the minutes
};
struct ExpenseLine {
  EntryId id;
  std::int32_t date_days = 0;  // the day of the cost
  ExpenseCategory category = ExpenseCategory::other;
  std::int64_t pence = 0;
  ExpenseStatus status = ExpenseStatus::claimed;
  std::int32_t paid_days = 0;           // the day the money was paid (status paid)
  std::int32_t paid_recorded_days = 0;  // the day the payment was recorded
};
struct MonthTotal {
  std::string month;  // YYYY-MM
  std::int64_t pence = 0;
};
struct Statement {
  std::string account;  // its name
  AccountKind kind = AccountKind::member;
  std::string node_name;
  std::string currency;
  std::int64_t opening_minutes = 0;  // balance before from_days
  std::int64_t closing_minutes = 0;  // balance at the end of to_days
  std::int64_t pending_minutes = 0;  // everything pending now, in - out
  std::vector<StatementLine> lines;  // in date order, then log order
  std::vector<PendingLine> pending;
  // Members only: claims dated in the period, and payments made in it.
  std::vector<ExpenseLine> expenses;
  std::vector<ExpenseLine> payments;
  std::vector<MonthTotal> reimbursed_by_month;  // payments by the month they were paid
};
Result<Statement> statement(Node& node, const ShowStatement& request);

// Records seq from..to of this node's log (to 0: the end).
struct ShowLog {
  std::uint64_t from_seq = 1;
  std::uint64_t to_seq = 0;
};
struct LogRecordView {
  std::uint64_t seq = 0;
  EntryId id;
  EntryKind kind = EntryKind::hours_log;
  PublicKey author;
  PublicKey on_behalf;
  std::string signed_by;  // "node", an alias, "coordinator for alice"
  std::int64_t created_ms = 0;
  std::int64_t received_ms = 0;
  std::string summary;  // one line, names instead of keys
  Hash32 prev_hash;
};
struct LogRecords {
  std::uint64_t log_size = 0;
  std::vector<LogRecordView> records;
};
Result<LogRecords> log_records(Node& node, const ShowLog& request);

// The latest signed tree head, and its encoding to keep for later audits.
struct ShowHead {};
struct LogHead {
  PublicKey log;
  std::uint64_t size = 0;
  Hash32 root;
  std::int64_t time_ms = 0;
  std::string signature_hex;
  std::string encoded_hex;  // the whole signed head (encode_signed_tree_head)
};
Result<LogHead> log_head(Node& node, const ShowHead& request);

// One line about what an entry says, names instead of keys.
std::string entry_summary(Node& node, const Entry& entry);

}  // namespace cohours::app
