#include "cohours/app/expenses.h"

#include <algorithm>
#include <limits>

#include "cohours/app/names.h"
#include "cohours/app/receipts.h"
#include "cohours/dates.h"
#include "days.h"
#include "try.h"

namespace cohours::app {

namespace {

std::string note_text(Node& node, const Hash32& digest) {
  if (digest.is_zero()) return "";
  return node.directory().note(digest).value_or("(erased)");
}

// The receipt a claim kept, taken back if the claim is refused: no file of
// a refused claim stays behind (unless a claim in the log cites the same
// bytes, which then keep their file).
class KeptReceipt {
 public:
  explicit KeptReceipt(Node& node) : node_(node) {}
  ~KeptReceipt() {
    if (!created_ || accepted_) return;
    auto claims = node_.ledger().expenses();
    if (!claims.ok()) return;  // cannot tell whether another claim cites it: keep it
    for (const auto& claim : claims.value())
      if (claim.receipt_digest == digest_) return;
    (void)erase_receipt(node_, digest_);
  }
  KeptReceipt(const KeptReceipt&) = delete;
  KeptReceipt& operator=(const KeptReceipt&) = delete;

  Result<Hash32> keep(const Bytes& bytes, const std::string& name) {
    if (bytes.empty() && name.empty()) return Hash32{};
    TRY_ASSIGN(ReceiptStored stored, store_receipt(node_, {bytes, name, PublicKey{}}));
    digest_ = stored.digest;
    created_ = stored.created;
    return digest_;
  }
  void accepted() { accepted_ = true; }

 private:
  Node& node_;
  Hash32 digest_;
  bool created_ = false;
  bool accepted_ = false;
};

Result<ExpenseState> claim_named(Node& node, const std::string& id_text) {
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(id_text));
  return node.ledger().expense(id);
}

template <typename Body>
Result<ExpenseDecided> decide(Node& node, const std::string& id_text, const std::string& as,
                              const std::string& text, std::int32_t paid_days = 0) {
  TRY_ASSIGN(PublicKey admin, member_key(node, as));
  TRY_ASSIGN(ExpenseState claim, claim_named(node, id_text));
  Submission submission(node);
  TRY_ASSIGN(Hash32 digest, submission.note(text));
  Body body;
  body.claim = claim.id;
  if constexpr (std::is_same_v<Body, ExpensePaid>) {
    body.date_days = paid_days;
    body.reference_digest = digest;
  } else {
    body.reason_digest = digest;
  }
  TRY_ASSIGN(Accepted accepted, submission.as_member(admin, body));
  return ExpenseDecided{accepted, view_of_claim(node, claim), paid_days};
}

}  // namespace

ExpenseView view_of_claim(Node& node, const ExpenseState& e) {
  ExpenseView view;
  view.id = e.id;
  view.member = member_name(node, e.claimant);
  view.date_days = e.date_days;
  view.category = e.category;
  view.pence = e.pence;
  view.currency = e.currency.str();
  view.miles = e.miles;
  view.status = e.status;
  view.receipt = e.receipt_digest;
  view.receipt_kept = receipt_kept(node, e.receipt_digest);
  view.hours = e.hours;
  view.decided_by = e.decided_by_key.is_zero() ? "" : member_name(node, e.decided_by_key);
  if (e.status == ExpenseStatus::paid) {
    view.paid_days = e.paid_date_days;
    auto seq = node.ledger().seq_of(e.paid_by);
    auto recorded = seq.ok() ? recorded_day(node, seq.value()) : Result<std::int32_t>(seq.status());
    view.paid_recorded_days = recorded.ok() ? recorded.value() : e.paid_date_days;
  }
  view.reason = note_text(node, e.reason_digest);
  view.payment_reference = note_text(node, e.reference_digest);
  view.claimed_seq = e.claimed_seq;
  return view;
}

Result<ExpenseClaimed> claim_expense(Node& node, const ClaimExpense& r) {
  using Answer = Result<ExpenseClaimed>;
  TRY_ASSIGN(PublicKey author, member_key(node, r.as));
  ExpenseClaim body;
  auto category = parse_expense_category(r.category);
  if (!category)
    return Answer(Code::unknown_category, "expense category '" + r.category +
                                              "' is not one of travel, childcare, meals, uniform, other");
  body.category = *category;
  if (r.pence.has_value() == r.miles.has_value())
    return Answer(Code::malformed, "give either --pence or --miles");
  if (r.miles) {
    // The amount is the miles at the rate in force now; the rules check it
    // against the rate when the node accepts the entry, and the bound on
    // miles. Zero or fewer would read as a claim in pence, and more than
    // the entry's field holds cannot be signed: refused here with the
    // rules' words.
    if (*r.miles < 1 || *r.miles > std::numeric_limits<std::uint32_t>::max())
      return Answer(Code::bad_amount, "a claim is for 1 to " + std::to_string(kMaxClaimMiles) +
                                          " miles, got " + std::to_string(*r.miles));
    TRY_ASSIGN(Policy policy, node.ledger().policy());
    body.miles = static_cast<std::uint32_t>(*r.miles);
    body.pence = *r.miles * policy.mileage_rate_pence;
  } else {
    body.pence = *r.pence;
  }
  body.currency = node.ledger().currency();
  if (!r.currency.empty()) {
    auto currency = Currency::parse(r.currency);
    if (!currency) return Answer(Code::malformed, "--currency takes a three-letter code such as GBP");
    body.currency = *currency;
  }
  body.date_days = r.date_days;
  if (!r.hours.empty()) {
    TRY_ASSIGN(body.hours, node.ledger().resolve_id(r.hours));
  }
  Submission submission(node);
  TRY_ASSIGN(body.note_digest, submission.note(r.note));
  KeptReceipt receipt(node);
  TRY_ASSIGN(body.receipt_digest, receipt.keep(r.receipt, r.receipt_name));
  TRY_ASSIGN(Accepted accepted, submission.as_member(author, body));
  receipt.accepted();
  TRY_ASSIGN(ExpenseState state, node.ledger().expense(accepted.id));
  return ExpenseClaimed{accepted, view_of_claim(node, state)};
}

Result<ExpenseList> list_expenses(Node& node, const ListExpenses& r) {
  std::optional<PublicKey> only;
  if (!r.member.empty()) {
    TRY_ASSIGN(only, member_key(node, r.member));
  }
  TRY_ASSIGN(auto claims, node.ledger().expenses());
  std::sort(claims.begin(), claims.end(),
            [](const ExpenseState& a, const ExpenseState& b) { return a.claimed_seq < b.claimed_seq; });
  ExpenseList list;
  for (const auto& claim : claims) {
    if (only && claim.claimant != *only) continue;
    if (r.status && claim.status != *r.status) continue;
    list.claims.push_back(view_of_claim(node, claim));
  }
  return list;
}

Result<ExpenseDecided> approve_expense(Node& node, const ApproveExpense& r) {
  return decide<ExpenseApprove>(node, r.id, r.as, r.reason);
}

Result<ExpenseDecided> reject_expense(Node& node, const RejectExpense& r) {
  return decide<ExpenseReject>(node, r.id, r.as, r.reason);
}

Result<ExpenseDecided> pay_expense(Node& node, const PayExpense& r) {
  // The day the money was paid: today by the node's clock unless given.
  const std::int32_t paid_days = r.paid_days ? *r.paid_days : days_from_ms(node.clock().now_ms());
  return decide<ExpensePaid>(node, r.id, r.as, r.reference, paid_days);
}

}  // namespace cohours::app
