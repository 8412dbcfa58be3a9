// node.rotate (entry kind 20): a node keeps its first key as its name (the
// log id) and hands signing to a new key. Heads up to the rotation carry
// the old key's signature, later ones the new key's; the old key signs
// nothing for the node again. Ingest, audit, reindex and copies of the log
// all follow the same signer schedule (docs/decisions.md "Key rotation").
#include "cohours/ledger.h"

#include "cohours/audit.h"
#include "cohours/replicas.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::seeded_key;
using cohours::test::TestLedger;

namespace {

using Outcome = AppendResult::Outcome;

bool refusal_says(const SubmitResult& result, const std::string& text) {
  return result.message.find(text) != std::string::npos;
}

// A co-op whose node rotates its key; keys["node2"] is the new key.
struct Rotating : TestLedger {
  explicit Rotating(std::uint8_t node_seed = 200, std::uint8_t member_base = 0)
      : TestLedger(nullptr, node_seed, member_base) {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user | role_carer);
  }
  SubmitResult rotate(const std::string& name, std::uint8_t seed) {
    keys[name] = seeded_key(seed);
    clock.advance_ms(1000);
    return ledger->rotate_key({keys[name].public_key, keys[name].secret_key.copy()});
  }
  SignedTreeHead head_at(std::uint64_t size) { return ledger->head_at(size).value(); }
  Result<std::unique_ptr<Ledger>> open_with(const KeyPair& pair) {
    ledger.reset();
    return Ledger::open(*store, {pair.public_key, pair.secret_key.copy()}, clock);
  }
  AuditReport audit() { return audit_store(*store).value(); }
};

}  // namespace

TEST_CASE("a rotation hands the heads after it to the new key, and the log id stays") {
  Rotating coop;
  REQUIRE(coop.submit("alice", coop.hours("bob", 60, Payer::pool)).ok());
  const std::uint64_t before = coop.ledger->log_size();
  auto rotated = coop.rotate("node2", 90);
  REQUIRE_MESSAGE(rotated.ok(), rotated.message);
  const std::uint64_t n = rotated.seq;
  CHECK(n == before + 1);
  const PublicKey log = coop.node.public_key, next = coop.key("node2");
  CHECK(coop.ledger->node_key() == log);

  auto signers = coop.ledger->node_signers().value();
  REQUIRE(signers.size() == 2);
  CHECK(signers[0].key == log);
  CHECK(signers[1].key == next);
  CHECK(signers[1].after_size == n);
  CHECK(head_signer(signers, n) == log);
  CHECK(head_signer(signers, n + 1) == next);

  // The head at the rotation is the old key's; the next group's the new.
  const SignedTreeHead at_rotation = coop.head_at(n);
  CHECK(at_rotation.head.log == log);
  CHECK(verify_tree_head(at_rotation, log));
  CHECK_FALSE(verify_tree_head(at_rotation, next));
  REQUIRE(coop.submit("alice", coop.hours("bob", 30, Payer::pool)).ok());
  const SignedTreeHead after = coop.ledger->latest_head().value();
  CHECK(after.head.size == n + 1);
  CHECK(after.head.log == log);
  CHECK(verify_tree_head(after, next));
  CHECK_FALSE(verify_tree_head(after, log));

  // The record shows who signed it: the old key, for the node's log.
  auto entry = decode_entry(coop.ledger->record(n).value().entry).value();
  CHECK(entry.entry.kind() == EntryKind::node_rotate);
  CHECK(entry.entry.node == log);
  CHECK(entry.entry.author == log);

  // Audit and reindex replay the same schedule and the same state.
  AuditReport report = coop.audit();
  CHECK_MESSAGE(report.passed, report.failure);
  CHECK(report.heads >= 3);
  const Hash32 digest = coop.ledger->state_digest().value();
  coop.ledger.reset();
  auto rebuilt = reindex(*coop.store, coop.clock);
  REQUIRE_MESSAGE(rebuilt.ok(), rebuilt.status().message());
  CHECK(rebuilt->digest_after == digest);
  CHECK(rebuilt->digest_before == digest);
}

TEST_CASE("after a rotation the retired key signs nothing, and the new key acts as the node") {
  Rotating coop;
  REQUIRE(coop.rotate("node2", 90).ok());
  // A member join signed by the old node key: refused, saying why.
  coop.keys["carol"] = seeded_key(91);
  auto by_old = coop.submit("node", MemberJoin{coop.key("carol"), role_volunteer, coop.node.public_key});
  CHECK(by_old.code == Code::not_permitted);
  CHECK(refusal_says(by_old, "retired by a key rotation"));
  // The same by the new key: it is the node operator now.
  auto by_new = coop.submit("node2", MemberJoin{coop.key("carol"), role_volunteer, coop.node.public_key});
  CHECK_MESSAGE(by_new.ok(), by_new.message);
  // Neither node key can ever be a member, or sign for one.
  auto old_as_member = coop.submit("node2", MemberJoin{coop.node.public_key, role_volunteer, coop.node.public_key});
  CHECK(old_as_member.code == Code::malformed);
  auto new_as_member = coop.submit("node2", MemberJoin{coop.key("node2"), role_volunteer, coop.node.public_key});
  CHECK(new_as_member.code == Code::malformed);
  auto rekey_to_old = coop.submit("node2", MemberRekey{coop.key("alice"), coop.node.public_key});
  CHECK(rekey_to_old.code == Code::malformed);
  CHECK(coop.audit().passed);
}

TEST_CASE("a rotation is made by the node itself: submitted entries, bad proofs and used keys are refused") {
  Rotating coop;
  const PublicKey log = coop.node.public_key;
  const KeyPair next = seeded_key(90);
  NodeRotate body{next.public_key, sign(rotation_proof_message(log, log, next.public_key), next.secret_key)};

  SUBCASE("a node.rotate entry submitted like any other") {
    auto submitted = coop.submit("node", body);
    CHECK(submitted.code == Code::not_permitted);
    CHECK(refusal_says(submitted, "cohours node rotate-key"));
    CHECK(coop.ledger->node_signers().value().size() == 1);
  }
  SUBCASE("the proof must be the new key's, over this log and outgoing key") {
    const KeyPair other = seeded_key(93);
    SignedEntry forged = coop.make("node", NodeRotate{next.public_key, sign(rotation_proof_message(log, log, next.public_key),
                                                                           other.secret_key)});
    CHECK_FALSE(rotation_to(forged, log, log));
    SignedEntry honest = coop.make("node", body);
    CHECK(rotation_to(honest, log, log) == next.public_key);
    // Not for another log, not signed by a key that is not the current one.
    CHECK_FALSE(rotation_to(honest, coop.key("alice"), log));
    CHECK_FALSE(rotation_to(honest, log, coop.key("alice")));
  }
  SUBCASE("a member's key, or a key that signed for the node before, is never the new key") {
    auto member_key = coop.ledger->rotate_key({coop.key("alice"), coop.keys["alice"].secret_key.copy()});
    CHECK(member_key.code == Code::already_exists);
    REQUIRE(coop.rotate("node2", 90).ok());
    auto back = coop.ledger->rotate_key({log, coop.node.secret_key.copy()});
    CHECK(back.code == Code::already_exists);
    CHECK(coop.ledger->node_signers().value().size() == 2);
  }
  SUBCASE("at most kMaxNodeRotations rotations") {
    for (std::size_t i = 0; i < kMaxNodeRotations; ++i)
      REQUIRE(coop.rotate("k" + std::to_string(i), static_cast<std::uint8_t>(100 + i)).ok());
    auto one_more = coop.rotate("last", 120);
    CHECK(one_more.code == Code::not_permitted);
    CHECK(refusal_says(one_more, "start a new node"));
    CHECK(coop.audit().passed);
  }
  CHECK(coop.audit().passed);
}

TEST_CASE("the ledger opens with the current key only, and names a retired one") {
  Rotating coop;
  REQUIRE(coop.rotate("node2", 90).ok());
  REQUIRE(coop.submit("alice", coop.hours("bob", 45, Payer::pool)).ok());
  const std::uint64_t size = coop.ledger->log_size();
  auto with_old = coop.open_with(coop.node);
  CHECK(with_old.code() == Code::not_permitted);
  CHECK(with_old.status().message().find("retired by a key rotation") != std::string::npos);
  auto stranger = coop.open_with(seeded_key(95));
  CHECK(stranger.code() == Code::not_permitted);
  auto with_new = coop.open_with(coop.keys["node2"]);
  REQUIRE_MESSAGE(with_new.ok(), with_new.status().message());
  coop.ledger = std::move(with_new).value();
  CHECK(coop.ledger->log_size() == size);
  // It signs with the new key after reopening too.
  REQUIRE(coop.submit("alice", coop.hours("bob", 15, Payer::pool)).ok());
  CHECK(verify_tree_head(coop.ledger->latest_head().value(), coop.key("node2")));
  CHECK(coop.audit().passed);
}

TEST_CASE("audit names a head signed by the wrong key on either side of a rotation") {
  Rotating coop;
  const std::uint64_t n = coop.rotate("node2", 90).seq;
  REQUIRE(coop.submit("alice", coop.hours("bob", 30, Payer::pool)).ok());
  const std::uint64_t end = coop.ledger->log_size();
  coop.ledger.reset();
  auto rows = coop.log_rows();
  auto resign = [&](std::uint64_t size, const KeyPair& by) {
    std::string raw;
    REQUIRE(rows->get(Column::heads, be64(size), &raw).ok());
    auto head = decode_signed_tree_head(std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
    WriteBatch batch;
    const Bytes bytes = encode_signed_tree_head(sign_tree_head(head->head, by.secret_key));
    batch.put(Column::heads, be64(size), std::string(bytes.begin(), bytes.end()));
    if (size == end) batch.put(Column::meta, "latest_head", std::string(bytes.begin(), bytes.end()));
    REQUIRE(rows->write(batch, Durability::synced).ok());
  };
  SUBCASE("the head after the rotation signed by the retired key (a thief's)") { resign(end, coop.node); }
  SUBCASE("the head at the rotation signed by the new key") { resign(n, coop.keys["node2"]); }
  AuditReport report = coop.audit();
  CHECK_FALSE(report.passed);
  CHECK(report.failure.find("bad node signature") != std::string::npos);
}

TEST_CASE("audit names a changed rotations row, and a changed rotation record") {
  Rotating coop;
  const std::uint64_t n = coop.rotate("node2", 90).seq;
  coop.ledger.reset();
  auto rows = coop.log_rows();
  SUBCASE("the derived row names another key") {
    std::string raw;
    REQUIRE(rows->get(Column::signers, std::string(1, '\x03'), &raw).ok());
    raw[3] ^= 0x01;
    WriteBatch batch;
    batch.put(Column::signers, std::string(1, '\x03'), raw);
    REQUIRE(rows->write(batch, Durability::synced).ok());
    AuditReport report = coop.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.failure.find("signers") != std::string::npos);
  }
  SUBCASE("the rotation record's new key") {
    std::string raw;
    REQUIRE(rows->get(Column::records, be64(n), &raw).ok());
    raw[raw.size() - 100] ^= 0x01;
    WriteBatch batch;
    batch.put(Column::records, be64(n), raw);
    REQUIRE(rows->write(batch, Durability::synced).ok());
    AuditReport report = coop.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == n);
  }
}

TEST_CASE("a copy of a rotated log follows the rotation and refuses the retired key beyond it") {
  Rotating a(201, 0);
  TestLedger b(nullptr, 202, 100);
  auto ra = Replicas::open(*a.store, a.clock).value();
  auto rb = Replicas::open(*b.store, b.clock).value();
  const PublicKey log = a.node.public_key;
  REQUIRE(rb->follow(log, "a-coop", *Currency::parse("GBP")).ok());
  REQUIRE(a.submit("alice", a.hours("bob", 60, Payer::pool)).ok());
  const std::uint64_t n = a.rotate("node2", 90).seq;
  REQUIRE(a.submit("alice", a.hours("bob", 30, Payer::pool)).ok());
  const SignedTreeHead latest = a.ledger->latest_head().value();

  // Before B fetched the rotation, A's new-key head is not B's to judge yet,
  // unless B knows A's current key from a live handshake.
  CHECK(rb->check_head(latest) == HeadCheck::unknown_key);
  CHECK(rb->check_head(latest, a.key("node2")) == HeadCheck::valid);
  CHECK(rb->check_head(latest, log) == HeadCheck::bad);

  // One batch carries the rotation and a head signed by the new key.
  auto batch = ra->read_batch(log, 0, 1000).value();
  CHECK(batch.head.head.size == a.ledger->log_size());
  AppendResult result = rb->append(batch);
  REQUIRE_MESSAGE(result.outcome == Outcome::appended, result.message);
  auto held = rb->signers(log).value();
  REQUIRE(held.size() == 2);
  CHECK(held[1].key == a.key("node2"));
  CHECK(held[1].after_size == n);
  CHECK(rb->check_head(latest) == HeadCheck::valid);
  CHECK(rb->rotation_entries(log).value().size() == 1);
  AuditOptions options;
  options.log = log;
  CHECK(audit_store(*b.store, options).value().passed);

  // A thief with the retired key signs A's next records under its own head:
  // B, which holds the rotation, refuses it.
  REQUIRE(a.submit("alice", a.hours("bob", 20, Payer::pool)).ok());
  auto next = ra->read_batch(log, rb->log_state(log).value().size, 1000).value();
  next.head = sign_tree_head(next.head.head, a.node.secret_key);
  CHECK(rb->check_head(next.head) == HeadCheck::bad);
  AppendResult stolen = rb->append(next);
  CHECK(stolen.outcome == Outcome::forged);
  // The honest head goes in.
  auto honest = ra->read_batch(log, rb->log_state(log).value().size, 1000).value();
  CHECK(rb->append(honest).outcome == Outcome::appended);

  // A batch ending past the rotation under the old key's head, to a copy
  // that has not seen the rotation: refused once the records show it.
  TestLedger c(nullptr, 203, 150);
  auto rc = Replicas::open(*c.store, c.clock).value();
  REQUIRE(rc->follow(log, "a-coop", *Currency::parse("GBP")).ok());
  auto from_start = ra->read_batch(log, 0, 1000).value();
  from_start.head = sign_tree_head(from_start.head.head, a.node.secret_key);
  AppendResult refused = rc->append(from_start);
  CHECK(refused.outcome == Outcome::forged);
  CHECK(rc->log_state(log).value().size == 0);
}

TEST_CASE("a cosignature by a rotated witness verifies with its new key, not the retired one") {
  Rotating a(201, 0);
  TestLedger b(nullptr, 202, 100);
  auto ra = Replicas::open(*a.store, a.clock).value();
  auto rb = Replicas::open(*b.store, b.clock).value();
  REQUIRE(rb->follow(a.node.public_key, "a-coop", *Currency::parse("GBP")).ok());
  REQUIRE(ra->follow(b.node.public_key, "b-coop", *Currency::parse("GBP")).ok());
  REQUIRE(a.rotate("node2", 90).ok());
  REQUIRE(rb->append(ra->read_batch(a.node.public_key, 0, 1000).value()).outcome == Outcome::appended);
  b.add_member("zed", role_volunteer);
  const TreeHead b_head = b.ledger->latest_head().value().head;
  // A witnesses B's head: under its log id, signed by its current key.
  Cosignature by_new = cosign_tree_head(b_head, a.node.public_key, a.keys["node2"].secret_key);
  CHECK(rb->add_cosignature(by_new).value());
  // The retired key's cosignatures are not kept, and nobody is blamed for
  // them (a node resends the ones it made before its rotation).
  Cosignature by_old = cosign_tree_head(b_head, a.node.public_key, a.node.secret_key);
  by_old.head.size += 1;  // newer than by_new, so only the key decides
  by_old = cosign_tree_head(by_old.head, a.node.public_key, a.node.secret_key);
  CHECK(rb->add_cosignature(by_old).code() == Code::wrong_state);
  CHECK(rb->add_cosignature(by_old, a.key("node2")).code() == Code::wrong_state);
  CHECK(rb->cosignatures(b.node.public_key).value().at(0).head.size == b_head.size);
  // A stranger's signature is not the witness's at all.
  Cosignature stranger = cosign_tree_head(b_head, a.node.public_key, seeded_key(96).secret_key);
  CHECK(rb->add_cosignature(stranger, a.keys["node2"].public_key).code() == Code::bad_signature);
  CHECK(rb->add_cosignature(stranger).code() == Code::not_found);
}
