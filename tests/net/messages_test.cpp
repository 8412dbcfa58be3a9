#include "cohours/net/messages.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>

#include "cohours/crypto.h"
#include "cohours/directory.h"
#include "cohours/merkle.h"
#include "cohours/net/frame.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::message_has;
using namespace cohours::net;

// The largest single allocation while tracking is on: proves that a forged
// count is refused before anything is reserved for it.
namespace {
std::atomic<bool> g_tracking{false};
std::atomic<std::size_t> g_largest_allocation{0};
}  // namespace

// These replace the global pair, so malloc and free do match; g++ cannot see
// that once it inlines them. A sanitizer's runtime replaces them itself (and
// its allocator refuses a huge allocation on its own): there the largest
// allocation is not measured and reads as 0.
#ifndef COHOURS_SANITIZED
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (g_tracking.load(std::memory_order_relaxed) &&
      size > g_largest_allocation.load(std::memory_order_relaxed))
    g_largest_allocation.store(size, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop
#endif

namespace {

const KeyPair& node() {
  static const KeyPair pair = generate_keypair();
  return pair;
}

// Nodes of a test consortium: node() and these.
const KeyPair& other(std::size_t i) {
  static const std::vector<KeyPair> pairs = [] {
    std::vector<KeyPair> out;
    for (int n = 0; n < 8; ++n) out.push_back(generate_keypair());
    return out;
  }();
  return pairs.at(i);
}

// Decoding for a consortium of eight nodes, unless a test says otherwise.
constexpr MessageLimits kLimits{8};

Result<Message> decode(std::span<const std::uint8_t> bytes) {
  return decode_message(bytes, kLimits);
}

PublicKey key(std::uint8_t fill) {
  PublicKey out;
  out.bytes.fill(fill);
  return out;
}

SignedTreeHead head(std::uint64_t size, std::uint8_t root_fill) {
  TreeHead h;
  h.log = node().public_key;
  h.size = size;
  h.root.bytes.fill(root_fill);
  h.time_ms = 1'700'000'000'000 + static_cast<std::int64_t>(size);
  return sign_tree_head(h, node().secret_key);
}

SignedTreeHead head_of(const KeyPair& owner, std::uint64_t size) {
  TreeHead h{owner.public_key, size, {}, 1'700'000'000'000};
  h.root.bytes.fill(static_cast<std::uint8_t>(size));
  return sign_tree_head(h, owner.secret_key);
}

std::vector<Message> samples() {
  KeyPair witness = generate_keypair();
  Hash32 proof_a, proof_b;
  proof_a.bytes.fill(0x11);
  proof_b.bytes.fill(0x22);
  return {
      Heads{{head(3, 1), head_of(other(0), 9)}},
      Heads{},
      GetRecords{node().public_key, 0, std::nullopt, 500},
      GetRecords{node().public_key, 3, head(3, 1), 1000},
      Records{node().public_key, 3, head(5, 4), {proof_a, proof_b}, {Bytes{1, 2, 3}, Bytes(300, 7)}},
      Records{node().public_key, 0, head(0, 0), {}, {}},
      Evidence{head(4, 1), head(4, 2)},
      Cosignatures{{cosign_tree_head(head(6, 3).head, witness.public_key, witness.secret_key)}},
      Goodbye{GoodbyeReason::banned, "forged record 17 from you"},
      Goodbye{GoodbyeReason::shutdown, ""},
      AliasQuery{42, "ana.b"},
      AliasAnswer{42, true, key(9)},
      AliasAnswer{43, false, PublicKey{}},
      GetHead{key(5), 77},
      MemberAliasQuery{44, key(6)},
      MemberAliasAnswer{44, true, "alice"},
      MemberAliasAnswer{45, false, ""},
  };
}

Bytes with_byte(Bytes bytes, std::size_t index, std::uint8_t value) {
  bytes[index] = value;
  return bytes;
}

}  // namespace

TEST_CASE("messages: every sample round-trips to the same bytes and type") {
  for (const Message& message : samples()) {
    Bytes encoded = encode_message(message);
    CAPTURE(message_type_name(message_type(message)));
    CHECK(encoded[0] == static_cast<std::uint8_t>(message.index() + 1));
    auto decoded = decode(encoded);
    REQUIRE(decoded.ok());
    CHECK(decoded->index() == message.index());
    CHECK(encode_message(decoded.value()) == encoded);
  }
}

TEST_CASE("messages: decoded fields are the encoded ones") {
  auto records = decode(encode_message(samples()[4]));
  REQUIRE(records.ok());
  const auto& r = std::get<Records>(records.value());
  CHECK(r.log == node().public_key);
  CHECK(r.from_size == 3);
  CHECK(r.head.head.size == 5);
  CHECK(verify_tree_head(r.head, r.head.head.log));
  CHECK(r.consistency_proof.size() == 2);
  CHECK(r.records == std::vector<Bytes>{Bytes{1, 2, 3}, Bytes(300, 7)});

  auto get = decode(encode_message(samples()[3]));
  REQUIRE(get.ok());
  const auto& g = std::get<GetRecords>(get.value());
  REQUIRE(g.have);
  CHECK(g.have->head.size == 3);
  CHECK(g.max_records == 1000);

  auto cosignatures = decode(encode_message(samples()[7]));
  REQUIRE(cosignatures.ok());
  CHECK(verify_cosignature(std::get<Cosignatures>(cosignatures.value()).cosignatures.at(0), std::get<Cosignatures>(cosignatures.value()).cosignatures.at(0).witness));

  auto answer = decode(encode_message(AliasAnswer{7, true, key(3)}));
  REQUIRE(answer.ok());
  CHECK(std::get<AliasAnswer>(answer.value()).key == key(3));
}

TEST_CASE("messages: fixed layouts are little-endian") {
  Bytes get_head = encode_message(GetHead{key(0xab), 0x0102030405060708});
  REQUIRE(get_head.size() == 1 + 32 + 8);
  CHECK(get_head[0] == 9);
  CHECK(Bytes(get_head.end() - 8, get_head.end()) == Bytes{8, 7, 6, 5, 4, 3, 2, 1});

  Bytes query = encode_message(AliasQuery{1, "ab"});
  CHECK(query == Bytes{7, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 'a', 'b'});
}

TEST_CASE("messages: every truncation fails cleanly") {
  for (const Message& message : samples()) {
    Bytes encoded = encode_message(message);
    CAPTURE(message_type_name(message_type(message)));
    for (std::size_t size = 0; size < encoded.size(); ++size) {
      CAPTURE(size);
      auto decoded = decode(std::span(encoded).first(size));
      CHECK(decoded.code() == Code::malformed);
    }
  }
}

TEST_CASE("messages: a trailing byte fails") {
  for (const Message& message : samples()) {
    Bytes encoded = encode_message(message);
    encoded.push_back(0);
    auto decoded = decode(encoded);
    CHECK(decoded.code() == Code::malformed);
    CHECK(message_has(decoded.status(), "after the end"));
  }
}

TEST_CASE("messages: unknown types fail") {
  for (std::uint8_t type : {0, 12, 200, 255}) {
    auto decoded = decode(Bytes{type, 0, 0, 0, 0});
    CHECK(decoded.code() == Code::malformed);
    CHECK(message_has(decoded.status(), "unknown message type " + std::to_string(type)));
  }
}

TEST_CASE("messages: a forged huge count fails without allocating for it") {
  // Caps far above the counts, so these reach the check against the bytes left.
  constexpr MessageLimits roomy{1'000'000};
  auto check_forged = [&](Bytes forged) {
    g_largest_allocation = 0;
    g_tracking = true;
    auto decoded = decode_message(forged, roomy);
    g_tracking = false;
    CHECK(decoded.code() == Code::malformed);
    CHECK(message_has(decoded.status(), "count"));
    CHECK(message_has(decoded.status(), "exceeds what the remaining"));
    CHECK(g_largest_allocation.load() < 4096);
  };
  // Heads: count 100000, then one head's worth of bytes.
  Bytes heads = encode_message(Heads{{head(1, 1)}});
  heads[1] = 0xa0, heads[2] = 0x86, heads[3] = 0x01, heads[4] = 0x00;
  check_forged(heads);
  // Cosignatures: count 100000 with none following.
  check_forged(Bytes{5, 0xa0, 0x86, 0x01, 0x00});
  // Records: forge the proof count (within its cap), then the record count.
  Records sample{node().public_key, 0, head(1, 1), {}, {Bytes{1}}};
  Bytes records = encode_message(sample);
  std::size_t proof_count_at = 1 + 32 + 8 + 4 + encode_signed_tree_head(sample.head).size();
  Bytes proof = records;
  proof[proof_count_at] = static_cast<std::uint8_t>(kMaxProofHashes);
  check_forged(proof);
  Bytes count = records;
  count[proof_count_at + 4] = 0x00, count[proof_count_at + 5] = 0x10;  // 4096 records
  check_forged(count);
}

TEST_CASE("messages: out-of-range values fail") {
  SUBCASE("a bool that is neither 0 nor 1") {
    Bytes answer = encode_message(AliasAnswer{1, true, key(1)});
    CHECK(decode(with_byte(answer, 9, 2)).code() == Code::malformed);
  }
  SUBCASE("a key in a not-found answer") {
    Bytes answer = encode_message(AliasAnswer{1, true, key(1)});
    auto decoded = decode(with_byte(answer, 9, 0));
    CHECK(decoded.code() == Code::malformed);
  }
  SUBCASE("an unknown goodbye reason") {
    Bytes goodbye = encode_message(Goodbye{GoodbyeReason::refused, "full"});
    CHECK(decode(with_byte(goodbye, 1, 0)).code() == Code::malformed);
    CHECK(decode(with_byte(goodbye, 1, 5)).code() == Code::malformed);
    CHECK(decode(with_byte(goodbye, 1, 4)).ok());
  }
  SUBCASE("a head present or missing against from_size") {
    Bytes without = encode_message(GetRecords{node().public_key, 0, std::nullopt, 5});
    std::size_t from_size_at = 1 + 32;
    auto missing = decode(with_byte(without, from_size_at, 1));
    CHECK(missing.code() == Code::malformed);
    CHECK(message_has(missing.status(), "no signed head"));
    Bytes with = encode_message(GetRecords{node().public_key, 1, head(1, 1), 5});
    CHECK(decode(with_byte(with, from_size_at, 0)).code() == Code::malformed);
  }
  SUBCASE("an empty record") {
    Bytes records = encode_message(Records{node().public_key, 0, head(1, 1), {}, {Bytes{}}});
    CHECK(decode(records).code() == Code::malformed);
  }
  SUBCASE("a head the engine cannot decode") {
    Bytes evidence = encode_message(Evidence{head(1, 1), head(1, 2)});
    Bytes shortened = evidence;
    shortened[1] -= 1;  // first head's length one short: its last byte becomes the next length's
    CHECK(decode(shortened).code() == Code::malformed);
  }
}

TEST_CASE("messages: string limits") {
  std::string long_text(1500, 'x');
  Bytes goodbye = encode_message(Goodbye{GoodbyeReason::protocol_error, long_text});
  auto decoded = decode(goodbye);
  REQUIRE(decoded.ok());
  CHECK(std::get<Goodbye>(decoded.value()).message == std::string(1000, 'x'));

  // A forged length over the limit is refused even when the bytes are there.
  Bytes forged = {6, 1, 0xe9, 0x03};  // length 1001
  forged.resize(forged.size() + 1001, 'y');
  CHECK(decode(forged).code() == Code::malformed);

  Bytes alias = encode_message(AliasQuery{1, std::string(200, 'a')});
  CHECK(decode(alias).ok());
  Bytes too_long = {7, 1, 0, 0, 0, 0, 0, 0, 0, 201, 0};
  too_long.resize(too_long.size() + 201, 'a');
  CHECK(decode(too_long).code() == Code::malformed);
}

namespace {

// Decodes with a consortium of `nodes` nodes.
Result<Message> decode_for(std::size_t nodes, const Message& message) {
  return decode_message(encode_message(message), MessageLimits{nodes});
}

Cosignature cosignature(const KeyPair& owner, std::uint64_t size, const KeyPair& witness) {
  return cosign_tree_head(head_of(owner, size).head, witness.public_key, witness.secret_key);
}

}  // namespace

TEST_CASE("messages: Heads holds at most one head per consortium node, each of another log") {
  const std::vector<SignedTreeHead> three{head_of(node(), 1), head_of(other(0), 2), head_of(other(1), 3)};
  auto at_cap = decode_for(3, Heads{three});
  REQUIRE(at_cap.ok());
  CHECK(std::get<Heads>(at_cap.value()).heads.size() == 3);
  CHECK(decode_for(3, Heads{}).ok());

  std::vector<SignedTreeHead> four = three;
  four.push_back(head_of(other(2), 4));
  auto over = decode_for(3, Heads{four});
  CHECK(over.code() == Code::malformed);
  CHECK(message_has(over.status(), "heads count 4 is over the cap of 3"));
  CHECK(decode_for(4, Heads{four}).ok());

  // Two heads of one log, even of different sizes, are malformed.
  auto twice = decode_for(3, Heads{{head_of(other(0), 2), head_of(node(), 1), head_of(other(0), 5)}});
  CHECK(twice.code() == Code::malformed);
  CHECK(message_has(twice.status(), "two heads of one log"));
}

TEST_CASE("messages: Cosignatures holds at most one per consortium node, one per witness and log") {
  // Three witnesses of one log, or one witness of three logs: both at the cap of 3.
  const Cosignatures of_one_log{
      {cosignature(node(), 4, other(0)), cosignature(node(), 4, other(1)), cosignature(node(), 5, other(2))}};
  const Cosignatures by_one_witness{{cosignature(node(), 4, other(0)), cosignature(other(1), 2, other(0)),
                                     cosignature(other(2), 9, other(0))}};
  CHECK(decode_for(3, of_one_log).ok());
  CHECK(decode_for(3, by_one_witness).ok());

  Cosignatures four = of_one_log;
  four.cosignatures.push_back(cosignature(node(), 4, other(3)));
  auto over = decode_for(3, four);
  CHECK(over.code() == Code::malformed);
  CHECK(message_has(over.status(), "cosignatures count 4 is over the cap of 3"));

  auto twice =
      decode_for(3, Cosignatures{{cosignature(node(), 4, other(0)), cosignature(node(), 6, other(0))}});
  CHECK(twice.code() == Code::malformed);
  CHECK(message_has(twice.status(), "two cosignatures of one witness for one log"));
}

TEST_CASE("messages: a consistency proof holds at most 65 hashes, the most a u64 tree size needs") {
  // The engine's own proof, over a stand-in for the stored tree: from size
  // 2^63 - 1 to 2^63 + 1 it is 64 siblings plus the shared subtree.
  Hash32 any;
  any.bytes.fill(0x5c);
  const merkle::NodeReader reader = [&](merkle::NodeId) -> std::optional<Hash32> { return any; };
  const std::uint64_t half = std::uint64_t{1} << 63;
  auto longest = merkle::consistency_proof(merkle::blake2b_hasher(), reader, half - 1, half + 1);
  REQUIRE(longest.ok());
  CHECK(longest->size() == kMaxProofHashes);
  for (std::uint64_t old_size : {std::uint64_t{1}, half - 1, half, half + 1, ~std::uint64_t{0} - 2}) {
    auto proof = merkle::consistency_proof(merkle::blake2b_hasher(), reader, old_size, ~std::uint64_t{0});
    REQUIRE(proof.ok());
    CHECK(proof->size() <= kMaxProofHashes);
  }

  Records records{node().public_key, 3, head(5, 4), std::vector<Hash32>(kMaxProofHashes, any), {Bytes{1}}};
  CHECK(decode(encode_message(records)).ok());
  records.consistency_proof.push_back(any);
  auto over = decode(encode_message(records));
  CHECK(over.code() == Code::malformed);
  CHECK(message_has(over.status(), "consistency proof count 66 is over the cap of 65"));
}

TEST_CASE("messages: a Records batch holds at most kMaxBatchRecords records") {
  CHECK(kMaxBatchRecords == kMaxRecordsBetweenHeads);
  Records records{node().public_key, 0, head(kMaxBatchRecords, 4), {}, {}};
  records.records.assign(kMaxBatchRecords, Bytes{1});
  auto at_cap = decode(encode_message(records));
  REQUIRE(at_cap.ok());
  CHECK(std::get<Records>(at_cap.value()).records.size() == kMaxBatchRecords);
  records.records.push_back(Bytes{1});
  auto over = decode(encode_message(records));
  CHECK(over.code() == Code::malformed);
  CHECK(message_has(over.status(), "records count 4097 is over the cap of 4096"));
}

TEST_CASE("messages: a flood of one head is refused at its count, before any head is read") {
  // The known attack: one Heads message with 55,000 copies of one head (it
  // fits in one 8 MiB message) cost a node 12 s of signature checks.
  const Heads flood{std::vector<SignedTreeHead>(55'000, head_of(other(0), 7))};
  const Bytes bytes = encode_message(flood);
  REQUIRE(bytes.size() <= kMaxMessageBytes);
  g_largest_allocation = 0;
  g_tracking = true;
  const auto started = std::chrono::steady_clock::now();
  auto decoded = decode_message(bytes, MessageLimits{5});
  const auto took = std::chrono::steady_clock::now() - started;
  g_tracking = false;
  CHECK(decoded.code() == Code::malformed);
  CHECK(message_has(decoded.status(), "heads count 55000 is over the cap of 5"));
  CHECK(g_largest_allocation.load() < 4096);  // not even the list was reserved
  // Refused at the count: nowhere near the cost of one check per head.
  CHECK(took < std::chrono::seconds(1));
  // Within the cap, copies of one head are refused too.
  auto copies = decode_message(encode_message(Heads{std::vector<SignedTreeHead>(5, head_of(other(0), 7))}),
                               MessageLimits{5});
  CHECK(copies.code() == Code::malformed);
}

TEST_CASE("messages: the reverse alias query and its answer, byte for byte") {
  Bytes query = encode_message(MemberAliasQuery{1, key(0xcd)});
  REQUIRE(query.size() == 1 + 8 + 32);
  CHECK(query[0] == 10);
  CHECK(Bytes(query.begin() + 1, query.begin() + 9) == Bytes{1, 0, 0, 0, 0, 0, 0, 0});
  CHECK(query.back() == 0xcd);

  Bytes found = encode_message(MemberAliasAnswer{1, true, "ab"});
  CHECK(found == Bytes{11, 1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 'a', 'b'});
  Bytes unknown = encode_message(MemberAliasAnswer{2, false, ""});
  CHECK(unknown == Bytes{11, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  auto decoded = decode(found);
  REQUIRE(decoded.ok());
  CHECK(std::get<MemberAliasAnswer>(decoded.value()).alias == "ab");

  // One encoding per answer: an alias in "not found", none in "found".
  auto stray = decode(with_byte(found, 9, 0));
  CHECK(stray.code() == Code::malformed);
  CHECK(message_has(stray.status(), "an alias in a \"not found\" answer"));
  auto empty = decode(with_byte(unknown, 9, 1));
  CHECK(empty.code() == Code::malformed);
  CHECK(message_has(empty.status(), "an empty alias"));
  // An alias longer than any alias a directory holds.
  Bytes long_alias = encode_message(MemberAliasAnswer{3, true, std::string(32, 'a')});
  CHECK(decode(long_alias).ok());
  long_alias[10] = 33;
  long_alias.push_back('a');
  CHECK(decode(long_alias).code() == Code::malformed);
}

TEST_CASE("messages: the feature probe is an AliasQuery any version decodes, for a text no alias can be") {
  Bytes probe = encode_message(AliasQuery{9, std::string(kFeatureProbe)});
  CHECK(probe[0] == 7);
  auto decoded = decode(probe);
  REQUIRE(decoded.ok());
  CHECK(std::get<AliasQuery>(decoded.value()).alias == kFeatureProbe);
  CHECK_FALSE(valid_alias(kFeatureProbe));
}
