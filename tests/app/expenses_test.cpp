#include "cohours/app/expenses.h"

#include <filesystem>

#include "app_support.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/members.h"
#include "cohours/app/receipts.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::day;
using cohours::test::bytes_of;
using cohours::test::TestNode;
namespace fs = std::filesystem;

namespace {

app::ClaimExpense claiming(std::string as, std::int64_t pence, std::string category = "travel",
                           const char* date = "2026-11-10") {
  app::ClaimExpense r;
  r.as = std::move(as);
  r.pence = pence;
  r.category = std::move(category);
  r.date_days = day(date);
  return r;
}

std::size_t receipt_files(TestNode& t) {
  std::error_code ec;
  if (!fs::exists(t.dir / "receipts", ec)) return 0;
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& file : fs::directory_iterator(t.dir / "receipts")) ++n;
  return n;
}

// A claim by `as`, accepted; its id as hex.
std::string claimed(TestNode& t, app::ClaimExpense request) {
  auto done = app::claim_expense(*t, request);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  return to_hex(done->entry.id);
}

}  // namespace

TEST_CASE("expense claim: in pence, in miles at the co-op's rate, with a receipt kept under its digest") {
  TestNode t;
  app::ClaimExpense request = claiming("alice", 1240);
  request.receipt = bytes_of("Bus fare, 2026-11-10, 12.40\n");
  request.receipt_name = "ticket.txt";
  request.note = "the 42 to the surgery";
  auto done = app::claim_expense(*t, request);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  const app::ExpenseView& c = done->claim;
  CHECK(c.member == "alice");
  CHECK(c.pence == 1240);
  CHECK(c.currency == "GBP");
  CHECK(c.category == ExpenseCategory::travel);
  CHECK(c.date_days == day("2026-11-10"));
  CHECK(c.status == ExpenseStatus::claimed);
  CHECK(c.miles == 0);
  Blake2bStream hash;
  hash.update(std::string_view("Bus fare, 2026-11-10, 12.40\n"));
  CHECK(c.receipt == hash.finish());
  CHECK(c.receipt_kept);
  CHECK(app::read_receipt(*t, {c.receipt})->bytes == request.receipt);
  auto state = t.node->ledger().expense(done->entry.id);
  REQUIRE(state.ok());
  CHECK(t.node->directory().note(state->note_digest) == "the 42 to the surgery");

  app::ClaimExpense miles = claiming("alice", 0);
  miles.pence.reset();
  miles.miles = 12;
  auto by_distance = app::claim_expense(*t, miles);
  REQUIRE(by_distance.ok());
  CHECK(by_distance->claim.miles == 12);
  CHECK(by_distance->claim.pence == 12 * 45);

  // A cost that belongs to hours the claimant gave.
  auto hours = app::log_hours(*t, {"alice", "", "bob", 120, "befriending", day("2026-11-09"), ""});
  REQUIRE(hours.ok());
  app::ClaimExpense lunch = claiming("alice", 600, "meals");
  lunch.hours = to_hex(hours->entry.id).substr(0, 10);
  auto linked = app::claim_expense(*t, lunch);
  REQUIRE(linked.ok());
  CHECK(linked->claim.hours == hours->entry.id);
  CHECK_FALSE(linked->claim.receipt_kept);
  CHECK(linked->claim.receipt.is_zero());
}

TEST_CASE("expense claim: each refusal has its code and leaves no receipt and no entry") {
  TestNode t;
  const std::uint64_t size = t.node->ledger().log_size();
  struct Refusal {
    app::ClaimExpense request;
    Code code;
    std::string message;
  };
  auto with = [](app::ClaimExpense r, auto change) {
    change(r);
    return r;
  };
  auto both = with(claiming("alice", 1240), [](auto& r) { r.miles = 3; });
  auto neither = with(claiming("alice", 1240), [](auto& r) { r.pence.reset(); });
  auto miles = [&](std::int64_t n, std::string category = "travel") {
    return with(claiming("alice", 0, category), [n](auto& r) {
      r.pence.reset();
      r.miles = n;
    });
  };
  const std::vector<Refusal> refusals = {
      {claiming("zoe", 1240), Code::unknown_member, "no member called 'zoe'"},
      {claiming("alice", 1240, "taxi"), Code::unknown_category, "expense category 'taxi' is not one of"},
      {both, Code::malformed, "give either --pence or --miles"},
      {neither, Code::malformed, "give either --pence or --miles"},
      {miles(0), Code::bad_amount, "a claim is for 1 to 10000 miles, got 0"},
      {miles(10001), Code::bad_amount, "a claim is for 1 to 10000 miles, got 10001"},
      {miles(12, "meals"), Code::malformed, "only travel is claimed in miles"},
      {claiming("alice", -100), Code::bad_amount, "an expense is a positive number of pence, got -100"},
      {with(claiming("alice", 1240), [](auto& r) { r.currency = "EURO"; }), Code::malformed, "three-letter"},
      {with(claiming("alice", 1240), [](auto& r) { r.currency = "EUR"; }), Code::malformed,
       "this co-op pays expenses in GBP, not EUR"},
      {claiming("alice", 1240, "travel", "2026-12-25"), Code::bad_date, "costs already paid"},
      {claiming("bob", 1240), Code::not_permitted, "only volunteers and carers claim expenses"},
      {claiming("dave", 1240), Code::not_permitted, "only volunteers and carers claim expenses"},
      {with(claiming("alice", 1240), [](auto& r) { r.hours = "0123456789ab"; }), Code::unknown_entry, ""},
      {with(claiming("alice", 1240), [](auto& r) { r.receipt = Bytes(app::kMaxReceiptBytes + 1, 'x'); }),
       Code::malformed, "over 8 MiB"},
      {with(claiming("alice", 1240), [](auto& r) { r.receipt_name = "blank.jpg"; }), Code::malformed,
       "receipt file 'blank.jpg' is empty"},
  };
  int n = 0;
  for (auto refusal : refusals) {
    CAPTURE(refusal.message);
    // Every refused claim brings a receipt of its own (unless the case is
    // about the receipt): none may stay behind.
    if (refusal.request.receipt.empty() && refusal.request.receipt_name.empty()) {
      refusal.request.receipt = bytes_of("receipt " + std::to_string(++n));
      refusal.request.receipt_name = "receipt.txt";
    }
    auto done = app::claim_expense(*t, refusal.request);
    REQUIRE_FALSE(done.ok());
    CHECK(done.code() == refusal.code);
    CHECK(done.status().message().find(refusal.message) != std::string::npos);
    CHECK(receipt_files(t) == 0);
  }
  CHECK(t.node->ledger().log_size() == size);
}

TEST_CASE("a refused claim takes back only a receipt it added") {
  TestNode t;
  app::ClaimExpense first = claiming("alice", 1240);
  first.receipt = bytes_of("shared receipt");
  claimed(t, first);
  REQUIRE(receipt_files(t) == 1);
  // bob (a service user) may not claim: his claim is refused, but the file
  // was there before it and another claim cites it.
  app::ClaimExpense refused = claiming("bob", 1240);
  refused.receipt = first.receipt;
  CHECK(app::claim_expense(*t, refused).code() == Code::not_permitted);
  CHECK(receipt_files(t) == 1);
  CHECK(app::list_expenses(*t, {})->claims.at(0).receipt_kept);
}

TEST_CASE("expense list: in the order claimed, by status and by member") {
  TestNode t;
  const std::string a = claimed(t, claiming("alice", 1240));
  const std::string c = claimed(t, claiming("carol", 800, "meals", "2026-11-11"));
  const std::string b = claimed(t, claiming("alice", 500, "meals", "2026-11-09"));
  REQUIRE(app::approve_expense(*t, {c, "dave", "within policy"}).ok());
  auto all = app::list_expenses(*t, {});
  REQUIRE(all.ok());
  REQUIRE(all->claims.size() == 3);
  CHECK(to_hex(all->claims[0].id) == a);
  CHECK(to_hex(all->claims[1].id) == c);
  CHECK(to_hex(all->claims[2].id) == b);
  CHECK(all->claims[1].status == ExpenseStatus::approved);
  CHECK(all->claims[1].decided_by == "dave");
  CHECK(all->claims[1].reason == "within policy");
  auto approved = app::list_expenses(*t, {ExpenseStatus::approved, ""});
  REQUIRE(approved->claims.size() == 1);
  CHECK(approved->claims[0].member == "carol");
  auto alices = app::list_expenses(*t, {std::nullopt, "alice"});
  CHECK(alices->claims.size() == 2);
  CHECK(app::list_expenses(*t, {ExpenseStatus::claimed, "carol"})->claims.empty());
  CHECK(app::list_expenses(*t, {std::nullopt, "zoe"}).code() == Code::unknown_member);
}

TEST_CASE("approve, reject, pay: by an admin, never on their own claim, each step once, the paid day") {
  TestNode t;
  t.add("hal", {"volunteer", "admin"});
  const std::string bus = claimed(t, claiming("alice", 1240, "travel", "2026-11-10"));
  const std::string lunch = claimed(t, claiming("carol", 800, "meals", "2026-11-12"));
  const std::string own = claimed(t, claiming("hal", 450, "meals"));

  CHECK(app::approve_expense(*t, {bus, "alice", ""}).code() == Code::not_permitted);
  CHECK(app::approve_expense(*t, {own, "hal", ""}).code() == Code::not_permitted);
  CHECK(app::approve_expense(*t, {bus, "zoe", ""}).code() == Code::unknown_member);
  CHECK(app::approve_expense(*t, {"0123456789ab", "dave", ""}).code() == Code::unknown_entry);
  auto hours = app::log_hours(*t, {"alice", "", "bob", 60, "shopping", day("2026-11-09"), ""});
  REQUIRE(hours.ok());
  auto not_a_claim = app::approve_expense(*t, {to_hex(hours->entry.id), "dave", ""});
  CHECK(not_a_claim.code() == Code::unknown_entry);
  CHECK(not_a_claim.status().message().find("no expense claim") == 0);
  // Only an approved claim is paid.
  CHECK(app::pay_expense(*t, {bus, "dave", "", std::nullopt}).code() == Code::wrong_state);

  auto approved = app::approve_expense(*t, {bus.substr(0, 8), "dave", "bus fares"});
  REQUIRE(approved.ok());
  CHECK(approved->claim.status == ExpenseStatus::claimed);  // as it was before
  CHECK(approved->claim.member == "alice");
  CHECK(app::approve_expense(*t, {bus, "hal", ""}).code() == Code::wrong_state);

  // Paid today by the node's clock unless the day is given.
  auto paid = app::pay_expense(*t, {bus, "hal", "BACS 0042", std::nullopt});
  REQUIRE(paid.ok());
  CHECK(paid->paid_days == days_from_ms(t.clock.now_ms()));
  CHECK(app::pay_expense(*t, {bus, "hal", "", std::nullopt}).code() == Code::wrong_state);
  CHECK(app::reject_expense(*t, {bus, "hal", ""}).code() == Code::wrong_state);

  REQUIRE(app::approve_expense(*t, {lunch, "hal", ""}).ok());
  CHECK(app::pay_expense(*t, {lunch, "dave", "", day("2026-11-11")}).code() ==
        Code::bad_date);  // before the cost
  CHECK(app::pay_expense(*t, {lunch, "dave", "", day("2026-11-25")}).code() == Code::bad_date);  // ahead
  auto earlier = app::pay_expense(*t, {lunch, "dave", "cash", day("2026-11-13")});
  REQUIRE(earlier.ok());
  CHECK(earlier->paid_days == day("2026-11-13"));
  auto list = app::list_expenses(*t, {ExpenseStatus::paid, ""});
  REQUIRE(list->claims.size() == 2);
  CHECK(list->claims[0].payment_reference == "BACS 0042");
  CHECK(list->claims[1].paid_days == day("2026-11-13"));
  CHECK(list->claims[1].paid_recorded_days == day("2026-11-18"));  // the day it was recorded

  auto rejected = app::reject_expense(*t, {own, "dave", "claimed twice"});
  REQUIRE(rejected.ok());
  CHECK(app::list_expenses(*t, {ExpenseStatus::rejected, ""})->claims.at(0).reason == "claimed twice");
  CHECK(app::pay_expense(*t, {own, "dave", "", std::nullopt}).code() == Code::wrong_state);
}
