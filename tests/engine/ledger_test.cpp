#include "cohours/ledger.h"

#include <doctest/doctest.h>

#include <thread>

#include "cohours/merkle.h"

#include "test_support.h"

using namespace cohours;
using cohours::test::policy_of;
using cohours::test::TestLedger;

namespace {

// A small co-op: alice volunteers, bob is a service user, carol is a carer
// who also volunteers, dave coordinates and administers.
struct Coop : TestLedger {
  Coop() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
    add_member("carol", role_carer | role_volunteer);
    add_member("dave", role_coordinator | role_admin);
    add_member("erin", role_volunteer);
  }
};

}  // namespace

TEST_CASE("members join through the node key or an admin, once") {
  Coop coop;
  CHECK(coop.ledger->members().value().size() == 5);
  auto stranger = test::seeded_key(99);
  SUBCASE("an admin may add") {
    CHECK(coop.submit("dave", MemberJoin{stranger.public_key, role_volunteer, coop.node.public_key}).ok());
  }
  SUBCASE("a volunteer may not") {
    auto r = coop.submit("alice", MemberJoin{stranger.public_key, role_volunteer, coop.node.public_key});
    CHECK(r.code == Code::not_permitted);
  }
  SUBCASE("twice is refused") {
    auto r = coop.submit("node", MemberJoin{coop.key("alice"), role_volunteer, coop.node.public_key});
    CHECK(r.code == Code::already_exists);
  }
  SUBCASE("no roles, unknown roles, another home node") {
    CHECK(coop.submit("node", MemberJoin{stranger.public_key, 0, coop.node.public_key}).code ==
          Code::malformed);
    CHECK(coop.submit("node", MemberJoin{stranger.public_key, 1u << 20, coop.node.public_key}).code ==
          Code::malformed);
    CHECK(coop.submit("node", MemberJoin{stranger.public_key, role_carer, stranger.public_key}).code ==
          Code::not_permitted);
  }
  SUBCASE("roles are replaced by member.role") {
    CHECK(coop.submit("dave", MemberRole{coop.key("alice"), role_volunteer | role_carer}).ok());
    CHECK(coop.ledger->member(coop.key("alice")).value().roles == (role_volunteer | role_carer));
    CHECK(coop.submit("alice", MemberRole{coop.key("alice"), role_admin}).code == Code::not_permitted);
  }
}

TEST_CASE("hours are pending until the recipient confirms, and the pool pays for service users") {
  Coop coop;
  auto log = coop.submit("alice", coop.hours("bob", 120, Payer::pool));
  REQUIRE(log.ok());
  CHECK(coop.balance("alice").balance_minutes == 0);
  CHECK(coop.balance("alice").pending_in_minutes == 120);
  CHECK(coop.balance("pool").pending_out_minutes == 120);

  SUBCASE("someone else cannot confirm") {
    CHECK(coop.submit("carol", HoursConfirm{log.id}).code == Code::not_permitted);
    CHECK(coop.submit("alice", HoursConfirm{log.id}).code == Code::not_permitted);
    CHECK(coop.balance("alice").balance_minutes == 0);
  }
  SUBCASE("the recipient confirms, once") {
    CHECK(coop.submit("bob", HoursConfirm{log.id}).ok());
    CHECK(coop.balance("alice").balance_minutes == 120);
    CHECK(coop.balance("alice").pending_in_minutes == 0);
    CHECK(coop.balance("pool").balance_minutes == -120);
    CHECK(coop.balance("bob").balance_minutes == 0);
    auto again = coop.submit("bob", HoursConfirm{log.id});
    CHECK(again.code == Code::wrong_state);
    CHECK(coop.submit("alice", HoursVoid{log.id, {}}).code == Code::wrong_state);
    CHECK(coop.balance("alice").balance_minutes == 120);
  }
  SUBCASE("a coordinator confirms on the recipient's behalf, recording both keys") {
    CHECK(coop.submit("dave", HoursConfirm{log.id}).code == Code::not_permitted);
    auto confirm = coop.submit("dave", HoursConfirm{log.id}, coop.key("bob"));
    CHECK(confirm.ok());
    CHECK(coop.balance("alice").balance_minutes == 120);
    auto record = coop.ledger->record(confirm.seq);
    auto entry = decode_entry(record.value().entry);
    CHECK(entry.value().entry.author == coop.key("dave"));
    CHECK(entry.value().entry.on_behalf == coop.key("bob"));
  }
  SUBCASE("only a coordinator may sign for someone") {
    CHECK(coop.submit("carol", HoursConfirm{log.id}, coop.key("bob")).code == Code::not_permitted);
  }
  SUBCASE("void cancels, then confirm is refused") {
    CHECK(coop.submit("alice", HoursVoid{log.id, {}}).ok());
    CHECK(coop.balance("alice").pending_in_minutes == 0);
    CHECK(coop.balance("pool").pending_out_minutes == 0);
    CHECK(coop.submit("bob", HoursConfirm{log.id}).code == Code::wrong_state);
  }
  SUBCASE("an unknown id is unknown") {
    CHECK(coop.submit("bob", HoursConfirm{Hash32{}}).code == Code::unknown_entry);
  }
}

TEST_CASE("who pays: the pool only for service users and the community") {
  Coop coop;
  CHECK(coop.submit("alice", coop.hours("carol", 60, Payer::pool)).code == Code::not_permitted);
  CHECK(coop.submit("alice", coop.hours("community", 60, Payer::recipient)).code == Code::malformed);
  auto community = coop.submit("alice", coop.hours("community", 60, Payer::pool, "gardening"));
  REQUIRE(community.ok());
  CHECK(coop.submit("alice", HoursConfirm{community.id}).code == Code::not_permitted);
  CHECK(coop.submit("dave", HoursConfirm{community.id}).ok());
  CHECK(coop.balance("pool").balance_minutes == -60);
  CHECK(coop.submit("alice", coop.hours("alice", 60)).code == Code::not_permitted);
  CHECK(coop.submit("bob", coop.hours("alice", 60)).code ==
        Code::not_permitted);  // service users do not bank hours
}

TEST_CASE("help to a service user is paid by the pool, whoever builds the entry") {
  // DESIGN.md rule 3. Once only the command line chose the pool; a phone
  // could sign payer = recipient and make a service user pay.
  Coop coop;
  const Hash32 digest = coop.ledger->state_digest().value();
  auto refused = coop.submit("alice", coop.hours("bob", 60, Payer::recipient));
  CHECK(refused.code == Code::not_permitted);
  CHECK(refused.message == "help to a service user is paid by the co-op pool: log it with the pool as payer");
  // A coordinator entering the timesheet for alice gets the same answer.
  CHECK(coop.submit("dave", coop.hours("bob", 60, Payer::recipient), coop.key("alice")).code ==
        Code::not_permitted);
  // So does help from a volunteer of another co-op.
  const PublicKey visitor = test::seeded_key(90).public_key, other_node = test::seeded_key(91).public_key;
  CHECK(coop.submit("dave", RemoteHoursLog{visitor, other_node, coop.hours("bob", 60, Payer::recipient)})
            .code == Code::not_permitted);
  CHECK(coop.ledger->state_digest().value() == digest);
  // A member who also has the service-user role is a service user: the pool pays.
  REQUIRE(coop.submit("node", MemberRole{coop.key("carol"), role_carer | role_volunteer | role_service_user})
              .ok());
  CHECK(coop.submit("alice", coop.hours("carol", 30, Payer::recipient)).code == Code::not_permitted);
  CHECK(coop.submit("alice", coop.hours("carol", 30, Payer::pool)).ok());
  CHECK(coop.submit("alice", coop.hours("bob", 60, Payer::pool)).ok());
  CHECK(coop.submit("dave", RemoteHoursLog{visitor, other_node, coop.hours("bob", 60, Payer::pool)}).ok());
  // Between other members the recipient pays, as before.
  CHECK(coop.submit("alice", coop.hours("erin", 60, Payer::recipient)).ok());
}

TEST_CASE("an entry signed for another node is refused with wrong_node and changes nothing") {
  Coop a;
  // Another co-op where alice and bob (the same keys) are members too: the
  // replay would pass every other rule there.
  TestLedger b(nullptr, 201, 0);
  b.add_member("alice", role_volunteer);
  b.add_member("bob", role_service_user);
  REQUIRE(b.key("alice") == a.key("alice"));
  SignedEntry for_a = a.make("alice", a.hours("bob", 60, Payer::pool));
  REQUIRE(a.ledger->submit_one(for_a.bytes).ok());

  const std::uint64_t size = b.ledger->log_size();
  const Hash32 digest = b.ledger->state_digest().value();
  auto replayed = b.ledger->submit_one(for_a.bytes);
  CHECK(replayed.code == Code::wrong_node);
  CHECK(std::string(code_name(replayed.code)) == "wrong_node");
  CHECK(replayed.message == "this entry was signed for node " + to_hex(a.node.public_key).substr(0, 12) +
                                " and cannot be replayed into this co-op's log");
  CHECK(b.ledger->log_size() == size);
  CHECK(b.ledger->state_digest().value() == digest);
  CHECK(b.ledger->seq_of(for_a.id).code() == Code::unknown_entry);
  CHECK(b.balance("alice").pending_in_minutes == 0);
  // Not remembered (anyone can replay another co-op's entries, and the
  // answer never changes): judged alike each time, nothing stored.
  auto again = b.ledger->submit_one(for_a.bytes);
  CHECK(again.code == Code::wrong_node);
  CHECK_FALSE(again.refused_before);
  CHECK_FALSE(b.store->scan(Column::refusals, "", "")->valid());
  // The same help signed for B's log goes in there.
  CHECK(b.submit("alice", b.hours("bob", 60, Payer::pool)).ok());
}

TEST_CASE("a refused entry is remembered: a retry answers the first refusal, even once it would pass") {
  Coop coop;
  const Hash32 digest_before = coop.ledger->state_digest().value();
  SignedEntry transfer = coop.make("alice", Transfer{coop.key("erin"), 60, {}});
  auto first = coop.ledger->submit_one(transfer.bytes);
  REQUIRE(first.code == Code::floor_breached);  // alice has nothing yet
  CHECK_FALSE(first.refused_before);
  CHECK(first.id == transfer.id);
  // Remembering is node state, not log state: the state digest is unchanged.
  CHECK(coop.ledger->state_digest().value() == digest_before);

  // alice earns the credits: the same bytes would pass now, but a refused
  // entry is never judged again.
  auto log = coop.submit("alice", coop.hours("bob", 90, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{log.id}).ok());
  const std::uint64_t size = coop.ledger->log_size();
  const Hash32 digest = coop.ledger->state_digest().value();
  auto again = coop.ledger->submit_one(transfer.bytes);
  CHECK(again.code == Code::floor_breached);
  CHECK(again.message == first.message);
  CHECK(again.refused_before);
  CHECK_FALSE(again.duplicate);
  CHECK(again.seq == 0);
  CHECK(again.id == transfer.id);
  CHECK(coop.ledger->log_size() == size);
  CHECK(coop.ledger->state_digest().value() == digest);
  // A new entry (a new nonce) is judged on its own.
  CHECK(coop.submit("alice", Transfer{coop.key("erin"), 60, {}}).ok());

  // Twice in one batch: the second answer repeats the first.
  SignedEntry big = coop.make("carol", Transfer{coop.key("erin"), 600, {}});
  std::vector<Bytes> batch{big.bytes, big.bytes};
  auto results = coop.ledger->submit(batch);
  CHECK(results[0].code == Code::floor_breached);
  CHECK_FALSE(results[0].refused_before);
  CHECK(results[1].code == Code::floor_breached);
  CHECK(results[1].refused_before);

  // Reindex rebuilds log state only; remembered refusals stay.
  coop.ledger.reset();
  REQUIRE(reindex(*coop.store, coop.clock).ok());
  coop.reopen();
  CHECK(coop.ledger->submit_one(transfer.bytes).refused_before);
  CHECK(coop.ledger->submit_one(big.bytes).refused_before);
}

TEST_CASE("refusals of entries signed by the node itself are not remembered") {
  // The node signs afresh every time (sync retries a stuck transfer.in on
  // every batch); keeping each refusal would only fill the disk.
  Coop coop;
  const PublicKey other_node = test::seeded_key(91).public_key, newcomer = test::seeded_key(92).public_key;
  EntryId origin;
  origin.bytes.fill(0x93);
  SignedEntry in = coop.make("node", TransferIn{other_node, origin, newcomer, 30});
  CHECK(coop.ledger->submit_one(in.bytes).code == Code::unknown_member);
  auto again = coop.ledger->submit_one(in.bytes);
  CHECK(again.code == Code::unknown_member);
  CHECK_FALSE(again.refused_before);
  CHECK_FALSE(coop.store->scan(Column::refusals, "", "")->valid());
  REQUIRE(coop.submit("node", MemberJoin{newcomer, role_volunteer, coop.node.public_key}).ok());
  CHECK(coop.ledger->submit_one(in.bytes).ok());
}

TEST_CASE("refusals of entries signed by strangers are not remembered") {
  // Anyone can make a key and sign entries: keeping their refusals would let
  // a stranger fill the disk. Such an entry is judged on every submission.
  Coop coop;
  KeyPair stranger = test::seeded_key(66);
  Entry entry{kEntryFormatVersion,
              coop.node.public_key,
              stranger.public_key,
              {},
              coop.clock.now_ms(),
              1,
              coop.hours("bob", 60, Payer::pool)};
  SignedEntry signed_entry = sign_entry(entry, stranger.secret_key);
  CHECK(coop.ledger->submit_one(signed_entry.bytes).code == Code::unknown_member);
  auto again = coop.ledger->submit_one(signed_entry.bytes);
  CHECK(again.code == Code::unknown_member);
  CHECK_FALSE(again.refused_before);
  CHECK_FALSE(coop.store->scan(Column::refusals, "", "")->valid());
  // Once the key joins, the same bytes are judged again and accepted (a
  // phone that signed before its member.join reached the node).
  REQUIRE(coop.submit("node", MemberJoin{stranger.public_key, role_volunteer, coop.node.public_key}).ok());
  CHECK(coop.ledger->submit_one(signed_entry.bytes).ok());
}

TEST_CASE("remembered refusals survive closing and reopening a RocksDB store") {
  test::TempDir dir;
  const std::string path = dir.path + "/store";
  Bytes refused;
  std::string message;
  {
    auto store = open_rocks_store(path, OpenMode::create_if_missing);
    REQUIRE(store.ok());
    TestLedger node(std::move(store).value().release());
    node.add_member("alice", role_volunteer);
    node.add_member("bob", role_service_user);
    SignedEntry transfer = node.make("alice", Transfer{node.key("bob"), 30, {}});
    auto first = node.ledger->submit_one(transfer.bytes);
    REQUIRE(first.code == Code::floor_breached);
    refused = transfer.bytes;
    message = first.message;
    auto log = node.submit("alice", node.hours("bob", 60, Payer::pool));
    REQUIRE(node.submit("bob", HoursConfirm{log.id}).ok());
  }
  auto store = open_rocks_store(path, OpenMode::open_existing);
  REQUIRE(store.ok());
  TestLedger node(std::move(store).value().release());
  const std::uint64_t size = node.ledger->log_size();
  auto again = node.ledger->submit_one(refused);
  CHECK(again.code == Code::floor_breached);
  CHECK(again.message == message);
  CHECK(again.refused_before);
  CHECK(node.ledger->log_size() == size);
}

TEST_CASE("amounts, categories and dates are checked against policy") {
  Coop coop;
  CHECK(coop.submit("alice", coop.hours("bob", 0, Payer::pool)).code == Code::bad_amount);
  CHECK(coop.submit("alice", coop.hours("bob", -30, Payer::pool)).code == Code::bad_amount);
  CHECK(coop.submit("alice", coop.hours("bob", 12 * 60 + 1, Payer::pool)).code == Code::bad_amount);
  CHECK(coop.submit("alice", coop.hours("bob", 12 * 60, Payer::pool)).ok());
  CHECK(coop.submit("alice", coop.hours("bob", 60, Payer::pool, "knitting")).code == Code::unknown_category);
  HoursLog future = coop.hours("bob", 60, Payer::pool);
  future.date_days += 2;
  CHECK(coop.submit("alice", future).code == Code::bad_date);

  SUBCASE("admins change the limits; others may not") {
    CHECK(coop.submit("alice", policy_of({PolicyTarget::max_entry_minutes, 0, 240, {}})).code ==
          Code::not_permitted);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::max_entry_minutes, 0, 240, {}})).ok());
    CHECK(coop.submit("alice", coop.hours("bob", 241, Payer::pool)).code == Code::bad_amount);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::categories, 0, 0, {"knitting", "respite"}})).ok());
    CHECK(coop.submit("alice", coop.hours("bob", 60, Payer::pool, "knitting")).ok());
    CHECK(coop.submit("alice", coop.hours("bob", 60, Payer::pool, "befriending")).code ==
          Code::unknown_category);
  }
  SUBCASE("bad policy values are refused") {
    CHECK(coop.submit("dave", policy_of({PolicyTarget::role_floor, role_carer, 60, {}})).code ==
          Code::bad_amount);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::role_floor, role_carer | role_volunteer, -60, {}}))
              .code == Code::malformed);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::max_entry_minutes, 0, 0, {}})).code ==
          Code::bad_amount);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::categories, 0, 0, {}})).code == Code::malformed);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::categories, 0, 0, {"a", "a"}})).code ==
          Code::malformed);
    CHECK(coop.submit("dave", PolicySet{}).code == Code::malformed);
  }
  SUBCASE("settings in one entry apply together or not at all") {
    PolicySet both{{PolicySetting{PolicyTarget::role_floor, role_staff, -60, {}},
                    PolicySetting{PolicyTarget::max_entry_minutes, 0, 5000, {}}}};
    CHECK(coop.submit("dave", both).code == Code::bad_amount);
    CHECK(coop.ledger->policy().value().role_floor_minutes[3] == 0);
    both.settings[1].amount = 300;
    CHECK(coop.submit("dave", both).ok());
    CHECK(coop.ledger->policy().value().role_floor_minutes[3] == -60);
    CHECK(coop.ledger->policy().value().max_entry_minutes == 300);
  }
}

TEST_CASE("balances never go under their floor") {
  Coop coop;
  CHECK(coop.submit("alice", Transfer{coop.key("erin"), 1, {}}).code == Code::floor_breached);
  CHECK(coop.submit("carol", Transfer{coop.key("alice"), 30, {}}).code == Code::floor_breached);
  REQUIRE(coop.submit("dave", policy_of({PolicyTarget::role_floor, role_carer, -600, {}})).ok());
  // carol is carer and volunteer: the lower floor of her roles applies.
  CHECK(coop.submit("carol", Transfer{coop.key("alice"), 600, {}}).ok());
  CHECK(coop.balance("carol").balance_minutes == -600);
  CHECK(coop.submit("carol", Transfer{coop.key("alice"), 1, {}}).code == Code::floor_breached);
  CHECK(coop.balance("alice").balance_minutes == 600);

  SUBCASE("the pool floor") {
    REQUIRE(coop.submit("dave", policy_of({PolicyTarget::pool_floor, 0, -60, {}})).ok());
    auto first = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
    auto second = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
    CHECK(coop.submit("bob", HoursConfirm{first.id}).ok());
    CHECK(coop.submit("bob", HoursConfirm{second.id}).code == Code::floor_breached);
    CHECK(coop.submit("dave", policy_of({PolicyTarget::pool_floor_none, 0, 0, {}})).ok());
    CHECK(coop.submit("bob", HoursConfirm{second.id}).ok());
  }
}

TEST_CASE("a respite exchange: request, offer, the carer confirms and pays") {
  Coop coop;
  REQUIRE(coop.submit("dave", policy_of({PolicyTarget::role_floor, role_carer, -600, {}})).ok());
  RespiteRequest ask{180, coop.today() + 5, {}};
  CHECK(coop.submit("alice", ask).code == Code::not_permitted);  // not a carer
  auto request = coop.submit("carol", ask);
  REQUIRE(request.ok());
  CHECK(coop.submit("bob", RespiteOffer{request.id}).code == Code::not_permitted);
  CHECK(coop.submit("carol", RespiteOffer{request.id}).code == Code::not_permitted);  // herself
  auto offer = coop.submit("alice", RespiteOffer{request.id});
  REQUIRE(offer.ok());
  CHECK(coop.submit("erin", RespiteOffer{request.id}).code == Code::wrong_state);
  CHECK(coop.ledger->respite_request(request.id).value().status == RequestStatus::offered);
  CHECK(coop.balance("carol").pending_out_minutes == 180);

  SUBCASE("confirmed by the carer") {
    CHECK(coop.submit("alice", HoursConfirm{offer.id}).code == Code::not_permitted);
    CHECK(coop.submit("carol", HoursConfirm{offer.id}).ok());
    CHECK(coop.balance("carol").balance_minutes == -180);
    CHECK(coop.balance("alice").balance_minutes == 180);
    CHECK(coop.ledger->respite_request(request.id).value().status == RequestStatus::done);
    CHECK(coop.submit("carol", RespiteCancel{request.id}).code == Code::wrong_state);
  }
  SUBCASE("cancelled with the offer pending: the offer is voided") {
    CHECK(coop.submit("alice", RespiteCancel{request.id}).code == Code::not_permitted);
    CHECK(coop.submit("carol", RespiteCancel{request.id}).ok());
    CHECK(coop.balance("carol").pending_out_minutes == 0);
    CHECK(coop.ledger->movement(offer.id).value().status == MovementStatus::voided);
    CHECK(coop.submit("carol", HoursConfirm{offer.id}).code == Code::wrong_state);
  }
  SUBCASE("a voided offer reopens the request") {
    CHECK(coop.submit("alice", HoursVoid{offer.id, {}}).ok());
    CHECK(coop.ledger->respite_request(request.id).value().status == RequestStatus::open);
    CHECK(coop.submit("erin", RespiteOffer{request.id}).ok());
  }
}

TEST_CASE("transfers and reversals") {
  Coop coop;
  auto log = coop.submit("alice", coop.hours("bob", 120, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{log.id}).ok());
  CHECK(coop.submit("alice", Transfer{coop.key("alice"), 10, {}}).code == Code::not_permitted);
  CHECK(coop.submit("alice", Transfer{test::seeded_key(77).public_key, 10, {}}).code == Code::unknown_member);
  CHECK(coop.submit("dave", Transfer{coop.key("erin"), 10, {}}, coop.key("alice")).code ==
        Code::not_permitted);
  auto gift = coop.submit("alice", Transfer{coop.key("erin"), 30, {}});
  REQUIRE(gift.ok());
  CHECK(coop.balance("erin").balance_minutes == 30);

  CHECK(coop.submit("alice", Reversal{gift.id, {}}).code == Code::not_permitted);
  CHECK(coop.submit("dave", Reversal{Hash32{}, {}}).code == Code::unknown_entry);
  auto undo = coop.submit("dave", Reversal{gift.id, {}});
  REQUIRE(undo.ok());
  CHECK(coop.balance("erin").balance_minutes == 0);
  CHECK(coop.balance("alice").balance_minutes == 120);
  CHECK(coop.submit("dave", Reversal{gift.id, {}}).code == Code::wrong_state);
  // Reversing confirmed hours returns them to the pool; history keeps both.
  CHECK(coop.submit("dave", Reversal{log.id, {}}).ok());
  CHECK(coop.balance("alice").balance_minutes == 0);
  CHECK(coop.balance("pool").balance_minutes == 0);
  auto postings = coop.ledger->postings(coop.account("alice"));
  CHECK(postings.value().size() == 4);
  // A reversal that would push the payee under their floor is refused.
  auto more = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{more.id}).ok());
  REQUIRE(coop.submit("alice", Transfer{coop.key("erin"), 60, {}}).ok());
  CHECK(coop.submit("dave", Reversal{more.id, {}}).code == Code::floor_breached);
  auto pending = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  CHECK(coop.submit("dave", Reversal{pending.id, {}}).code == Code::wrong_state);
}

TEST_CASE("every entry is idempotent: the same bytes again answer the first result") {
  Coop coop;
  SignedEntry entry = coop.make("alice", coop.hours("bob", 60, Payer::pool));
  auto first = coop.ledger->submit_one(entry.bytes);
  REQUIRE(first.ok());
  std::uint64_t size = coop.ledger->log_size();
  auto again = coop.ledger->submit_one(entry.bytes);
  CHECK(again.ok());
  CHECK(again.duplicate);
  CHECK(again.seq == first.seq);
  CHECK(again.id == first.id);
  CHECK(coop.ledger->log_size() == size);
  CHECK(coop.balance("alice").pending_in_minutes == 60);
  // Twice in one batch: one record.
  SignedEntry other = coop.make("erin", coop.hours("bob", 30, Payer::pool));
  std::vector<Bytes> batch{other.bytes, other.bytes};
  auto results = coop.ledger->submit(batch);
  CHECK(results[0].ok());
  CHECK(results[1].duplicate);
  CHECK(results[1].seq == results[0].seq);
  CHECK(coop.ledger->log_size() == size + 1);
}

TEST_CASE("forged, malformed and wrongly signed entries change nothing") {
  Coop coop;
  auto digest_before = coop.ledger->state_digest().value();
  std::uint64_t size = coop.ledger->log_size();
  SignedEntry entry = coop.make("alice", coop.hours("bob", 60, Payer::pool));
  Bytes forged = entry.bytes;
  forged[forged.size() - 1] ^= 1;
  CHECK(coop.ledger->submit_one(forged).code == Code::bad_signature);
  Bytes altered = entry.bytes;
  altered[60] ^= 1;  // inside the author key or a field
  CHECK(coop.ledger->submit_one(altered).code != Code::ok);
  // Signed by erin but claiming to be alice's.
  Entry claimed = entry.entry;
  SignedEntry wrong_key = sign_entry(claimed, coop.keys.at("erin").secret_key);
  CHECK(coop.ledger->submit_one(wrong_key.bytes).code == Code::bad_signature);
  CHECK(coop.ledger->submit_one(Bytes{1, 2, 3}).code == Code::malformed);
  CHECK(coop.ledger->submit_one(Bytes(70000, 1)).code == Code::malformed);
  // A stranger's validly signed entry.
  KeyPair stranger = test::seeded_key(66);
  Entry foreign{kEntryFormatVersion,
                coop.node.public_key,
                stranger.public_key,
                {},
                0,
                1,
                coop.hours("bob", 60, Payer::pool)};
  CHECK(coop.ledger->submit_one(sign_entry(foreign, stranger.secret_key).bytes).code == Code::unknown_member);
  CHECK(coop.ledger->log_size() == size);
  CHECK(coop.ledger->state_digest().value() == digest_before);
}

TEST_CASE("a group of entries shares one synced write and one signed tree head") {
  Coop coop;
  std::uint64_t size = coop.ledger->log_size();
  std::vector<Bytes> batch;
  for (int i = 0; i < 100; ++i)
    batch.push_back(coop.make("alice", coop.hours("bob", 1 + i, Payer::pool)).bytes);
  auto results = coop.ledger->submit(batch);
  for (std::size_t i = 0; i < results.size(); ++i) CHECK(results[i].seq == size + 1 + i);
  CHECK(coop.ledger->log_size() == size + 100);
  auto head = coop.ledger->latest_head();
  REQUIRE(head.ok());
  CHECK(head->head.size == size + 100);
  CHECK(verify_tree_head(head.value(), head->head.log));
  CHECK(coop.ledger->head_at(size + 50).code() == Code::not_found);
  // Every record is in the signed tree.
  for (std::uint64_t seq : {std::uint64_t{1}, size + 1, size + 100}) {
    auto record = coop.ledger->record(seq);
    auto proof = coop.ledger->inclusion_proof(seq, head->head.size);
    REQUIRE(proof.ok());
    CHECK(merkle::verify_inclusion(merkle::blake2b_hasher(), seq - 1, head->head.size,
                                   merkle::blake2b_hasher().leaf(encode_record(record.value())),
                                   proof.value(), head->head.root));
  }
  auto old_head = coop.ledger->head_at(size);
  REQUIRE(old_head.ok());
  auto consistency = coop.ledger->consistency_proof(size, size + 100);
  REQUIRE(consistency.ok());
  CHECK(merkle::verify_consistency(merkle::blake2b_hasher(), size, size + 100, old_head->head.root,
                                   head->head.root, consistency.value()));
}

TEST_CASE("concurrent submitters are grouped and all acknowledged") {
  Coop coop;
  std::uint64_t size = coop.ledger->log_size();
  std::vector<std::vector<Bytes>> per_thread(4);
  for (int t = 0; t < 4; ++t)
    for (int i = 0; i < 50; ++i)
      per_thread[t].push_back(coop.make(t % 2 ? "alice" : "erin", coop.hours("bob", 10, Payer::pool)).bytes);
  std::vector<std::thread> threads;
  std::atomic<int> accepted{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (const auto& bytes : per_thread[t])
        if (coop.ledger->submit_one(bytes).ok()) ++accepted;
    });
  for (auto& thread : threads) thread.join();
  CHECK(accepted == 200);
  CHECK(coop.ledger->log_size() == size + 200);
  CHECK(coop.balance("pool").pending_out_minutes == 2000);
}

TEST_CASE("state survives reopening, and reindex rebuilds it bit for bit") {
  Coop coop;
  REQUIRE(coop.submit("dave", policy_of({PolicyTarget::role_floor, role_carer, -600, {}})).ok());
  auto log = coop.submit("alice", coop.hours("bob", 90, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{log.id}).ok());
  auto request = coop.submit("carol", RespiteRequest{120, coop.today(), {}});
  auto offer = coop.submit("erin", RespiteOffer{request.id});
  REQUIRE(coop.submit("carol", HoursConfirm{offer.id}).ok());
  REQUIRE(coop.submit("alice", Transfer{coop.key("erin"), 15, {}}).ok());
  REQUIRE(coop.submit("alice", coop.hours("carol", 30)).ok());  // left pending
  Hash32 digest = coop.ledger->state_digest().value();
  auto head = coop.ledger->latest_head().value();
  coop.reopen();
  CHECK(coop.ledger->state_digest().value() == digest);
  CHECK(coop.balance("erin").balance_minutes == 135);

  coop.ledger.reset();
  auto report = reindex(*coop.store, coop.clock);
  REQUIRE(report.ok());
  CHECK(report->records == head.head.size);
  CHECK(report->digest_before == digest);
  CHECK(report->digest_after == digest);
  coop.reopen();
  CHECK(coop.ledger->latest_head().value().head.root == head.head.root);
  CHECK(coop.balance("carol").balance_minutes == -120);
  // Appending after a reindex continues the same tree.
  CHECK(coop.submit("alice", Transfer{coop.key("erin"), 15, {}}).ok());
  auto proof = coop.ledger->consistency_proof(head.head.size, coop.ledger->log_size());
  CHECK(merkle::verify_consistency(merkle::blake2b_hasher(), head.head.size, coop.ledger->log_size(),
                                   head.head.root, coop.ledger->latest_head().value().head.root,
                                   proof.value()));
}

TEST_CASE("a store of an older format (entries without their node) is refused, not converted") {
  Coop coop;
  coop.ledger.reset();
  WriteBatch old;
  old.put(Column::meta, "format_version", "2");
  REQUIRE(coop.log_rows()->write(old, Durability::synced).ok());
  auto opened = Ledger::open(*coop.store, {coop.node.public_key, coop.node.secret_key.copy()}, coop.clock);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.code() == Code::corruption);
  CHECK(opened.status().message().find("this store is of format 2") != std::string::npos);
  CHECK(opened.status().message().find("does not convert stores") != std::string::npos);
  CHECK(reindex(*coop.store, coop.clock).code() == Code::corruption);
  CHECK(Ledger::open_read_only(*coop.store, coop.clock).code() == Code::corruption);
}

TEST_CASE("a damaged balance row is put right by reindex") {
  Coop coop;
  auto log = coop.submit("alice", coop.hours("bob", 90, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{log.id}).ok());
  Hash32 digest = coop.ledger->state_digest().value();
  coop.ledger.reset();
  WriteBatch tamper;
  Balance fake{9999, 0, 0};
  tamper.put(Column::balances, AccountId::member(coop.key("alice")).to_key(),
             std::string("\x01", 1) + std::string(reinterpret_cast<const char*>(&fake.balance_minutes), 8) +
                 std::string(16, '\0'));
  REQUIRE(coop.log_rows()->write(tamper, Durability::synced).ok());
  auto report = reindex(*coop.store, coop.clock);
  REQUIRE(report.ok());
  CHECK(report->digest_before != digest);
  CHECK(report->digest_after == digest);
}

namespace {

// Forwards to a memory store; writes fail while `failing` is set (a full
// disk, a dying device).
class FlakyStore : public Store {
 public:
  std::unique_ptr<Store> inner = make_memory_store();
  bool failing = false;
  Status compact(Column c) override { return inner->compact(c); }
  std::unique_ptr<const Store> snapshot() const override { return inner->snapshot(); }

 protected:
  Status do_get(Column c, std::string_view k, std::string* v) const override { return inner->get(c, k, v); }
  Status do_write(const WriteBatch& b, Durability d) override {
    if (failing) return Status(Code::io_error, "disk full");
    return inner->write(b, d);
  }
  std::unique_ptr<Cursor> do_scan(Column c, std::string_view f, std::string_view t) const override {
    return inner->scan(c, f, t);
  }
  Status do_clear(Column c) override { return inner->clear(c); }
  Status do_erase_range(Column c, std::string_view f, std::string_view t) override {
    if (failing) return Status(Code::io_error, "disk full");
    return inner->erase_range(c, f, t);
  }
};

}  // namespace

TEST_CASE("when the store write fails nothing is acknowledged, not even a repeat within the group") {
  auto* flaky = new FlakyStore;
  TestLedger node(flaky);
  node.add_member("alice", role_volunteer);
  node.add_member("bob", role_service_user);
  std::uint64_t size = node.ledger->log_size();
  SignedEntry entry = node.make("alice", node.hours("bob", 60, Payer::pool));
  std::vector<Bytes> twice{entry.bytes, entry.bytes};
  flaky->failing = true;
  auto results = node.ledger->submit(twice);
  for (const auto& result : results) {
    CHECK(result.code == Code::io_error);
    CHECK_FALSE(result.duplicate);
    CHECK(result.seq == 0);
  }
  CHECK(node.ledger->log_size() == size);
  CHECK(node.ledger->seq_of(entry.id).code() == Code::unknown_entry);
  flaky->failing = false;
  auto retried = node.ledger->submit_one(entry.bytes);
  CHECK(retried.ok());
  CHECK_FALSE(retried.duplicate);
  CHECK(retried.seq == size + 1);
}

TEST_CASE("a refusal is final only once it is stored") {
  auto* flaky = new FlakyStore;
  TestLedger node(flaky);
  node.add_member("alice", role_volunteer);
  node.add_member("bob", role_service_user);
  SignedEntry broke = node.make("alice", Transfer{node.key("bob"), 30, {}});
  flaky->failing = true;
  std::vector<Bytes> twice{broke.bytes, broke.bytes};
  for (const auto& result : node.ledger->submit(twice)) {
    CHECK(result.code == Code::io_error);  // not "refused": a retry would be judged again
    CHECK_FALSE(result.refused_before);
  }
  flaky->failing = false;
  auto judged = node.ledger->submit_one(broke.bytes);
  CHECK(judged.code == Code::floor_breached);
  CHECK_FALSE(judged.refused_before);
  CHECK(node.ledger->submit_one(broke.bytes).refused_before);
}

TEST_CASE("nobody confirms hours they gave, and on-behalf voids name a party") {
  Coop coop;
  REQUIRE(
      coop.submit("node", MemberRole{coop.key("dave"), role_coordinator | role_admin | role_volunteer}).ok());
  auto own = coop.submit("dave", coop.hours("community", 720, Payer::pool, "gardening"));
  REQUIRE(own.ok());
  CHECK(coop.submit("dave", HoursConfirm{own.id}).code == Code::not_permitted);
  auto to_bob = coop.submit("dave", coop.hours("bob", 60, Payer::pool));
  CHECK(coop.submit("dave", HoursConfirm{to_bob.id}, coop.key("bob")).code == Code::not_permitted);
  CHECK(coop.balance("dave").balance_minutes == 0);
  auto stranger = test::seeded_key(123).public_key;
  auto log = coop.submit("alice", coop.hours("bob", 60, Payer::pool));
  CHECK(coop.submit("dave", HoursVoid{log.id, {}}, stranger).code == Code::not_permitted);
  CHECK(coop.submit("dave", HoursVoid{log.id, {}}, coop.key("alice")).ok());
}

TEST_CASE("dates out of range are refused") {
  Coop coop;
  HoursLog old = coop.hours("bob", 60, Payer::pool);
  old.date_days = -1;
  CHECK(coop.submit("alice", old).code == Code::bad_date);
  CHECK(coop.submit("carol", RespiteRequest{60, -5, {}}).code == Code::bad_date);
  CHECK(coop.submit("carol", RespiteRequest{60, coop.today() - 30, {}}).ok());
  CHECK(coop.submit("carol", RespiteRequest{60, coop.today() + 400, {}}).code == Code::bad_date);
  CHECK(coop.submit("carol", RespiteRequest{60, coop.today() + 30, {}}).ok());
}

TEST_CASE("a read-only ledger reads everything and refuses every entry without writing") {
  Coop coop;
  auto log = coop.submit("alice", coop.hours("bob", 90, Payer::pool));
  REQUIRE(coop.submit("bob", HoursConfirm{log.id}).ok());
  const std::uint64_t size = coop.ledger->log_size();
  const Hash32 digest = coop.ledger->state_digest().value();
  coop.ledger.reset();  // one Ledger per store at a time

  auto opened = Ledger::open_read_only(*coop.store, coop.clock);
  REQUIRE(opened.ok());
  Ledger& auditor = *opened.value();
  CHECK(auditor.node_key() == coop.node.public_key);
  CHECK(auditor.node_name() == "Test Co-op");
  CHECK(auditor.log_size() == size);
  CHECK(auditor.balance(coop.account("alice")).value().balance_minutes == 90);
  CHECK(auditor.latest_head().value().head.size == size);
  CHECK(auditor.record(size).ok());
  CHECK(auditor.state_digest().value() == digest);

  // Well-formed, correctly signed entries are refused all the same.
  SignedEntry entry = coop.make("alice", coop.hours("bob", 30, Payer::pool));
  std::vector<Bytes> batch{entry.bytes, entry.bytes, Bytes{1, 2, 3}};
  for (const auto& result : auditor.submit(batch)) {
    CHECK(result.code == Code::not_permitted);
    CHECK(result.message == "read-only ledger");
    CHECK(result.seq == 0);
  }
  CHECK(auditor.log_size() == size);
  CHECK(auditor.seq_of(entry.id).code() == Code::unknown_entry);
  CHECK(auditor.state_digest().value() == digest);
  std::string raw;
  CHECK(coop.log_rows()->get(Column::records, be64(size + 1), &raw).code() == Code::not_found);

  SUBCASE("an empty store has nothing to open") {
    auto empty = make_memory_store();
    CHECK(Ledger::open_read_only(*empty, coop.clock).code() == Code::not_found);
  }
}

TEST_CASE("a read pinned to a snapshot sees every commit before it and none after") {
  TestLedger node;
  node.add_member("alice", role_volunteer);
  node.add_member("bob", role_service_user);
  auto logged = node.submit("alice", node.hours("bob", 60, Payer::pool));
  REQUIRE(node.submit("bob", HoursConfirm{logged.id}).ok());
  const std::uint64_t size = node.ledger->log_size();

  const ReadSnapshot pin(*node.store);
  // Another thread commits while this one reads: the second hours, confirmed.
  SignedEntry more = node.make("alice", node.hours("bob", 30, Payer::pool));
  SignedEntry confirm = node.make("bob", HoursConfirm{more.id});
  std::vector<SubmitResult> committed;
  std::thread writer([&] { committed = node.ledger->submit(std::vector<Bytes>{more.bytes, confirm.bytes}); });
  writer.join();
  REQUIRE(committed.size() == 2);
  CHECK(committed[0].ok());
  CHECK(committed[1].ok());

  // Everything from before the pin ...
  auto alice = node.ledger->balance(node.account("alice"));
  REQUIRE(alice.ok());
  CHECK(alice->balance_minutes == 60);
  auto postings = node.ledger->postings(node.account("alice"));
  REQUIRE(postings.ok());
  CHECK(postings->size() == 1);
  CHECK(node.ledger->movement(logged.id).ok());
  CHECK(node.ledger->seq_of(logged.id).ok());
  // ... and nothing after: not the rows, not the log's size or head.
  CHECK(node.ledger->movement(more.id).code() == Code::unknown_entry);
  CHECK(node.ledger->seq_of(more.id).code() == Code::unknown_entry);
  CHECK(node.ledger->log_size() == size);
  CHECK(node.ledger->record(size + 1).code() == Code::not_found);
  auto head = node.ledger->latest_head();
  REQUIRE(head.ok());
  CHECK(head->head.size == size);
  CHECK(node.ledger->consistency_proof(size, size + 2).code() == Code::malformed);
  std::int64_t sum = 0;
  for (const auto& [account, balance] : node.ledger->balances().value()) sum += balance.balance_minutes;
  CHECK(sum == 0);
  // A thread that reads a snapshot does not submit: its rules would judge
  // against a past state.
  auto refused = node.ledger->submit_one(node.make("alice", node.hours("bob", 15, Payer::pool)).bytes);
  CHECK(refused.code == Code::not_permitted);
}

TEST_CASE("once the snapshot is gone, reads see the commits made while it lived") {
  TestLedger node;
  node.add_member("alice", role_volunteer);
  node.add_member("bob", role_service_user);
  const std::uint64_t size = node.ledger->log_size();
  {
    const ReadSnapshot pin(*node.store);
    SignedEntry logged = node.make("alice", node.hours("bob", 60, Payer::pool));
    std::thread writer([&] { (void)node.ledger->submit_one(logged.bytes); });
    writer.join();
    CHECK(node.ledger->log_size() == size);
  }
  CHECK(node.ledger->log_size() == size + 1);
  CHECK(node.balance("alice").pending_in_minutes == 60);
}
