// Expenses: cash paid back to members, never credits (DESIGN.md, ledger
// rule 6). A member claims a cost with its receipt; an admin approves or
// rejects it, then records that it was paid and on which day. What a claim
// may be (roles, amounts, limits, dates, who may decide) is the engine's
// rule; this layer names members, categories and claims, computes a
// mileage claim's amount at the co-op's rate, and keeps the receipt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

// A claim as people read it.
struct ExpenseView {
  EntryId id;
  std::string member;          // the claimant's name (names.h member_name)
  std::int32_t date_days = 0;  // the day of the cost
  ExpenseCategory category = ExpenseCategory::other;
  std::int64_t pence = 0;
  std::string currency;
  std::uint32_t miles = 0;  // 0: claimed in pence
  ExpenseStatus status = ExpenseStatus::claimed;
  Hash32 receipt;                       // zero: none given
  bool receipt_kept = false;            // the file is in the receipts store (not erased)
  EntryId hours;                        // the hours entry the cost belongs to, or zero
  std::string decided_by;               // who approved or rejected it; empty until then
  std::int32_t paid_days = 0;           // status paid: the day the money was paid
  std::int32_t paid_recorded_days = 0;  // status paid: the day the payment was recorded
  std::string reason;                   // private; "(erased)" once erased
  std::string payment_reference;        // private; "(erased)" once erased
  std::uint64_t claimed_seq = 0;
};

// expense claim: `as` claims a cost they paid, in pence or (travel only) in
// miles at the co-op's mileage rate in force now. The receipt's bytes, if
// any, are kept in the receipts store before the entry is signed (the
// entry carries their digest); if the claim is then refused, a receipt
// file this claim added is removed again, and so is the note.
//
// unknown_member for `as`; unknown_category for a category that is not
// travel, childcare, meals, uniform or other; malformed for both or neither
// of pence and miles, or a currency that is not a three-letter code;
// bad_amount for fewer than 1 mile (more than 10000 is the ledger's); the
// receipt's refusal (receipts.h); unknown_entry / malformed for `hours`;
// the ledger's refusal of the entry (not_permitted, bad_amount, bad_date,
// malformed for another currency, ...).
struct ClaimExpense {
  std::string as;
  std::optional<std::int64_t> pence;
  std::optional<std::int64_t> miles;
  std::string category;
  std::int32_t date_days = 0;
  Bytes receipt;             // the receipt file's bytes; empty: none
  std::string receipt_name;  // its name as the person gave it, for messages
  std::string hours;         // the hours entry, as typed; empty: none
  std::string note;          // private
  std::string currency;      // only to confirm the node's; empty: the node's
};
struct ExpenseClaimed {
  Accepted entry;
  ExpenseView claim;
};
Result<ExpenseClaimed> claim_expense(Node& node, const ClaimExpense& request);

// expense list: claims in the order they were claimed, optionally only
// those of one status and/or one member. unknown_member for `member`.
struct ListExpenses {
  std::optional<ExpenseStatus> status;
  std::string member;  // empty: everyone
};
struct ExpenseList {
  std::vector<ExpenseView> claims;
};
Result<ExpenseList> list_expenses(Node& node, const ListExpenses& request);

// expense approve / reject / pay, by an admin who is not the claimant (the
// ledger's rule). `id` names the claim as typed (8+ hex digits).
// unknown_member for `as`; unknown_entry for an id that is not an expense
// claim; the ledger's refusal (not_permitted, wrong_state, bad_date).
struct ApproveExpense {
  std::string id;
  std::string as;
  std::string reason;  // private
};
struct RejectExpense {
  std::string id;
  std::string as;
  std::string reason;  // private
};
struct PayExpense {
  std::string id;
  std::string as;
  std::string reference;                  // private: the bank transfer's reference, say
  std::optional<std::int32_t> paid_days;  // the day the money was paid; empty: today by the node's clock
};
struct ExpenseDecided {
  Accepted entry;
  ExpenseView claim;           // as it was before this entry
  std::int32_t paid_days = 0;  // pay: the day the money was paid
};
Result<ExpenseDecided> approve_expense(Node& node, const ApproveExpense& request);
Result<ExpenseDecided> reject_expense(Node& node, const RejectExpense& request);
Result<ExpenseDecided> pay_expense(Node& node, const PayExpense& request);

// A claim as people read it (for statements, reports and lists).
ExpenseView view_of_claim(Node& node, const ExpenseState& claim);

}  // namespace cohours::app
