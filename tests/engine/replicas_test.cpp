#include "cohours/replicas.h"

#include <thread>
#include <vector>

#include "cohours/audit.h"
#include "cohours/crypto.h"
#include "cohours/merkle.h"
#include "test_support.h"

namespace cohours {
namespace {

using Outcome = AppendResult::Outcome;

// Two co-ops, each with its own store; each follows the other's log.
struct Pair {
  test::TestLedger a{nullptr, 201, 0};
  test::TestLedger b{nullptr, 202, 100};
  std::unique_ptr<Replicas> ra, rb;

  Pair() {
    ra = Replicas::open(*a.store, a.clock).value();
    rb = Replicas::open(*b.store, b.clock).value();
    REQUIRE(ra->follow(b.node.public_key, "b-coop", *Currency::parse("GBP")).ok());
    REQUIRE(rb->follow(a.node.public_key, "a-coop", *Currency::parse("GBP")).ok());
    a.add_member("carol", role_carer | role_service_user);
    a.add_member("dan", role_volunteer);
    b.add_member("alice", role_volunteer);
  }

  // Copies everything of A's log to B in batches of `max` records.
  std::uint64_t sync_a_to_b(std::uint32_t max = 1000) {
    std::uint64_t appended = 0;
    for (;;) {
      std::uint64_t held = rb->log_state(a.node.public_key).value().size;
      auto batch = ra->read_batch(a.node.public_key, held, max);
      if (!batch.ok()) {
        REQUIRE(batch.code() == Code::not_found);
        return appended;
      }
      AppendResult result = rb->append(batch.value());
      REQUIRE_MESSAGE(result.outcome == Outcome::appended, result.message);
      appended += result.appended;
    }
  }
  std::uint64_t b_copy_size() { return rb->log_state(a.node.public_key).value().size; }
  // Copies everything of B's log to A.
  void sync_b_to_a() {
    for (;;) {
      std::uint64_t held = ra->log_state(b.node.public_key).value().size;
      auto batch = rb->read_batch(b.node.public_key, held, 1000);
      if (!batch.ok()) return;
      REQUIRE(ra->append(batch.value()).outcome == Outcome::appended);
    }
  }
};

}  // namespace

TEST_CASE("a copy of another node's log verifies and matches its state bit for bit") {
  Pair p;
  for (int i = 0; i < 20; ++i) {
    auto log = p.a.submit("dan", p.a.hours("carol", 30 + i, Payer::pool));
    REQUIRE(log.ok());
    if (i % 3 == 0) REQUIRE(p.a.submit("carol", HoursConfirm{log.id}).ok());
  }
  CHECK(p.sync_a_to_b(7) == p.a.ledger->log_size());
  CHECK(p.b_copy_size() == p.a.ledger->log_size());
  CHECK(state_digest(*p.b.store, p.a.node.public_key).value() == p.a.ledger->state_digest().value());
  // The copy audits on its own, and B's own log is untouched.
  AuditOptions options;
  options.log = p.a.node.public_key;
  auto report = audit_store(*p.b.store, options);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->passed, report->failure);
  CHECK(report->records == p.a.ledger->log_size());
  CHECK(audit_store(*p.b.store).value().passed);
  auto copy = Ledger::open_copy(*p.b.store, p.a.node.public_key, p.b.clock);
  REQUIRE(copy.ok());
  CHECK(copy.value()->balance(p.a.account("dan")).value().balance_minutes ==
        p.a.balance("dan").balance_minutes);
  // A third node can take A's log from B's copy (relay): it verifies on its
  // own, whoever passes it on.
  test::TestLedger c{nullptr, 203, 50};
  auto rc = Replicas::open(*c.store, c.clock).value();
  REQUIRE(rc->follow(p.a.node.public_key, "a-coop", *Currency::parse("GBP")).ok());
  for (;;) {
    std::uint64_t held = rc->log_state(p.a.node.public_key).value().size;
    auto relayed = p.rb->read_batch(p.a.node.public_key, held, 5);
    if (!relayed.ok()) break;
    REQUIRE(rc->append(relayed.value()).outcome == Outcome::appended);
  }
  CHECK(state_digest(*c.store, p.a.node.public_key).value() == p.a.ledger->state_digest().value());
}

TEST_CASE("forged, reordered, relinked or mis-signed batches are refused and nothing is stored") {
  Pair p;
  p.sync_a_to_b();
  for (int i = 0; i < 4; ++i) REQUIRE(p.a.submit("dan", p.a.hours("carol", 60, Payer::pool)).ok());
  const std::uint64_t held = p.b_copy_size();
  const PublicKey log = p.a.node.public_key;
  const Hash32 digest = state_digest(*p.b.store, log).value();
  auto fresh = [&] {
    auto batch = p.ra->read_batch(log, held, 1000);
    REQUIRE(batch.ok());
    REQUIRE(batch->records.size() >= 2);
    return batch.value();
  };
  auto refused = [&](const LogBatch& batch, Outcome expected) {
    AppendResult result = p.rb->append(batch);
    CHECK_MESSAGE(result.outcome == expected, outcome_name(result.outcome), ": ", result.message);
    CHECK(p.b_copy_size() == held);
    CHECK(state_digest(*p.b.store, log).value() == digest);
  };

  SUBCASE("a flipped bit in an entry") {
    LogBatch batch = fresh();
    batch.records[1][batch.records[1].size() - 70] ^= 1;
    refused(batch, Outcome::forged);
  }
  SUBCASE("records out of order") {
    LogBatch batch = fresh();
    std::swap(batch.records[0], batch.records[1]);
    refused(batch, Outcome::forged);
  }
  SUBCASE("a record missing") {
    LogBatch batch = fresh();
    batch.records.pop_back();
    refused(batch, Outcome::forged);
  }
  SUBCASE("a broken hash link, re-signed by nobody") {
    LogBatch batch = fresh();
    auto record = decode_record(batch.records[1]).value();
    record.prev_hash.bytes[0] ^= 1;
    batch.records[1] = encode_record(record);
    refused(batch, Outcome::forged);
  }
  SUBCASE("a head signed by another key") {
    LogBatch batch = fresh();
    batch.head = sign_tree_head(batch.head.head, p.b.node.secret_key);
    refused(batch, Outcome::forged);
  }
  SUBCASE("a head whose root the records do not make") {
    LogBatch batch = fresh();
    batch.head.head.root.bytes[0] ^= 1;
    batch.head = sign_tree_head(batch.head.head, p.a.node.secret_key);
    refused(batch, Outcome::inconsistent);
  }
  SUBCASE("a wrong consistency proof") {
    LogBatch batch = fresh();
    REQUIRE(!batch.consistency_proof.empty());
    batch.consistency_proof[0].bytes[0] ^= 1;
    refused(batch, Outcome::inconsistent);
  }
  SUBCASE("a batch that starts elsewhere") {
    LogBatch batch = fresh();
    batch.from_size = held - 1;
    refused(batch, Outcome::stale);
  }
  SUBCASE("a log this node does not follow") {
    LogBatch batch = fresh();
    batch.log = p.b.node.public_key;
    refused(batch, Outcome::unknown_log);
  }
  // And the honest batch still goes in afterwards.
  CHECK(p.rb->append(fresh()).outcome == Outcome::appended);
  CHECK(state_digest(*p.b.store, log).value() == p.a.ledger->state_digest().value());
}

TEST_CASE("a copy refuses a batch whose record holds an entry signed for another node") {
  // A's own ledger refuses an entry signed for B (wrong_node), but a
  // dishonest A could sign a head over anything. B replays A's log with A's
  // key, so the same check refuses the batch and stores none of it.
  Pair p;
  const PublicKey a_node = p.a.node.public_key, b_node = p.b.node.public_key;
  CHECK(p.a.ledger->submit_one(p.a.make_for(b_node, "dan", p.a.hours("carol", 60, Payer::pool)).bytes).code ==
        Code::wrong_node);
  LogBatch batch = p.ra->read_batch(a_node, 0, 1000).value();
  SignedEntry foreign = p.a.make_for(b_node, "dan", p.a.hours("carol", 60, Payer::pool));
  Record last = decode_record(batch.records.back()).value();
  batch.records.push_back(
      encode_record({last.seq + 1, record_hash(batch.records.back()), p.a.clock.now_ms(), foreign.bytes}));
  merkle::Frontier frontier{merkle::blake2b_hasher()};
  for (const Bytes& record : batch.records) frontier.append(merkle::blake2b_hasher().leaf(record));
  batch.head = sign_tree_head({a_node, batch.records.size(), frontier.root(), p.a.clock.now_ms()},
                              p.a.node.secret_key);
  REQUIRE(verify_tree_head(batch.head, batch.head.head.log));
  AppendResult result = p.rb->append(batch);
  CHECK_MESSAGE(result.outcome == Outcome::rule_broken, result.message);
  CHECK(result.message.find("cannot be replayed into this co-op's log") != std::string::npos);
  CHECK(p.b_copy_size() == 0);
  // The honest log (which never held that entry) copies as before.
  CHECK(p.sync_a_to_b() == p.a.ledger->log_size());
}

TEST_CASE("two signed heads of one size are evidence: stored, the log frozen, and checkable elsewhere") {
  Pair p;
  p.sync_a_to_b();
  const PublicKey log = p.a.node.public_key;
  SignedTreeHead honest = p.rb->log_state(log).value().head.value();
  TreeHead other = honest.head;
  other.root.bytes[5] ^= 0x40;
  SignedTreeHead forked = sign_tree_head(other, p.a.node.secret_key);
  auto evidence = p.rb->conflict(forked);
  REQUIRE(evidence);
  CHECK(p.rb->check_evidence(*evidence) == HeadCheck::valid);
  LogBatch batch{log, honest.head.size, forked, {}, {}};
  AppendResult result = p.rb->append(batch);
  CHECK(result.outcome == Outcome::equivocation);
  CHECK(p.rb->log_state(log).value().frozen);
  CHECK(p.rb->evidence().value().size() == 1);
  // Further batches of the frozen log are refused.
  REQUIRE(p.a.submit("dan", p.a.hours("carol", 60, Payer::pool)).ok());
  CHECK(p.rb->append(p.ra->read_batch(log, honest.head.size, 100).value()).outcome == Outcome::frozen);
  // A third node checks the evidence for itself; a fake pair is refused.
  test::TestLedger c{nullptr, 203, 50};
  auto rc = Replicas::open(*c.store, c.clock).value();
  CHECK(rc->add_evidence(*evidence).value());
  CHECK_FALSE(rc->add_evidence(*evidence).value());  // already held
  Evidence fake{honest, honest};
  CHECK(rc->add_evidence(fake).code() == Code::malformed);
  Evidence unsigned_pair{honest, {other, honest.signature}};
  CHECK(rc->add_evidence(unsigned_pair).code() == Code::malformed);
}

TEST_CASE("credits cross co-ops: transfer.out, then transfer.in once the origin is held") {
  Pair p;
  const PublicKey a_node = p.a.node.public_key, b_node = p.b.node.public_key;
  REQUIRE(p.a.submit("dan", p.a.hours("community", 120, Payer::pool)).ok());
  auto pending = p.a.ledger->movements().value();
  REQUIRE(p.a.submit("node", MemberRole{p.a.key("carol"), role_carer | role_coordinator}).ok());
  REQUIRE(p.a.submit("carol", HoursConfirm{pending.front().id}).ok());
  auto out = p.a.submit("dan", TransferOut{p.b.key("alice"), b_node, 60, {}});
  REQUIRE_MESSAGE(out.ok(), out.message);
  CHECK(p.a.balance("dan").balance_minutes == 60);
  CHECK(p.a.ledger->balance(AccountId::clearing(b_node)).value().balance_minutes == 60);
  // Rule checks on the sending side.
  CHECK(p.a.submit("dan", TransferOut{p.b.key("alice"), a_node, 60, {}}).code == Code::malformed);
  CHECK(p.a.submit("dan", TransferOut{p.b.key("alice"), b_node, 0, {}}).code == Code::bad_amount);
  CHECK(p.a.submit("node", Reversal{out.id, {}}).code != Code::ok);

  // B has nothing to receive until it holds A's record.
  CHECK(p.rb->pending_inbound(a_node, 0).value().empty());
  p.sync_a_to_b();
  auto inbound = p.rb->pending_inbound(a_node, 0).value();
  REQUIRE(inbound.size() == 1);
  CHECK(inbound[0].origin == out.id);
  CHECK(inbound[0].to == p.b.key("alice"));
  CHECK(inbound[0].minutes == 60);
  // Only B's node key may record it; once.
  TransferIn in{a_node, out.id, p.b.key("alice"), 60};
  CHECK(p.b.submit("alice", in).code == Code::not_permitted);
  REQUIRE(p.b.submit("node", in).ok());
  CHECK(p.b.submit("node", in).code == Code::already_exists);
  CHECK(p.b.balance("alice").balance_minutes == 60);
  CHECK(p.b.ledger->balance(AccountId::clearing(a_node)).value().balance_minutes == -60);
  CHECK(p.rb->pending_inbound(a_node, 0).value().empty());
  // The consortium's clearing positions net to zero once both sides are in.
  CHECK(p.a.ledger->balance(AccountId::clearing(b_node)).value().balance_minutes +
            p.b.ledger->balance(AccountId::clearing(a_node)).value().balance_minutes ==
        0);
  // An incoming transfer for someone who is not a member here is refused.
  CHECK(p.b.submit("node", TransferIn{a_node, Hash32{}, p.a.key("dan"), 10}).code == Code::unknown_member);
}

TEST_CASE("hours across co-ops: logged and confirmed where they are paid, credited at the provider's home") {
  Pair p;
  const PublicKey a_node = p.a.node.public_key, b_node = p.b.node.public_key;
  p.b.add_member("tom", role_service_user);
  p.b.add_member("cora", role_coordinator);
  const HoursLog hours = p.b.hours("tom", 90, Payer::pool);
  // Dan (of A) helped Tom (of B); B's coordinator enters the timesheet.
  auto logged = p.b.submit("cora", RemoteHoursLog{p.a.key("dan"), a_node, hours});
  REQUIRE_MESSAGE(logged.ok(), logged.message);
  CHECK(p.b.ledger->balance(AccountId::clearing(a_node)).value().pending_in_minutes == 90);
  // Dan may also sign it himself, at B.
  Entry own{kEntryFormatVersion,
            b_node,
            p.a.key("dan"),
            {},
            p.b.clock.now_ms(),
            999,
            RemoteHoursLog{p.a.key("dan"), a_node, p.b.hours("tom", 30, Payer::pool)}};
  CHECK(p.b.ledger->submit_one(sign_entry(own, p.a.keys.at("dan").secret_key).bytes).ok());
  // Refused: a member of B as provider, B as the provider's node, a signer
  // who is neither the provider nor a coordinator, on-behalf signing.
  CHECK(p.b.submit("cora", RemoteHoursLog{p.b.key("alice"), a_node, hours}).code == Code::malformed);
  CHECK(p.b.submit("cora", RemoteHoursLog{p.a.key("dan"), b_node, hours}).code == Code::malformed);
  CHECK(p.b.submit("alice", RemoteHoursLog{p.a.key("dan"), a_node, hours}).code == Code::not_permitted);
  CHECK(p.b.submit("cora", RemoteHoursLog{p.a.key("dan"), a_node, hours}, p.b.key("alice")).code ==
        Code::malformed);
  // Nothing crosses until Tom confirms.
  p.sync_b_to_a();
  CHECK(p.ra->pending_inbound(b_node, 0).value().empty());
  CHECK(p.b.submit("tom", HoursConfirm{logged.id}).ok());
  CHECK(p.b.ledger->balance(AccountId::pool(b_node)).value().balance_minutes == -90);
  CHECK(p.b.ledger->balance(AccountId::clearing(a_node)).value().balance_minutes == 90);
  p.sync_b_to_a();
  auto inbound = p.ra->pending_inbound(b_node, 0).value();
  REQUIRE(inbound.size() == 1);
  CHECK(inbound[0].to == p.a.key("dan"));
  CHECK(inbound[0].minutes == 90);
  CHECK(inbound[0].origin != logged.id);  // the origin is the confirming entry
  REQUIRE(p.a.submit("node", TransferIn{b_node, inbound[0].origin, p.a.key("dan"), 90}).ok());
  CHECK(p.a.balance("dan").balance_minutes == 90);
  CHECK(p.a.ledger->balance(AccountId::clearing(b_node)).value().balance_minutes +
            p.b.ledger->balance(AccountId::clearing(a_node)).value().balance_minutes ==
        0);
  // A cross-co-op movement is not reversed by one side.
  p.b.add_member("ada", role_admin);
  CHECK(p.b.submit("ada", Reversal{logged.id, {}}).code == Code::not_permitted);
}

TEST_CASE("a large commit group still has signed heads close together, so every batch fits a message") {
  Pair p;
  p.sync_a_to_b();
  const std::uint64_t before = p.a.ledger->log_size();
  std::vector<Bytes> many;
  for (int i = 0; i < 5000; ++i) many.push_back(p.a.make("dan", p.a.hours("carol", 15, Payer::pool)).bytes);
  for (const auto& result : p.a.ledger->submit(many)) REQUIRE(result.ok());
  const PublicKey log = p.a.node.public_key;
  CHECK(p.ra->head_at(log, before + kMaxRecordsBetweenHeads).value().has_value());
  auto whole = p.ra->read_batch(log, before, 100'000);
  REQUIRE(whole.ok());
  CHECK(whole->head.head.size == before + 5000);
  // A byte budget smaller than one stretch still gives that one stretch.
  auto small = p.ra->read_batch(log, before, 100'000, 1000);
  REQUIRE(small.ok());
  CHECK(small->head.head.size == before + kMaxRecordsBetweenHeads);
  CHECK(p.rb->append(small.value()).outcome == Outcome::appended);
  CHECK(p.sync_a_to_b() == 5000 - kMaxRecordsBetweenHeads);
}

TEST_CASE("cosignatures: checked, newest per witness kept") {
  Pair p;
  p.sync_a_to_b();
  const PublicKey log = p.a.node.public_key;
  SignedTreeHead head = p.rb->log_state(log).value().head.value();
  Cosignature by_b = cosign_tree_head(head.head, p.b.node.public_key, p.b.node.secret_key);
  CHECK(p.ra->add_cosignature(by_b).value());
  CHECK_FALSE(p.ra->add_cosignature(by_b).value());
  Cosignature forged = by_b;
  forged.head.size += 1;
  // Checked against the key B proved (the sync layer knows it from the
  // handshake): refused. Against the key held here alone it could be a
  // newer key of B's: not kept, not called forged.
  CHECK(p.ra->add_cosignature(forged, p.b.node.public_key).code() == Code::bad_signature);
  CHECK(p.ra->add_cosignature(forged).code() == Code::not_found);
  CHECK(p.ra->cosignatures(log).value().size() == 1);
  Cosignature own = cosign_tree_head(head.head, log, p.a.node.secret_key);
  CHECK(p.ra->add_cosignature(own).code() == Code::malformed);
  TreeHead older = head.head;
  older.size -= 1;
  CHECK_FALSE(
      p.ra->add_cosignature(cosign_tree_head(older, p.b.node.public_key, p.b.node.secret_key)).value());
  auto held = p.ra->cosignatures(log).value();
  REQUIRE(held.size() == 1);
  CHECK(held[0].head.size == head.head.size);
  auto round_trip = decode_cosignature(encode_cosignature(by_b));
  REQUIRE(round_trip.ok());
  CHECK(verify_cosignature(round_trip.value(), round_trip->witness));
}

TEST_CASE("cosignatures from several threads: the newest per witness is the one kept") {
  Pair p;
  p.sync_a_to_b();
  const PublicKey log = p.a.node.public_key;
  TreeHead head = p.rb->log_state(log).value().head.value().head;
  // Cosignatures of sizes 1..400, added by four threads in interleaved order:
  // whichever order they land in, the largest must stay.
  std::vector<Cosignature> all;
  for (std::uint64_t size = 1; size <= 400; ++size) {
    TreeHead at = head;
    at.size = size;
    all.push_back(cosign_tree_head(at, p.b.node.public_key, p.b.node.secret_key));
  }
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < all.size(); i += 4) (void)p.ra->add_cosignature(all[all.size() - 1 - i]);
      for (std::size_t i = t; i < all.size(); i += 4) (void)p.ra->add_cosignature(all[i]);
    });
  for (auto& thread : threads) thread.join();
  auto held = p.ra->cosignatures(log).value();
  REQUIRE(held.size() == 1);
  CHECK(held[0].head.size == 400);
}

}  // namespace cohours
