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
  CHECK(directory.key_for("alice").value() == alice);
  CHECK(directory.find(alice)->contact == "07700 900123");
  CHECK(display_name(directory, alice) == "alice");
  CHECK(display_name(directory, bob) == "member-" + to_hex(bob).substr(0, 8));
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
