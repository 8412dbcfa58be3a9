// Calls and their JSON: expenses and receipts (app/expenses.h,
// app/receipts.h). A receipt's bytes travel as base64 (json_basics.h): at
// most 8 MiB of file, under 11 MiB of JSON, inside the 16 MiB message.
#pragma once

#include "cohours/app/expenses.h"
#include "cohours/app/receipts.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseView, id, member, date_days, category, pence, currency, miles,
                                   status, receipt, receipt_kept, hours, decided_by, paid_days,
                                   paid_recorded_days, reason, payment_reference, claimed_seq)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ClaimExpense, as, pence, miles, category, date_days, receipt, receipt_name,
                                   hours, note, currency)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseClaimed, entry, claim)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListExpenses, status, member)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseList, claims)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ApproveExpense, id, as, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RejectExpense, id, as, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PayExpense, id, as, reference, paid_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseDecided, entry, claim, paid_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StoreReceipt, bytes, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReceiptStored, digest, size, created)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowReceipt, digest)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReceiptFile, digest, bytes)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::ClaimExpense, cohours::app::ExpenseClaimed, "expense.claim",
             cohours::app::claim_expense)
COHOURS_CALL(cohours::app::ListExpenses, cohours::app::ExpenseList, "expense.list",
             cohours::app::list_expenses)
COHOURS_CALL(cohours::app::ApproveExpense, cohours::app::ExpenseDecided, "expense.approve",
             cohours::app::approve_expense)
COHOURS_CALL(cohours::app::RejectExpense, cohours::app::ExpenseDecided, "expense.reject",
             cohours::app::reject_expense)
COHOURS_CALL(cohours::app::PayExpense, cohours::app::ExpenseDecided, "expense.pay", cohours::app::pay_expense)
COHOURS_CALL(cohours::app::StoreReceipt, cohours::app::ReceiptStored, "receipt.store",
             cohours::app::store_receipt)
COHOURS_CALL(cohours::app::ShowReceipt, cohours::app::ReceiptFile, "receipt.read", cohours::app::read_receipt)

namespace cohours::control {
using ExpenseCalls = CallList<app::ClaimExpense, app::ListExpenses, app::ApproveExpense, app::RejectExpense,
                              app::PayExpense, app::StoreReceipt, app::ShowReceipt>;
}  // namespace cohours::control
