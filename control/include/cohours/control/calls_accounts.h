// Calls and their JSON: balances, statements, the log (app/accounts.h).
#pragma once

#include "cohours/app/accounts.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"
#include "cohours/control/json_basics.h"

namespace cohours {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AccountId, kind, key)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Balance, balance_minutes, pending_in_minutes, pending_out_minutes)
}  // namespace cohours

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AccountView, account, name, balance)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowBalances, account)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Balances, accounts, sum_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowStatement, account, from_days, to_days, viewer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StatementLine, seq, date_days, posted_days, change_minutes,
                                   balance_after_minutes, entry, counterparty, reversal, about)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PendingLine, movement, incoming)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseLine, id, date_days, category, pence, status, paid_days,
                                   paid_recorded_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MonthTotal, month, pence)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Statement, account, kind, node_name, currency, opening_minutes,
                                   closing_minutes, pending_minutes, lines, pending, expenses, payments,
                                   reimbursed_by_month)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowLog, from_seq, to_seq)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogRecordView, seq, id, kind, author, on_behalf, signed_by, created_ms,
                                   received_ms, summary, prev_hash)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogRecords, log_size, records)
inline void to_json(nlohmann::json& j, const ShowHead&) {
  j = nlohmann::json::object();
}
inline void from_json(const nlohmann::json&, ShowHead&) {}
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogHead, log, size, root, time_ms, signature_hex, encoded_hex)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::ShowBalances, cohours::app::Balances, "balance", cohours::app::balances)
COHOURS_CALL(cohours::app::ShowStatement, cohours::app::Statement, "statement", cohours::app::statement)
COHOURS_CALL(cohours::app::ShowLog, cohours::app::LogRecords, "log.show", cohours::app::log_records)
COHOURS_CALL(cohours::app::ShowHead, cohours::app::LogHead, "log.head", cohours::app::log_head)

namespace cohours::control {
using AccountCalls = CallList<app::ShowBalances, app::ShowStatement, app::ShowLog, app::ShowHead>;
}  // namespace cohours::control
