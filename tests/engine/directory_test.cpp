#include "cohours/directory.h"

#include <doctest/doctest.h>

#include <filesystem>

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

namespace {

// Every key of the directory column, as stored.
std::vector<std::string> directory_keys(const Store& store) {
  std::vector<std::string> keys;
  for (auto cursor = store.scan(Column::directory, "", "\xff"); cursor->valid(); cursor->next())
    keys.emplace_back(cursor->key());
  return keys;
}

// Whether any file in `dir` whose name starts with `prefix` holds `text`.
bool files_hold(const std::filesystem::path& dir, const std::string& prefix, const std::string& text) {
  for (const auto& file : std::filesystem::directory_iterator(dir))
    if (file.path().filename().string().rfind(prefix, 0) == 0 &&
        test::read_file(file.path()).find(text) != std::string::npos)
      return true;
  return false;
}

// A key's 32 bytes as a row key or value holds them.
std::string raw(const PublicKey& key) {
  return std::string(reinterpret_cast<const char*>(key.data()), PublicKey::size());
}

}  // namespace

// RocksDB's MANIFEST keeps the first and last key of each table file until
// the store is reopened: an alias in a key outlived `member forget` there.
TEST_CASE("no directory key holds an alias, so none reaches RocksDB's MANIFEST") {
  auto store = make_memory_store();
  Directory directory(*store);
  PublicKey alice = test::seeded_key(1).public_key;
  REQUIRE(directory.add({alice, "alice", ""}).ok());
  REQUIRE(directory.replace({alice, "alice.smith", "07700 900123"}).ok());
  CHECK(directory.key_for("alice.smith").value() == alice);
  CHECK(directory.key_for("alice").code() == Code::unknown_member);
  for (const std::string& key : directory_keys(*store)) CHECK(key.find("alice") == std::string::npos);

  // On RocksDB: the table files' bounds, as the MANIFEST records them after
  // a compaction, never name a member.
  test::TempDir dir;
  const std::string path = dir.path + "/store";
  {
    auto rocks = open_rocks_store(path, OpenMode::create_if_missing);
    REQUIRE(rocks.ok());
    Directory on_disk(*rocks.value());
    REQUIRE(on_disk.add({alice, "zebedee-quist", ""}).ok());
    REQUIRE(rocks.value()->compact(Column::directory).ok());
    CHECK_FALSE(files_hold(path, "MANIFEST", "zebedee-quist"));
    REQUIRE(on_disk.remove(alice).ok());
    REQUIRE(rocks.value()->compact(Column::directory).ok());
    CHECK_FALSE(files_hold(path, "MANIFEST", "zebedee-quist"));
    CHECK_FALSE(files_hold(path, "", "zebedee-quist"));  // nor any table file or log
  }
}

// Stores written before kept an "alias:" index; nothing reads it, and the
// next change of the directory erases all of it.
TEST_CASE("the old alias index is ignored and erased") {
  auto store = make_memory_store();
  Directory directory(*store);
  PublicKey alice = test::seeded_key(1).public_key, bob = test::seeded_key(2).public_key;
  REQUIRE(directory.add({alice, "alice", ""}).ok());
  REQUIRE(directory.add({bob, "bob", ""}).ok());
  WriteBatch old_rows;
  old_rows.put(Column::directory, "alias:alice", raw(alice));
  old_rows.put(Column::directory, "alias:bob", raw(bob));
  old_rows.put(Column::directory, "alias:carol", raw(bob));  // a stale row: not a member
  REQUIRE(store->write(old_rows, Durability::synced).ok());
  CHECK(directory.key_for("carol").code() == Code::unknown_member);
  REQUIRE(directory.remove(alice).ok());
  for (const std::string& key : directory_keys(*store)) CHECK(key.rfind("alias:", 0) != 0);
  CHECK(directory.key_for("bob").value() == bob);
  CHECK(directory.list().value().size() == 1);
}

// A member row that does not decode is reported, not skipped: a lookup that
// skipped it could hand its alias to someone else.
TEST_CASE("a damaged member row stops alias lookups with corruption") {
  auto store = make_memory_store();
  Directory directory(*store);
  PublicKey alice = test::seeded_key(1).public_key, bob = test::seeded_key(2).public_key;
  REQUIRE(directory.add({alice, "alice", ""}).ok());
  WriteBatch damage;
  damage.put(Column::directory, "member:" + raw(alice), "\x01");
  REQUIRE(store->write(damage, Durability::synced).ok());
  CHECK(directory.key_for("alice").code() == Code::corruption);
  CHECK(directory.add({bob, "alice", ""}).code() == Code::corruption);
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
