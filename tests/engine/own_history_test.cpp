// A node restored from an old copy of its store: signing held, and its own
// records taken back from a peer's verified copy (Ledger::recover_own,
// engine/src/batch_apply.cpp).
#include <doctest/doctest.h>

#include "cohours/ledger.h"
#include "cohours/replicas.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::TestLedger;

namespace {

// The same node twice: identical keys, clock and entries give identical
// records and heads, as a backup and the node it was taken from.
struct SameNode : TestLedger {
  SameNode() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
  }
};

LogBatch own_batch_after(TestLedger& node, std::uint64_t from) {
  auto replicas = Replicas::open(*node.store, node.clock);
  REQUIRE(replicas.ok());
  auto batch = replicas.value()->read_batch(node.node.public_key, from, 100);
  REQUIRE(batch.ok());
  return batch.value();
}

}  // namespace

TEST_CASE("signing held refuses every entry, survives a reopen, and is released") {
  SameNode node;
  REQUIRE(!node.ledger->signing_hold());
  REQUIRE(node.ledger->hold_signing("it was restored from a backup").ok());
  node.reopen();
  REQUIRE(node.ledger->signing_hold() == std::optional<std::string>("it was restored from a backup"));
  const std::uint64_t size = node.ledger->log_size();
  SubmitResult refused = node.submit("alice", node.hours("bob", 60, Payer::pool));
  CHECK(refused.code == Code::wrong_state);
  CHECK(refused.message.find("signs nothing for now: it was restored from a backup") != std::string::npos);
  CHECK(node.ledger->log_size() == size);
  REQUIRE(node.ledger->release_signing().ok());
  node.reopen();
  CHECK(!node.ledger->signing_hold());
  CHECK(node.submit("alice", node.hours("bob", 60, Payer::pool)).ok());
}

TEST_CASE("hold_signing_in holds a store no ledger has open") {
  SameNode node;
  node.ledger.reset();
  REQUIRE(hold_signing_in(*node.store, "restored").ok());
  node.reopen();
  CHECK(node.ledger->signing_hold() == std::optional<std::string>("restored"));
}

TEST_CASE("a restored node takes its own records back from a peer's copy, checked, then signs on") {
  SameNode later, restored;
  REQUIRE(later.ledger->log_size() == restored.ledger->log_size());
  const std::uint64_t backup_size = restored.ledger->log_size();
  // The node went on after the backup; a peer copied those records.
  REQUIRE(later.submit("alice", later.hours("bob", 60, Payer::pool)).ok());
  REQUIRE(later.submit("alice", later.hours("bob", 30, Payer::pool)).ok());
  REQUIRE(restored.ledger->hold_signing("restored").ok());
  const LogBatch batch = own_batch_after(later, backup_size);
  REQUIRE(batch.records.size() == 2);

  SUBCASE("a changed record is forged, and nothing is taken") {
    LogBatch forged = batch;
    forged.records.back().back() ^= 1;
    AppendResult result = restored.ledger->recover_own(forged);
    CHECK(result.outcome == AppendResult::Outcome::forged);
    CHECK(restored.ledger->log_size() == backup_size);
  }
  SUBCASE("a batch that does not start at the tip is stale") {
    LogBatch stale = own_batch_after(later, backup_size + 1);
    CHECK(restored.ledger->recover_own(stale).outcome == AppendResult::Outcome::stale);
    CHECK(restored.ledger->log_size() == backup_size);
  }
  SUBCASE("another node's log is refused") {
    LogBatch other = batch;
    other.log = test::seeded_key(7).public_key;
    CHECK(restored.ledger->recover_own(other).outcome == AppendResult::Outcome::unknown_log);
  }
  SUBCASE("the genuine records are appended: the same log and state as the node that went on") {
    AppendResult result = restored.ledger->recover_own(batch);
    REQUIRE(result.outcome == AppendResult::Outcome::appended);
    CHECK(result.size == later.ledger->log_size());
    CHECK(restored.ledger->log_size() == later.ledger->log_size());
    CHECK(restored.ledger->latest_head().value().head.root == later.ledger->latest_head().value().head.root);
    CHECK(restored.ledger->state_digest().value() == later.ledger->state_digest().value());
    CHECK(restored.balance("alice").pending_in_minutes == 90);
    // Again: nothing new. Still held until released.
    CHECK(restored.ledger->recover_own(batch).outcome == AppendResult::Outcome::nothing_new);
    CHECK(restored.submit("alice", restored.hours("bob", 15, Payer::pool)).code == Code::wrong_state);
    REQUIRE(restored.ledger->release_signing().ok());
    CHECK(restored.submit("alice", restored.hours("bob", 15, Payer::pool)).ok());
    // The log goes on from the records taken back, and reopens cleanly.
    restored.reopen();
    CHECK(restored.ledger->log_size() == later.ledger->log_size() + 1);
  }
}

TEST_CASE("a peer's head of a size held with another root is equivocation, not appended") {
  SameNode fork, mine;
  REQUIRE(fork.submit("alice", fork.hours("bob", 60, Payer::pool)).ok());
  REQUIRE(mine.submit("alice", mine.hours("bob", 45, Payer::pool)).ok());  // a second history of that size
  LogBatch theirs = own_batch_after(fork, fork.ledger->log_size() - 1);
  theirs.from_size = mine.ledger->log_size();
  theirs.records.clear();
  AppendResult result = mine.ledger->recover_own(theirs);
  CHECK(result.outcome == AppendResult::Outcome::equivocation);
  REQUIRE(result.evidence.has_value());
  CHECK(result.evidence->first.head.size == result.evidence->second.head.size);
}

TEST_CASE("own records fetched back follow a key rotation among them; an old node.key keeps signing held") {
  SameNode later, restored;
  const std::uint64_t backup_size = restored.ledger->log_size();
  // After the backup the node rotated its key, then signed more with the new one.
  KeyPair next = test::seeded_key(201);
  REQUIRE(later.ledger->rotate_key({next.public_key, next.secret_key.copy()}).ok());
  REQUIRE(later.submit("alice", later.hours("bob", 60, Payer::pool)).ok());
  const LogBatch batch = own_batch_after(later, backup_size);
  AppendResult result = restored.ledger->recover_own(batch);
  REQUIRE(result.outcome == AppendResult::Outcome::appended);
  CHECK(restored.ledger->log_size() == later.ledger->log_size());
  CHECK(restored.ledger->state_digest().value() == later.ledger->state_digest().value());
  // The restored node.key is the retired one: it must not sign.
  auto held = restored.ledger->signing_hold();
  REQUIRE(held.has_value());
  CHECK(held->find("put the newest node.key back") != std::string::npos);
}
