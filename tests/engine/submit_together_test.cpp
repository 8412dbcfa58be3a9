// Batches that stand or fall as one (Ledger::submit_together), as an
// imported timesheet is: every refusal reported, nothing stored unless all
// pass, a dry run that stores nothing, and a retry that adds nothing.
#include <doctest/doctest.h>

#include <thread>

#include "cohours/ledger.h"

#include "test_support.h"

using namespace cohours;
using cohours::test::policy_of;
using cohours::test::TestLedger;

namespace {

struct TimesheetCoop : TestLedger {
  TimesheetCoop() {
    add_member("vic", role_volunteer);
    add_member("val", role_volunteer);
    add_member("carl", role_carer);
    add_member("cora", role_coordinator);
  }
  // Hours `volunteer` gave carl, logged by cora for them.
  Bytes row(const std::string& volunteer, std::int64_t minutes) {
    return make("cora", hours("carl", minutes), key(volunteer)).bytes;
  }
  std::uint64_t log_size() { return ledger->log_size(); }
};

}  // namespace

TEST_CASE("a batch that stands together is stored whole") {
  TimesheetCoop coop;
  const std::uint64_t before = coop.log_size();
  std::vector<Bytes> batch{coop.row("vic", 60), coop.row("val", 90), coop.row("vic", 30)};
  auto results = coop.ledger->submit_together(batch, Together::all_or_none);
  REQUIRE(results.size() == 3);
  for (const auto& r : results) {
    CHECK(r.ok());
    CHECK_FALSE(r.held_back);
    CHECK_FALSE(r.duplicate);
  }
  CHECK(results[2].seq == before + 3);
  CHECK(coop.log_size() == before + 3);
  CHECK(coop.balance("vic").pending_in_minutes == 90);

  SUBCASE("the same batch again adds nothing and answers as duplicates") {
    auto again = coop.ledger->submit_together(batch, Together::all_or_none);
    for (std::size_t i = 0; i < again.size(); ++i) {
      CHECK(again[i].ok());
      CHECK(again[i].duplicate);
      CHECK(again[i].seq == results[i].seq);
    }
    CHECK(coop.log_size() == before + 3);
  }
}

TEST_CASE("one refused entry keeps the whole batch out, and every refusal is reported") {
  TimesheetCoop coop;
  const std::uint64_t before = coop.log_size();
  HoursLog zero = coop.hours("carl", 0);
  HoursLog future = coop.hours("carl", 60);
  future.date_days = coop.today() + 30;
  std::vector<Bytes> batch{coop.row("vic", 60), coop.make("cora", zero, coop.key("val")).bytes,
                           coop.row("val", 45), coop.make("cora", future, coop.key("vic")).bytes};
  auto results = coop.ledger->submit_together(batch, Together::all_or_none);
  CHECK(results[0].ok());
  CHECK(results[0].held_back);
  CHECK(results[1].code == Code::bad_amount);
  CHECK(results[2].held_back);
  CHECK(results[3].code == Code::bad_date);
  CHECK(coop.log_size() == before);
  CHECK(coop.balance("vic").pending_in_minutes == 0);
  CHECK(coop.balance("val").pending_in_minutes == 0);

  SUBCASE("refusals are not remembered: the corrected batch goes in, and the good entries are the same bytes") {
    batch.erase(batch.begin() + 3);
    batch.erase(batch.begin() + 1);
    auto fixed = coop.ledger->submit_together(batch, Together::all_or_none);
    CHECK(fixed[0].ok());
    CHECK_FALSE(fixed[0].held_back);
    CHECK(fixed[0].id == results[0].id);
    CHECK(fixed[1].ok());
    CHECK(coop.log_size() == before + 2);
  }
  SUBCASE("the refused entry alone, submitted as usual, is judged afresh") {
    auto alone = coop.ledger->submit_one(batch[1]);
    CHECK(alone.code == Code::bad_amount);
    CHECK_FALSE(alone.refused_before);
  }
}

TEST_CASE("later entries of a batch are judged after the earlier ones") {
  TimesheetCoop coop;
  coop.add_member("ada", role_admin);
  REQUIRE(coop.submit("ada", policy_of({PolicyTarget::role_floor, role_carer, -600, {}})).ok());
  // carl confirms, in the same batch, hours logged for him earlier in it:
  // the confirmation needs the first entry in place.
  std::vector<Bytes> batch;
  SignedEntry first = coop.make("cora", coop.hours("carl", 60), coop.key("vic"));
  batch.push_back(first.bytes);
  batch.push_back(coop.make("carl", HoursConfirm{first.id}).bytes);
  auto results = coop.ledger->submit_together(batch, Together::all_or_none);
  CHECK(results[0].ok());
  INFO(results[1].message);
  CHECK(results[1].ok());
  CHECK(coop.balance("vic").balance_minutes == 60);
}

TEST_CASE("a dry run judges the batch as it would be stored and stores nothing") {
  TimesheetCoop coop;
  const std::uint64_t before = coop.log_size();
  std::vector<Bytes> batch{coop.row("vic", 60), coop.row("val", 90)};
  auto dry = coop.ledger->submit_together(batch, Together::dry_run);
  CHECK(dry[0].ok());
  CHECK(dry[0].held_back);
  CHECK(dry[0].seq == before + 1);
  CHECK(dry[1].seq == before + 2);
  CHECK(coop.log_size() == before);
  CHECK(coop.balance("vic").pending_in_minutes == 0);
  // Then for real: the same entries, where the dry run said.
  auto real = coop.ledger->submit_together(batch, Together::all_or_none);
  CHECK(real[1].seq == before + 2);
  CHECK_FALSE(real[1].held_back);
  CHECK(coop.log_size() == before + 2);
}

TEST_CASE("an entry that does not decode or verify sinks the batch, and the rest are still judged") {
  TimesheetCoop coop;
  const std::uint64_t before = coop.log_size();
  Bytes forged = coop.row("val", 90);
  forged.back() ^= 1;
  Bytes garbage{1, 2, 3};
  HoursLog zero = coop.hours("carl", 0);
  std::vector<Bytes> batch{coop.row("vic", 60), forged, garbage, coop.make("cora", zero, coop.key("vic")).bytes};
  auto results = coop.ledger->submit_together(batch, Together::all_or_none);
  CHECK(results[0].held_back);
  CHECK(results[1].code == Code::bad_signature);
  CHECK(results[2].code == Code::malformed);
  CHECK(results[3].code == Code::bad_amount);
  CHECK(coop.log_size() == before);
}

TEST_CASE("a batch beside ordinary submissions: theirs stand whatever becomes of it") {
  TimesheetCoop coop;
  const std::uint64_t before = coop.log_size();
  HoursLog zero = coop.hours("carl", 0);
  std::vector<Bytes> bad{coop.row("vic", 60), coop.make("cora", zero, coop.key("vic")).bytes};
  std::vector<std::thread> threads;
  std::vector<SubmitResult> singles(8);
  for (int i = 0; i < 8; ++i) {
    Bytes one = coop.row("val", 10 + i);
    threads.emplace_back([&, i, one] { singles[i] = coop.ledger->submit_one(one); });
  }
  auto results = coop.ledger->submit_together(bad, Together::all_or_none);
  for (auto& t : threads) t.join();
  for (const auto& r : singles) CHECK(r.ok());
  CHECK(results[0].held_back);
  CHECK(coop.log_size() == before + 8);
  CHECK(coop.balance("val").pending_in_minutes == 8 * 10 + 28);
}

TEST_CASE("a read-only ledger refuses a batch") {
  TimesheetCoop coop;
  auto reader = Ledger::open_read_only(*coop.store, coop.clock);
  REQUIRE(reader.ok());
  std::vector<Bytes> batch{coop.row("vic", 60)};
  auto results = reader.value()->submit_together(batch, Together::dry_run);
  CHECK(results[0].code == Code::not_permitted);
}
