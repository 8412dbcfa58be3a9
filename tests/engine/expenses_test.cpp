// Expense rules (DESIGN.md rule 6): claims in pence, decided and paid by an
// admin who is not the claimant, in cash accounts apart from credits.
#include <doctest/doctest.h>

#include "cohours/audit.h"
#include "cohours/ledger.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::policy_of;

namespace {

struct Office : test::TestLedger {
  Office() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
    add_member("carol", role_carer);
    add_member("dave", role_coordinator | role_admin | role_volunteer);
    add_member("erin", role_admin);
  }
  ExpenseClaim claim(std::int64_t pence, ExpenseCategory category = ExpenseCategory::travel) {
    ExpenseClaim c;
    c.pence = pence;
    c.currency = *Currency::parse("GBP");
    c.category = category;
    c.date_days = today();
    return c;
  }
  // Paid today.
  ExpensePaid paid(const EntryId& claim) { return ExpensePaid{claim, today(), {}}; }
  Balance cash(AccountId account) { return ledger->balance(account).value(); }
  AccountId coop(AccountKind kind) { return {kind, node.public_key}; }
};

}  // namespace

TEST_CASE("a claim moves claimed -> approved -> paid, each step once") {
  Office office;
  auto claim = office.submit("alice", office.claim(1240));
  REQUIRE(claim.ok());
  CHECK(office.ledger->expense(claim.id).value().status == ExpenseStatus::claimed);
  CHECK(office.cash(AccountId::payable(office.key("alice"))).balance_minutes == 0);  // nothing owed yet

  CHECK(office.submit("erin", office.paid(claim.id)).code == Code::wrong_state);            // unapproved
  CHECK(office.submit("alice", ExpenseApprove{claim.id, {}}).code == Code::not_permitted);  // not an admin
  REQUIRE(office.submit("erin", ExpenseApprove{claim.id, {}}).ok());
  CHECK(office.cash(AccountId::payable(office.key("alice"))).balance_minutes == 1240);
  CHECK(office.cash(office.coop(AccountKind::coop_expenses)).balance_minutes == -1240);
  CHECK(office.submit("dave", ExpenseApprove{claim.id, {}}).code == Code::wrong_state);
  CHECK(office.submit("dave", ExpenseReject{claim.id, {}}).code == Code::wrong_state);

  REQUIRE(office.submit("dave", office.paid(claim.id)).ok());
  CHECK(office.cash(AccountId::payable(office.key("alice"))).balance_minutes == 0);
  CHECK(office.cash(office.coop(AccountKind::coop_paid)).balance_minutes == 1240);
  CHECK(office.submit("erin", office.paid(claim.id)).code == Code::wrong_state);
  CHECK(office.ledger->expense(claim.id).value().status == ExpenseStatus::paid);

  auto rejected = office.submit("alice", office.claim(500, ExpenseCategory::meals));
  REQUIRE(office.submit("erin", ExpenseReject{rejected.id, {}}).ok());
  CHECK(office.submit("erin", office.paid(rejected.id)).code == Code::wrong_state);
  CHECK(office.submit("erin", ExpenseApprove{rejected.id, {}}).code == Code::wrong_state);
}

TEST_CASE("nobody approves, rejects or pays their own claim") {
  Office office;
  auto own = office.submit("dave", office.claim(900));
  REQUIRE(own.ok());
  CHECK(office.submit("dave", ExpenseApprove{own.id, {}}).code == Code::not_permitted);
  CHECK(office.submit("dave", ExpenseReject{own.id, {}}).code == Code::not_permitted);
  REQUIRE(office.submit("erin", ExpenseApprove{own.id, {}}).ok());
  CHECK(office.submit("dave", office.paid(own.id)).code == Code::not_permitted);
  CHECK(office.submit("erin", office.paid(own.id)).ok());
}

TEST_CASE("expense.paid names the day the money was paid: not ahead, not before the cost") {
  Office office;
  auto claim_body = office.claim(700);
  claim_body.date_days = office.today() - 10;
  auto claim = office.submit("alice", claim_body);
  REQUIRE(claim.ok());
  REQUIRE(office.submit("erin", ExpenseApprove{claim.id, {}}).ok());
  const Hash32 digest = office.ledger->state_digest().value();
  // More than a day past the node's clock: money not yet paid.
  auto refused = office.submit("erin", ExpensePaid{claim.id, office.today() + 2, {}});
  CHECK(refused.code == Code::bad_date);
  CHECK(refused.message.find("more than a day ahead") != std::string::npos);
  // Before the claim's own date: paid back before the cost was paid.
  refused = office.submit("erin", ExpensePaid{claim.id, office.today() - 11, {}});
  CHECK(refused.code == Code::bad_date);
  CHECK(refused.message.find("before the claim's own date") != std::string::npos);
  CHECK(office.ledger->state_digest().value() == digest);
  CHECK(office.ledger->expense(claim.id).value().status == ExpenseStatus::approved);
  // The claim's own day is the earliest; tomorrow (time zones) the latest.
  REQUIRE(office.submit("erin", ExpensePaid{claim.id, office.today() - 10, {}}).ok());
  ExpenseState paid = office.ledger->expense(claim.id).value();
  CHECK(paid.status == ExpenseStatus::paid);
  CHECK(paid.paid_date_days == office.today() - 10);
  auto other = office.submit("alice", office.claim(300));
  REQUIRE(office.submit("erin", ExpenseApprove{other.id, {}}).ok());
  REQUIRE(office.submit("erin", ExpensePaid{other.id, office.today() + 1, {}}).ok());
  CHECK(office.ledger->expense(other.id).value().paid_date_days == office.today() + 1);
}

TEST_CASE("whoever filed a claim for someone does not decide on it either") {
  Office office;
  // dave coordinates and administers: he may file a paper claim for alice...
  auto filed = office.submit("dave", office.claim(99'999), office.key("alice"));
  REQUIRE(filed.ok());
  CHECK(office.ledger->expense(filed.id).value().claimant == office.key("alice"));
  // ...but another admin must approve and pay it.
  CHECK(office.submit("dave", ExpenseApprove{filed.id, {}}).code == Code::not_permitted);
  REQUIRE(office.submit("erin", ExpenseApprove{filed.id, {}}).ok());
  CHECK(office.submit("dave", office.paid(filed.id)).code == Code::not_permitted);
}

TEST_CASE("bad claims are refused") {
  Office office;
  CHECK(office.submit("alice", office.claim(0)).code == Code::bad_amount);
  CHECK(office.submit("alice", office.claim(-1240)).code == Code::bad_amount);
  CHECK(office.submit("bob", office.claim(100)).code == Code::not_permitted);
  auto euros = office.claim(100);
  euros.currency = *Currency::parse("EUR");
  CHECK(office.submit("alice", euros).code == Code::malformed);
  auto future = office.claim(100);
  future.date_days += 3;
  CHECK(office.submit("alice", future).code == Code::bad_date);
  CHECK(office.submit("erin", ExpenseApprove{Hash32{}, {}}).code == Code::unknown_entry);
  SUBCASE("miles at the policy rate, for travel only") {
    auto miles = office.claim(12 * 45);
    miles.miles = 12;
    CHECK(office.submit("alice", miles).ok());
    miles.pence = 12 * 40;
    CHECK(office.submit("alice", miles).code == Code::bad_amount);
    REQUIRE(office.submit("erin", policy_of({PolicyTarget::mileage_rate, 0, 40, {}})).ok());
    CHECK(office.submit("alice", miles).ok());
    auto lunch = office.claim(480, ExpenseCategory::meals);
    lunch.miles = 12;
    CHECK(office.submit("alice", lunch).code == Code::malformed);
    // At most 10000 miles in one claim, whoever builds the entry (this was
    // once checked only by the command line).
    auto far = office.claim(10'001 * 40);
    far.miles = 10'001;
    CHECK(office.submit("alice", far).code == Code::bad_amount);
    far.miles = 10'000;
    far.pence = 10'000 * 40;
    CHECK(office.submit("alice", far).ok());
  }
  SUBCASE("the per-claim limit refuses; the monthly limit does not") {
    REQUIRE(office
                .submit("erin", PolicySet{{PolicySetting{PolicyTarget::expense_claim_limit, 3, 1500, {}},
                                           PolicySetting{PolicyTarget::expense_month_limit, 3, 2000, {}}}})
                .ok());
    CHECK(office.submit("alice", office.claim(1501, ExpenseCategory::meals)).code == Code::bad_amount);
    CHECK(office.submit("alice", office.claim(1500, ExpenseCategory::meals)).ok());
    CHECK(office.submit("alice", office.claim(1500, ExpenseCategory::meals)).ok());  // flagged in reports
    CHECK(office.submit("erin", policy_of({PolicyTarget::expense_claim_limit, 9, 100, {}})).code ==
          Code::malformed);
    CHECK(office.submit("erin", policy_of({PolicyTarget::expense_claim_limit, 1, -5, {}})).code ==
          Code::bad_amount);
  }
  SUBCASE("a claim may name only hours the claimant gave") {
    auto hours = office.submit("alice", office.hours("bob", 60, Payer::pool, "transport"));
    auto tied = office.claim(300);
    tied.hours = hours.id;
    CHECK(office.submit("dave", tied).code == Code::not_permitted);
    CHECK(office.submit("alice", tied).ok());
    tied.hours = Hash32{};
    tied.hours.bytes[0] = 1;
    CHECK(office.submit("alice", tied).code == Code::unknown_entry);
  }
}

TEST_CASE("cash and credits never convert into each other") {
  Office office;
  REQUIRE(office.submit("erin", policy_of({PolicyTarget::role_floor, role_carer, -600, {}})).ok());
  // A month of mixed activity.
  auto hours = office.submit("alice", office.hours("bob", 120, Payer::pool, "transport"));
  std::int64_t cash_before_hours = office.cash_in_accounts();
  REQUIRE(office.submit("bob", HoursConfirm{hours.id}).ok());
  REQUIRE(office.submit("carol", Transfer{office.key("alice"), 30, {}}).ok());
  CHECK(office.cash_in_accounts() == cash_before_hours);  // credits moved no cash

  const Balance alice_credits = office.balance("alice"), pool_credits = office.balance("pool");
  auto claim = office.submit("alice", office.claim(1240));
  REQUIRE(office.submit("erin", ExpenseApprove{claim.id, {}}).ok());
  REQUIRE(office.submit("erin", office.paid(claim.id)).ok());
  CHECK(office.balance("alice") == alice_credits);  // cash moved no credits
  CHECK(office.balance("pool") == pool_credits);

  // Every posting stays within one unit, on both of its legs.
  for (const auto& [account, balance] : office.ledger->balances().value())
    for (const auto& posting : office.ledger->postings(account).value())
      CHECK(posting.account.unit() == posting.counterparty.unit());
  // Credits and cash each sum to zero (checked by TestLedger after every
  // submit), and the two units are never summed together.
  CHECK(office.sum_of_balances() == 0);

  office.ledger.reset();
  auto report = audit_store(*office.store);
  CHECK(report.value().passed);
  CHECK(reindex(*office.store, office.clock).value().digest_before == state_digest(*office.store).value());
}
