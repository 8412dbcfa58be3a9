// member.rekey (entry kind 19): a member keeps the key they joined with as
// their identity, and a new key signs for them; the key it replaces is
// refused for good. The rules resolve every author through the signers
// column, so reindex, audit and copies of the log agree with ingest.
#include "cohours/ledger.h"

#include "cohours/audit.h"
#include "cohours/merkle.h"
#include "cohours/replicas.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::policy_of;
using cohours::test::TestLedger;

namespace {

// alice volunteers, bob is a service user, carol a carer who volunteers,
// dave coordinates and administers, erin volunteers, fred coordinates.
struct Coop : TestLedger {
  Coop() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
    add_member("carol", role_carer | role_volunteer);
    add_member("dave", role_coordinator | role_admin);
    add_member("erin", role_volunteer);
    add_member("fred", role_coordinator);
    REQUIRE(submit("dave", policy_of({PolicyTarget::role_floor, role_carer, -600, {}})).ok());
  }
  // A key the test holds under `name`, from a seed no member uses.
  const PublicKey& new_key(const std::string& name, std::uint8_t seed) {
    keys[name] = test::seeded_key(seed);
    return key(name);
  }
  ExpenseClaim claim(std::int64_t pence) {
    return ExpenseClaim{pence, *Currency::parse("GBP"), ExpenseCategory::meals, today(), 0, {}, {}, {}};
  }
};

bool says(const SubmitResult& result, const std::string& text) {
  return result.message.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("after a rekey the old key is refused and the new key acts as the member everywhere") {
  Coop coop;
  // alice earns 2h, has hours waiting for her confirmation, a claim in, and
  // carol has a respite request open.
  auto given = coop.submit("alice", coop.hours("bob", 120, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{given.id}).ok());
  auto for_alice = coop.submit("erin", coop.hours("alice", 60));
  REQUIRE(for_alice.ok());
  auto claim = coop.submit("alice", coop.claim(450));
  REQUIRE(claim.ok());
  auto request = coop.submit("carol", RespiteRequest{90, coop.today() + 3, {}});
  REQUIRE(request.ok());
  const Balance before = coop.balance("alice");
  CHECK(before.balance_minutes == 120);
  CHECK(before.pending_out_minutes == 60);

  const PublicKey alice = coop.key("alice");
  const PublicKey phone = coop.new_key("alice-phone", 150);
  auto rekey = coop.submit("dave", MemberRekey{alice, phone});
  REQUIRE_MESSAGE(rekey.ok(), rekey.message);
  // Nothing moved: the member is the same identity.
  CHECK(coop.balance("alice") == before);
  CHECK(coop.ledger->members().value().size() == 6);
  CHECK(coop.ledger->current_key(alice).value() == phone);
  auto old_row = coop.ledger->signing_key(alice);
  REQUIRE(old_row.ok());
  CHECK(old_row->status == KeyStatus::retired);
  CHECK(old_row->member == alice);
  CHECK(old_row->retired_seq == rekey.seq);
  CHECK(old_row->replaced_by == phone);
  auto new_row = coop.ledger->signing_key(phone);
  REQUIRE(new_row.ok());
  CHECK(new_row->status == KeyStatus::current);
  CHECK(new_row->member == alice);
  CHECK(new_row->since_seq == rekey.seq);
  CHECK(coop.ledger->member(phone).code() == Code::unknown_member);  // a key, not a member

  SUBCASE("whatever the old key signs is refused, with the date it was replaced") {
    for (EntryBody body : std::vector<EntryBody>{
             coop.hours("bob", 30, Payer::pool), HoursConfirm{for_alice.id},
             Transfer{coop.key("erin"), 10, {}}, coop.claim(100), RespiteOffer{request.id}}) {
      auto refused = coop.submit("alice", body);
      CHECK(refused.code == Code::not_permitted);
      CHECK_MESSAGE(says(refused, "this key was replaced on 2026-11-18: sign with the member's new key"),
                    refused.message);
    }
    CHECK(coop.balance("alice") == before);
  }
  SUBCASE("the new key confirms hours pending for the member, banks hours, transfers, claims and offers") {
    REQUIRE(coop.submit("alice-phone", HoursConfirm{for_alice.id}).ok());
    CHECK(coop.balance("alice").balance_minutes == 60);
    CHECK(coop.balance("erin").balance_minutes == 60);
    auto more = coop.submit("alice-phone", coop.hours("bob", 30, Payer::pool));
    REQUIRE(more.ok());
    CHECK(coop.ledger->movement(more.id).value().provider == alice);  // banked to her identity
    CHECK(coop.balance("alice").pending_in_minutes == 30);
    REQUIRE(coop.submit("alice-phone", Transfer{coop.key("erin"), 15, {}}).ok());
    CHECK(coop.balance("alice").balance_minutes == 45);
    // Nobody transfers to themselves, whichever key they sign with.
    CHECK(coop.submit("alice-phone", Transfer{alice, 5, {}}).code == Code::not_permitted);
    auto second = coop.submit("alice-phone", coop.claim(300));
    REQUIRE(second.ok());
    CHECK(coop.ledger->expense(second.id).value().claimant == alice);
    CHECK(coop.ledger->expense(second.id).value().signed_by == alice);
    auto offer = coop.submit("alice-phone", RespiteOffer{request.id});
    REQUIRE(offer.ok());
    CHECK(coop.ledger->movement(offer.id).value().provider == alice);
    // Her claim from before the rekey is still hers, and an admin decides it.
    REQUIRE(coop.submit("dave", ExpenseApprove{claim.id, {}}).ok());
    CHECK(coop.ledger->balance(AccountId::payable(alice)).value().balance_minutes == 450);
    // And hours she gave herself are still hers to leave unconfirmed.
    CHECK(coop.submit("alice-phone", HoursConfirm{more.id}).code == Code::not_permitted);
  }
  SUBCASE("an admin's new key is the admin: on behalf, approvals, and no deciding their own filings") {
    auto filed = coop.submit("dave", coop.claim(200), alice);  // dave files for alice
    REQUIRE(filed.ok());
    auto pending_bob = coop.submit("erin", coop.hours("bob", 45, Payer::pool));
    REQUIRE(pending_bob.ok());
    const PublicKey dave_phone = coop.new_key("dave-phone", 151);
    REQUIRE(coop.submit("node", MemberRekey{coop.key("dave"), dave_phone}).ok());
    CHECK(coop.submit("dave", ExpenseApprove{claim.id, {}}).code == Code::not_permitted);
    auto own = coop.submit("dave-phone", ExpenseApprove{filed.id, {}});
    CHECK(own.code == Code::not_permitted);
    CHECK(says(own, "nobody approves, rejects or pays their own claim"));
    auto approved = coop.submit("dave-phone", ExpenseApprove{claim.id, {}});
    REQUIRE(approved.ok());
    CHECK(coop.ledger->expense(claim.id).value().decided_by_key == coop.key("dave"));
    REQUIRE(coop.submit("dave-phone", HoursConfirm{pending_bob.id}, coop.key("bob")).ok());
    CHECK(coop.balance("erin").balance_minutes == 45);
    // The new key may change membership as the admin's old one did.
    CHECK(coop.submit("dave-phone", MemberRole{coop.key("erin"), role_volunteer | role_carer}).ok());
  }

  // Either way, the log rebuilds to the same state and audits.
  const Hash32 digest = coop.ledger->state_digest().value();
  coop.ledger.reset();
  auto rebuilt = reindex(*coop.store, coop.clock);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->digest_before == digest);
  CHECK(rebuilt->digest_after == digest);
  auto report = audit_store(*coop.store);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->passed, report->failure);
  CHECK(report->state_digest == digest);
}

TEST_CASE("the signing keys are in the state digest, and a log without rekeys keeps its old digest") {
  Coop coop;
  const Hash32 without = coop.ledger->state_digest().value();
  // The column is fed only once it holds rows: a node of an older version
  // (without the column) computes the same digest for a log without rekeys.
  auto rows = coop.log_rows();
  CHECK_FALSE(rows->scan(Column::signers, "", "")->valid());
  REQUIRE(coop.submit("node", MemberRekey{coop.key("erin"), coop.new_key("erin-phone", 152)}).ok());
  CHECK(rows->scan(Column::signers, "", "")->valid());
  const Hash32 with = coop.ledger->state_digest().value();
  CHECK(with != without);
  // A changed signers row is caught by the audit and changes the digest.
  std::string row;
  const std::string key =
      std::string(1, '\x01') + std::string(reinterpret_cast<const char*>(coop.key("erin-phone").data()), 32);
  REQUIRE(rows->get(Column::signers, key, &row).ok());
  WriteBatch tamper;
  tamper.erase(Column::signers, key);
  REQUIRE(rows->write(tamper, Durability::synced).ok());
  CHECK(coop.ledger->state_digest().value() != with);
  auto report = audit_store(*coop.store);
  REQUIRE(report.ok());
  CHECK_FALSE(report->passed);
  CHECK(report->failure.find("signers") != std::string::npos);
  coop.ledger.reset();
  REQUIRE(reindex(*coop.store, coop.clock).ok());
  coop.reopen();
  CHECK(coop.ledger->state_digest().value() == with);
}

TEST_CASE("a key is never used twice, and the new key must be new") {
  Coop coop;
  const PublicKey k = coop.new_key("k", 160);
  REQUIRE(coop.submit("node", MemberRekey{coop.key("alice"), k}).ok());
  auto again = [&](const PublicKey& member, const PublicKey& key) {
    return coop.submit("node", MemberRekey{member, key});
  };
  CHECK(again(coop.key("bob"), k).code == Code::already_exists);                  // in use by alice
  CHECK(again(coop.key("bob"), coop.key("alice")).code == Code::already_exists);  // retired
  CHECK(again(coop.key("alice"), coop.key("alice")).code == Code::already_exists);
  CHECK(again(coop.key("alice"), k).code == Code::already_exists);                // her own current key
  CHECK(again(coop.key("bob"), coop.key("carol")).code == Code::already_exists);  // a member's identity
  CHECK(again(coop.key("bob"), coop.node.public_key).code == Code::malformed);
  CHECK(again(coop.new_key("stranger", 161), coop.new_key("s2", 162)).code == Code::unknown_member);
  CHECK(again(k, coop.new_key("s3", 163)).code == Code::unknown_member);  // a key, not a member
  // Nor may a key that signs, or signed, for someone join as a member.
  auto join = coop.submit("node", MemberJoin{k, role_volunteer, coop.node.public_key});
  CHECK(join.code == Code::already_exists);
  CHECK(says(join, "a key is never used twice"));
  // Nor does a retired key come back by a second rekey.
  const PublicKey k2 = coop.new_key("k2", 164);
  REQUIRE(coop.submit("node", MemberRekey{coop.key("alice"), k2}).ok());
  CHECK(again(coop.key("alice"), k).code == Code::already_exists);
  CHECK(coop.submit("k", coop.hours("bob", 30, Payer::pool)).code == Code::not_permitted);
  CHECK(coop.submit("k2", coop.hours("bob", 30, Payer::pool)).ok());
  CHECK(coop.ledger->signing_key(k).value().replaced_by == k2);
}

TEST_CASE("only the node key or an admin rekeys, and never on behalf") {
  Coop coop;
  const PublicKey phone = coop.new_key("phone", 170);
  CHECK(coop.submit("alice", MemberRekey{coop.key("alice"), phone}).code == Code::not_permitted);
  CHECK(coop.submit("fred", MemberRekey{coop.key("alice"), phone}).code ==
        Code::not_permitted);  // coordinator
  CHECK(coop.submit("dave", MemberRekey{coop.key("alice"), phone}, coop.key("fred")).code ==
        Code::not_permitted);
  CHECK(coop.submit("phone", MemberRekey{coop.key("alice"), phone}).code == Code::not_permitted);
  CHECK(coop.ledger->current_key(coop.key("alice")).value() == coop.key("alice"));
  // An admin may rekey themselves; then only the new key is the admin.
  const PublicKey dave2 = coop.new_key("dave2", 171);
  REQUIRE(coop.submit("dave", MemberRekey{coop.key("dave"), dave2}).ok());
  CHECK(coop.submit("dave", MemberRekey{coop.key("alice"), phone}).code == Code::not_permitted);
  CHECK(coop.submit("dave2", MemberRekey{coop.key("alice"), phone}).ok());
}

TEST_CASE("a key retired with none in its place: nobody signs for the member until the next rekey") {
  Coop coop;
  auto earned = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{earned.id}).ok());
  auto pending = coop.submit("erin", coop.hours("alice", 30));
  REQUIRE(pending.ok());
  REQUIRE(coop.submit("node", MemberRekey{coop.key("alice"), {}}).ok());
  CHECK(coop.ledger->current_key(coop.key("alice")).value().is_zero());
  CHECK(coop.ledger->signing_key(coop.key("alice")).value().status == KeyStatus::retired);
  CHECK(coop.ledger->signing_key(coop.key("alice")).value().replaced_by.is_zero());
  CHECK(coop.submit("alice", HoursConfirm{pending.id}).code == Code::not_permitted);
  // Retiring nothing again is refused; a coordinator still confirms for her.
  CHECK(coop.submit("node", MemberRekey{coop.key("alice"), {}}).code == Code::wrong_state);
  CHECK(coop.submit("fred", HoursConfirm{pending.id}, coop.key("alice")).ok());
  // Her new phone enrols: its key signs for her from then on.
  const PublicKey phone = coop.new_key("phone", 172);
  REQUIRE(coop.submit("node", MemberRekey{coop.key("alice"), phone}).ok());
  CHECK(coop.ledger->current_key(coop.key("alice")).value() == phone);
  CHECK(coop.submit("phone", coop.hours("bob", 30, Payer::pool)).ok());
  CHECK(coop.submit("alice", coop.hours("bob", 30, Payer::pool)).code == Code::not_permitted);
  coop.ledger.reset();
  auto rebuilt = reindex(*coop.store, coop.clock);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->digest_before == rebuilt->digest_after);
  CHECK(audit_store(*coop.store).value().passed);
}

TEST_CASE("refusals of a retired key are not remembered; those of a member's new key are") {
  Coop coop;
  const PublicKey phone = coop.new_key("phone", 173);
  REQUIRE(coop.submit("node", MemberRekey{coop.key("alice"), phone}).ok());
  const Bytes old_entry = coop.make("alice", coop.hours("bob", 30, Payer::pool)).bytes;
  for (int i = 0; i < 2; ++i) {
    SubmitResult result = coop.ledger->submit_one(old_entry);
    CHECK(result.code == Code::not_permitted);
    CHECK_FALSE(result.refused_before);  // judged again: nothing kept for whoever holds the lost phone
  }
  const Bytes new_entry = coop.make("phone", HoursConfirm{EntryId{}}).bytes;  // no such hours
  CHECK_FALSE(coop.ledger->submit_one(new_entry).refused_before);
  CHECK(coop.ledger->submit_one(new_entry).refused_before);
}

TEST_CASE("a copy of the log accepts the rekey and refuses a later entry by the old key") {
  test::TestLedger a{nullptr, 201, 0};
  test::TestLedger b{nullptr, 202, 100};
  auto rb = Replicas::open(*b.store, b.clock).value();
  REQUIRE(rb->follow(a.node.public_key, "a-coop", *Currency::parse("GBP")).ok());
  a.add_member("carol", role_carer | role_service_user);
  a.add_member("dan", role_volunteer);
  auto hours = a.submit("dan", a.hours("carol", 60, Payer::pool));
  REQUIRE(a.submit("carol", HoursConfirm{hours.id}).ok());
  a.keys["dan-phone"] = test::seeded_key(180);
  REQUIRE(a.submit("node", MemberRekey{a.key("dan"), a.key("dan-phone")}).ok());
  REQUIRE(a.submit("dan-phone", a.hours("carol", 30, Payer::pool)).ok());
  const PublicKey log = a.node.public_key;

  // A dishonest A signs a head over a record whose entry the old key signed:
  // B replays A's rules and refuses the batch, storing none of it.
  auto ra = Replicas::open(*a.store, a.clock).value();
  LogBatch forged = ra->read_batch(log, 0, 1000).value();
  SignedEntry by_old_key = a.make("dan", a.hours("carol", 45, Payer::pool));
  Record last = decode_record(forged.records.back()).value();
  forged.records.push_back(
      encode_record({last.seq + 1, record_hash(forged.records.back()), a.clock.now_ms(), by_old_key.bytes}));
  merkle::Frontier frontier{merkle::blake2b_hasher()};
  for (const Bytes& record : forged.records) frontier.append(merkle::blake2b_hasher().leaf(record));
  forged.head =
      sign_tree_head({log, forged.records.size(), frontier.root(), a.clock.now_ms()}, a.node.secret_key);
  AppendResult refused = rb->append(forged);
  CHECK_MESSAGE(refused.outcome == AppendResult::Outcome::rule_broken, refused.message);
  CHECK(refused.message.find("this key was replaced on") != std::string::npos);
  CHECK(rb->log_state(log).value().size == 0);

  // The honest log copies, with the same state, and the copy audits.
  auto honest = ra->read_batch(log, 0, 1000).value();
  REQUIRE(rb->append(honest).outcome == AppendResult::Outcome::appended);
  CHECK(state_digest(*b.store, log).value() == a.ledger->state_digest().value());
  AuditOptions options;
  options.log = log;
  auto report = audit_store(*b.store, options);
  REQUIRE(report.ok());
  CHECK_MESSAGE(report->passed, report->failure);
  auto copy = Ledger::open_copy(*b.store, log, b.clock);
  REQUIRE(copy.ok());
  CHECK(copy.value()->current_key(a.key("dan")).value() == a.key("dan-phone"));
  CHECK(copy.value()->balance(a.account("dan")).value().balance_minutes == 60);
}
