#include "cohours/entry.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "cohours/crypto.h"
#include "cohours/record.h"
#include "entry_vectors.h"

using namespace cohours;

// The pinned bytes of every kind are in schemas/entry-vectors.json
// (entry_vectors_test.cpp); these tests check the layout and the strictness.
TEST_CASE("the header layout is as documented") {
  Bytes bytes = encode_unsigned(test::vector_entries()[3]);
  CHECK(bytes[0] == 1);  // cereal portable binary: little endian
  CHECK((bytes[1] | bytes[2] << 8) == kEntryFormatVersion);
  CHECK(kEntryFormatVersion == 2);
  CHECK(bytes[3] == static_cast<std::uint8_t>(EntryKind::hours_log));
  // The node the entry is for comes first, so no key can be read as another.
  CHECK(std::equal(bytes.begin() + 4, bytes.begin() + 36, test::vector_key(3).public_key.bytes.begin()));
  CHECK(std::equal(bytes.begin() + 36, bytes.begin() + 68, test::vector_key(1).public_key.bytes.begin()));
  for (int i = 68; i < 100; ++i) CHECK(bytes[i] == 0);  // no on_behalf
  std::int64_t created = 0;
  for (int i = 0; i < 8; ++i) created |= static_cast<std::int64_t>(bytes[100 + i]) << (8 * i);
  CHECK(created == 1'795'000'000'000);
  CHECK(bytes[108] == 7);  // nonce, little endian
  // The body starts at 116: hours.log's recipient.
  CHECK(std::equal(bytes.begin() + 116, bytes.begin() + 148, test::vector_key(2).public_key.bytes.begin()));
}

TEST_CASE("an entry is bound to its node: another node key is another entry") {
  Entry entry = test::vector_entries()[3];
  SignedEntry for_three = sign_entry(entry, test::vector_key(1).secret_key);
  entry.node = test::vector_key(4).public_key;
  SignedEntry for_four = sign_entry(entry, test::vector_key(1).secret_key);
  CHECK(for_three.id != for_four.id);
  // The signature covers the node: moved to another node's key it fails.
  Bytes moved = for_three.bytes;
  std::copy(entry.node.bytes.begin(), entry.node.bytes.end(), moved.begin() + 4);
  auto decoded = decode_entry(moved);
  REQUIRE(decoded.ok());
  CHECK_FALSE(verify_signature(decoded.value()));
}

TEST_CASE("the encoder never writes a count its items disagree with") {
  // 256 categories once encoded as a count of 0 followed by every name: the
  // node then read "1172 unexpected trailing bytes". Over a bound, encoding
  // stops instead (front ends say the bound in words first).
  Entry entry = test::vector_entries()[3];
  PolicySetting categories{PolicyTarget::categories, 0, 0, {}};
  for (std::size_t i = 0; i <= kMaxCategories; ++i) categories.categories.push_back("c" + std::to_string(i));
  entry.body = PolicySet{{categories}};
  CHECK_THROWS_AS((void)encode_unsigned(entry), std::length_error);
  std::get<PolicySet>(entry.body).settings[0].categories.pop_back();  // exactly the bound
  CHECK(decode_entry(sign_entry(entry, test::vector_key(1).secret_key).bytes).ok());
}

TEST_CASE("entry format version 1 is refused with a clear message") {
  Bytes bytes = sign_entry(test::vector_entries()[3], test::vector_key(1).secret_key).bytes;
  bytes[1] = 1;  // version 1, as entries were before they named their node
  auto decoded = decode_entry(bytes);
  CHECK(decoded.code() == Code::malformed);
  CHECK(decoded.status().message().find("entry format version 1 is not supported") != std::string::npos);
  CHECK(decoded.status().message().find("version 2 only") != std::string::npos);
}

TEST_CASE("decoding is strict") {
  SignedEntry good = sign_entry(test::vector_entries()[3], test::vector_key(1).secret_key);
  auto decode = [](Bytes b) { return decode_entry(b).code(); };
  CHECK(decode(good.bytes) == Code::ok);
  SUBCASE("truncated anywhere") {
    for (std::size_t n = 0; n < good.bytes.size(); ++n)
      CHECK(decode(Bytes(good.bytes.begin(), good.bytes.begin() + static_cast<long>(n))) == Code::malformed);
  }
  SUBCASE("trailing bytes before the signature") {
    Entry entry = test::vector_entries()[4];
    Bytes body = encode_unsigned(entry);
    body.push_back(0);
    Signature sig = sign(body, test::vector_key(1).secret_key);
    body.insert(body.end(), sig.bytes.begin(), sig.bytes.end());
    CHECK(decode(body) == Code::malformed);
  }
  SUBCASE("big-endian marker, unknown version, unknown kind") {
    Bytes b = good.bytes;
    b[0] = 0;
    CHECK(decode(b) == Code::malformed);
    b = good.bytes;
    b[1] = 3;
    CHECK(decode(b) == Code::malformed);
    b[1] = 1;
    CHECK(decode(b) == Code::malformed);
    b = good.bytes;
    b[3] = 0;
    CHECK(decode(b) == Code::malformed);
    b[3] = 200;
    CHECK(decode(b) == Code::malformed);
    b[3] = 20;  // one past member.rekey, the last kind
    CHECK(decode(b) == Code::malformed);
  }
  SUBCASE("bad category and out-of-range enum") {
    Entry entry = test::vector_entries()[3];
    std::get<HoursLog>(entry.body).category = "Befriending";
    CHECK(decode(sign_entry(entry, test::vector_key(1).secret_key).bytes) == Code::malformed);
    Bytes b = good.bytes;
    b[4 + 96 + 16 + 32] = 9;  // payer
    CHECK(decode(b) == Code::malformed);
  }
  SUBCASE("a huge declared length is refused, not allocated") {
    Entry entry = test::vector_entries()[2];
    Bytes b = encode_unsigned(entry);
    b.resize(b.size() + 64);
    Bytes settings = b, categories = b;
    settings[116] = 255;                    // settings count, limit 16
    categories[116 + 1 + 1 + 4 + 8] = 255;  // first setting's category count, limit 64
    CHECK(decode(settings) == Code::malformed);
    CHECK(decode(categories) == Code::malformed);
  }
}

TEST_CASE("records and tree heads round trip and refuse garbage") {
  Record record{5, test::vector_hash(9), 1'795'000'000'000, {1, 2, 3}};
  Bytes bytes = encode_record(record);
  auto decoded = decode_record(bytes);
  REQUIRE(decoded.ok());
  CHECK(decoded->seq == 5);
  CHECK(decoded->prev_hash == record.prev_hash);
  CHECK(decoded->entry == record.entry);
  bytes.push_back(0);
  CHECK(decode_record(bytes).code() == Code::malformed);
  CHECK(decode_record(Bytes{1, 2}).code() == Code::malformed);

  TreeHead head{test::vector_key(3).public_key, 10, test::vector_hash(7), 1'795'000'000'000};
  SignedTreeHead signed_head = sign_tree_head(head, test::vector_key(3).secret_key);
  CHECK(verify_tree_head(signed_head, signed_head.head.log));
  auto round = decode_signed_tree_head(encode_signed_tree_head(signed_head));
  REQUIRE(round.ok());
  CHECK(verify_tree_head(round.value(), round->head.log));
  // A head signature is not valid as an entry signature over the same bytes.
  CHECK_FALSE(verify(signed_head.signature, encode_tree_head(head), head.log));
  signed_head.head.size = 11;
  CHECK_FALSE(verify_tree_head(signed_head, signed_head.head.log));
}
