#include "cohours/directory.h"

#include <doctest/doctest.h>

#include "cohours/crypto.h"
#include "test_support.h"

using namespace cohours;

TEST_CASE("aliases are short, lower-case and start with a letter or digit") {
  for (const char* good : {"alice", "bob2", "mary-jane", "o.brien", "a", "x_1"})
    CHECK_MESSAGE(valid_alias(good), good);
  for (const char* bad : {"", "Alice", "-bob", ".x", "has space", "tab\t", "new\nline", "ünï",
                          "a23456789012345678901234567890123"})
    CHECK_MESSAGE(!valid_alias(bad), bad);
}

TEST_CASE("the directory binds one alias to one key and forgets both") {
  auto store = make_memory_store();
  Directory directory(*store);
  PublicKey alice = test::seeded_key(1).public_key, bob = test::seeded_key(2).public_key;
  REQUIRE(directory.add({alice, "alice", "07700 900123"}).ok());
  CHECK(directory.add({bob, "alice", ""}).code() == Code::already_exists);
  CHECK(directory.add({alice, "alice2", ""}).code() == Code::already_exists);
  CHECK(directory.add({bob, "Bob", ""}).code() == Code::malformed);
  CHECK(directory.add({bob, "bob", std::string(256, 'x')}).code() == Code::malformed);
  // Words front ends read as accounts, and the forms of names reports make
  // up, are never aliases, whichever front end asks.
  for (const char* reserved :
       {"pool", "community", "node", "member-a8fa46e1", "clearing-riverside", "node-1f2e3d4c"}) {
    CHECK(directory.add({bob, reserved, ""}).code() == Code::malformed);
    CHECK(directory.replace({alice, reserved, ""}).code() == Code::malformed);
  }
  CHECK(directory.key_for("pool").code() == Code::unknown_member);
  CHECK(directory.key_for("alice").value() == alice);
  CHECK(directory.find(alice)->contact == "07700 900123");
  CHECK(display_name(directory, alice) == "alice");
  CHECK(display_name(directory, bob) == "member-" + to_hex(bob).substr(0, 8));
  REQUIRE(directory.add({bob, "members", ""}).ok());  // only the made-up form is reserved
  REQUIRE(directory.remove(bob).ok());
  REQUIRE(directory.remove(alice).ok());
  CHECK(directory.key_for("alice").code() == Code::unknown_member);
  CHECK_FALSE(directory.find(alice).has_value());
  CHECK(directory.list().value().empty());
}

TEST_CASE("private notes are stored under a fresh salt and can be erased") {
  auto store = make_memory_store();
  Directory directory(*store);
  Hash32 first = directory.put_note("thank you").value();
  Hash32 second = directory.put_note("thank you").value();
  CHECK(first != second);  // same words, unlinkable digests
  CHECK(first != blake2b_256(std::string_view("thank you")));
  CHECK(directory.note(first) == "thank you");
  REQUIRE(directory.erase_note(first).ok());
  CHECK_FALSE(directory.note(first).has_value());
  CHECK(directory.note(second) == "thank you");
  CHECK(directory.put_note(std::string(5000, 'x')).code() == Code::malformed);
}

TEST_CASE("a note under a salt the client chose: digest known before the node sees the text") {
  auto store = make_memory_store();
  Directory directory(*store);
  // The phone picks the salt and computes the digest offline.
  Hash32 salt;
  salt.bytes.fill(0x5a);
  const Hash32 claimed = note_digest(salt, "bus fare, receipt lost");
  CHECK(claimed == keyed_blake2b_256(salt.bytes, "bus fare, receipt lost"));
  CHECK(claimed != note_digest(salt, "bus fare, receipt lost!"));
  Hash32 other_salt = salt;
  other_salt.bytes[31] ^= 1;
  CHECK(claimed != note_digest(other_salt, "bus fare, receipt lost"));
  // The node stores the text under that salt and gets the same digest.
  auto stored = directory.put_note("bus fare, receipt lost", salt);
  REQUIRE(stored.ok());
  CHECK(stored.value() == claimed);
  CHECK(directory.note(claimed) == "bus fare, receipt lost");
  // A retry of the same salt and text is idempotent.
  auto again = directory.put_note("bus fare, receipt lost", salt);
  REQUIRE(again.ok());
  CHECK(again.value() == claimed);
  CHECK(directory.note(claimed) == "bus fare, receipt lost");
  std::size_t rows = 0;
  for (auto cursor = store->scan(Column::notes, "", ""); cursor->valid(); cursor->next()) ++rows;
  CHECK(rows == 1);
  // A notes row holds the salt, then the text (docs/data-format.md).
  std::string raw;
  REQUIRE(store->get(Column::notes, std::string(claimed.bytes.begin(), claimed.bytes.end()), &raw).ok());
  CHECK(raw == std::string(salt.bytes.begin(), salt.bytes.end()) + "bus fare, receipt lost");
  // Erasure works as for node-made salts.
  REQUIRE(directory.erase_note(claimed).ok());
  CHECK_FALSE(directory.note(claimed).has_value());
  // A zero salt would make the digest guessable: refused, nothing stored.
  auto zero = directory.put_note("thank you", Hash32{});
  CHECK(zero.code() == Code::malformed);
  CHECK_FALSE(store->scan(Column::notes, "", "")->valid());
  CHECK(directory.put_note(std::string(5000, 'x'), salt).code() == Code::malformed);
  // A node-made salt gives a digest anyone can check the same way, given the salt.
  Hash32 random_digest = directory.put_note("thank you").value();
  REQUIRE(store->get(Column::notes, std::string(random_digest.bytes.begin(), random_digest.bytes.end()), &raw)
              .ok());
  Hash32 random_salt;
  std::copy(raw.begin(), raw.begin() + 32, random_salt.bytes.begin());
  CHECK(note_digest(random_salt, "thank you") == random_digest);
}
