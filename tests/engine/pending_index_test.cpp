// The pending column: a member's pending list reads the movements still
// waiting, not every movement in the log (issue 14), and it is derived state
// like any other: rebuilt by reindex, checked by audit, built on the first
// open of a store from before it.
#include <doctest/doctest.h>

#include <algorithm>

#include "cohours/audit.h"
#include "cohours/ledger.h"

#include "test_support.h"

using namespace cohours;
using cohours::test::TestLedger;

namespace {

struct PendingCoop : TestLedger {
  PendingCoop() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
    add_member("carol", role_carer | role_volunteer);
  }
  std::vector<EntryId> pending_ids() {
    auto pending = ledger->pending_movements();
    REQUIRE(pending.ok());
    std::vector<EntryId> ids;
    for (const auto& m : *pending) {
      CHECK(m.status == MovementStatus::pending);
      ids.push_back(m.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  bool audit_passes() {
    auto report = audit_store(*store);
    REQUIRE(report.ok());
    return report->failure.empty();
  }
};

std::vector<EntryId> sorted(std::vector<EntryId> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST_CASE("pending movements: listed while pending, gone once confirmed or voided") {
  PendingCoop coop;
  auto first = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  auto second = coop.submit("carol", coop.hours("bob", 30, Payer::pool));
  auto third = coop.submit("alice", coop.hours("carol", 45));
  REQUIRE((first.ok() && second.ok() && third.ok()));
  CHECK(coop.pending_ids() == sorted({first.id, second.id, third.id}));
  REQUIRE(coop.submit("bob", HoursConfirm{first.id}).ok());
  REQUIRE(coop.submit("carol", HoursVoid{second.id, {}}).ok());
  CHECK(coop.pending_ids() == std::vector<EntryId>{third.id});
  CHECK(coop.audit_passes());
  // A refused entry leaves the column as it was.
  CHECK(coop.submit("bob", HoursConfirm{second.id}).code == Code::wrong_state);
  CHECK(coop.pending_ids() == std::vector<EntryId>{third.id});
}

TEST_CASE("pending movements: a store from before the column gets it on its first open for writing") {
  PendingCoop coop;
  auto waiting = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  auto done = coop.submit("carol", coop.hours("bob", 30, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{done.id}).ok());
  // As an older version left it: no pending rows, no marker.
  coop.ledger.reset();
  REQUIRE(coop.store->clear(Column::pending).ok());
  WriteBatch unmark;
  unmark.erase(Column::meta, "pending_index");
  REQUIRE(coop.store->write(unmark, Durability::synced).ok());
  // An auditor reading it before then is not told it is damaged.
  CHECK(coop.audit_passes());
  coop.reopen();
  CHECK(coop.pending_ids() == std::vector<EntryId>{waiting.id});
  CHECK(coop.audit_passes());
}

TEST_CASE("pending movements: a removed or added row is found by audit and repaired by reindex") {
  PendingCoop coop;
  auto waiting = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  auto done = coop.submit("carol", coop.hours("bob", 30, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{done.id}).ok());
  auto rows = coop.log_rows();
  SUBCASE("removed") {
    WriteBatch edit;
    edit.erase(Column::pending, std::string(reinterpret_cast<const char*>(waiting.id.bytes.data()), 32));
    REQUIRE(rows->write(edit, Durability::synced).ok());
  }
  SUBCASE("added") {
    WriteBatch edit;
    edit.put(Column::pending, std::string(reinterpret_cast<const char*>(done.id.bytes.data()), 32), "");
    REQUIRE(rows->write(edit, Durability::synced).ok());
  }
  CHECK_FALSE(coop.audit_passes());
  coop.ledger.reset();
  REQUIRE(reindex(*coop.store, coop.clock).ok());
  coop.reopen();
  CHECK(coop.pending_ids() == std::vector<EntryId>{waiting.id});
  CHECK(coop.audit_passes());
}
