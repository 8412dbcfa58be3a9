// A passphrase on a node's key files (app/key_protection.h, key_unlocker.h,
// passphrase.h): protect and unprotect rewrite node.key and the keyring
// whole, the node opens only with the passphrase, refusals change nothing
// and never show the passphrase. Cheap Argon2id limits keep it fast (the
// files name their own limits; tests/engine/key_file_test.cpp runs the
// production ones).
#include "cohours/app/key_protection.h"

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>

#include "app_support.h"
#include "cohours/app/keyring.h"
#include "cohours/app/names.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::read_file;
using cohours::test::mode_of;
namespace fs = std::filesystem;

namespace {

constexpr KdfLimits kCheap{1, 64 * 1024};
const std::string kPhrase = "correct horse battery staple";
const std::string kOther = "tr0ub4dor and three";

void write(const fs::path& path, const std::string& text, fs::perms perms = fs::perms::owner_read |
                                                                             fs::perms::owner_write) {
  std::ofstream(path, std::ios::trunc) << text;
  fs::permissions(path, perms, fs::perm_options::replace);
}

GuardedBytes guarded(const std::string& text) {
  GuardedBytes bytes(text.size());
  bytes.resize(text.size());
  std::copy(text.begin(), text.end(), bytes.data());
  return bytes;
}

// Every file under the data directory's keys, by path, with its bytes.
std::map<fs::path, std::string> key_files(const fs::path& dir) {
  std::map<fs::path, std::string> files{{dir / "node.key", read_file(dir / "node.key")}};
  for (const auto& entry : fs::directory_iterator(dir / "keyring")) files[entry.path()] = read_file(entry.path());
  return files;
}

struct Protected {
  test::TestNode t;
  fs::path phrase_file = t.tmp.path / "phrase";
  PublicKey node_key = t.node->identity().public_key;
  PublicKey alice;

  Protected() {
    alice = app::member_key(*t, "alice").value();
    t.node.reset();  // the store closes, as when the daemon stops
    write(phrase_file, kPhrase + "\n");
    auto done = app::protect_keys(t.dir, {}, guarded(kPhrase), kCheap);
    REQUIRE_MESSAGE(done.ok(), done.status().message());
    CHECK(done->files == 5);  // node.key and four members' keys
  }
  app::PassphraseSource from_file() const { return {phrase_file, {}}; }
};

}  // namespace

TEST_CASE("protected keys are all encrypted, 0600, and the node opens only with the passphrase") {
  Protected p;
  auto state = app::key_files_state(p.t.dir);
  REQUIRE(state.ok());
  CHECK(state->node_key == p.node_key);
  CHECK(state->node_key_encrypted == kCheap);
  CHECK(state->keyring_encrypted == 4);
  CHECK(state->keyring_plain == 0);
  // Loops over pairs, not structured bindings: clang 14 cannot capture
  // those in doctest's message lambdas.
  for (const auto& file : key_files(p.t.dir)) {
    const fs::path& path = file.first;
    const std::string& text = file.second;
    CHECK_MESSAGE(text.rfind("cohours-encrypted-key 1\n", 0) == 0, path);
    CHECK_MESSAGE(mode_of(path) == 0600, path);
    CHECK(path.extension() == ".key");  // no temporary file left behind
  }

  auto refused = app::Node::open(p.t.dir, p.t.clock);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message().find("COHOURS_PASSPHRASE_FILE") != std::string::npos);

  auto opened = app::Node::open(p.t.dir, p.t.clock, p.from_file());
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  app::Node& node = *opened.value();
  CHECK(node.identity().public_key == p.node_key);
  // A member's key in the keyring signs without asking again, and a new
  // member's key is written encrypted like the others.
  auto alice = node.keyring().secret(p.alice);
  REQUIRE_MESSAGE(alice.ok(), alice.status().message());
  CHECK(public_key_of(alice.value()) == p.alice);
  auto added = node.keyring().generate();
  REQUIRE(added.ok());
  CHECK(read_file(node.keyring().path_of(added.value())).rfind("cohours-encrypted-key 1\n", 0) == 0);
  CHECK(mode_of(node.keyring().path_of(added.value())) == 0600);
}

TEST_CASE("one passphrase asked once opens node.key and every keyring key") {
  Protected p;
  int asked = 0;
  app::PassphraseSource source{{}, [&](const std::string& prompt) -> std::optional<GuardedBytes> {
                                 ++asked;
                                 CHECK(prompt.find("node.key") != std::string::npos);
                                 return guarded(kPhrase);
                               }};
  auto opened = app::Node::open(p.t.dir, p.t.clock, source);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  for (const char* alias : {"alice", "bob", "carol", "dave"}) {
    auto key = app::member_key(*opened.value(), alias);
    REQUIRE(key.ok());
    CHECK(opened.value()->keyring().secret(key.value()).ok());
  }
  CHECK(asked == 1);
}

TEST_CASE("a wrong passphrase is refused with a clear message that does not hold it, and changes nothing") {
  Protected p;
  const auto before = key_files(p.t.dir);
  write(p.phrase_file, kOther);
  auto refused = app::Node::open(p.t.dir, p.t.clock, p.from_file());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message().find("wrong passphrase or damaged key file") != std::string::npos);
  CHECK(refused.status().message().find(kOther) == std::string::npos);

  auto unprotect = app::unprotect_keys(p.t.dir, p.from_file());
  CHECK(unprotect.code() == Code::not_permitted);
  CHECK(unprotect.status().message().find(kOther) == std::string::npos);
  auto change = app::protect_keys(p.t.dir, p.from_file(), guarded("a brand new passphrase"), kCheap);
  CHECK(change.code() == Code::not_permitted);
  CHECK(key_files(p.t.dir) == before);
}

TEST_CASE("a changed byte in one keyring key is refused when that key is used, and protect refuses it whole") {
  Protected p;
  const fs::path alice_file = p.t.dir / "keyring" / (to_hex(p.alice) + ".key");
  std::string text = read_file(alice_file);
  const std::size_t at = text.find("sealed-seed ") + 20;
  text[at] = text[at] == '0' ? '1' : '0';
  write(alice_file, text);
  const auto before = key_files(p.t.dir);

  auto opened = app::Node::open(p.t.dir, p.t.clock, p.from_file());
  REQUIRE(opened.ok());  // node.key is whole
  auto alice = opened.value()->keyring().secret(p.alice);
  CHECK(alice.code() == Code::not_permitted);
  CHECK(alice.status().message().find("wrong passphrase or damaged key file") != std::string::npos);
  opened.value().reset();

  CHECK(app::unprotect_keys(p.t.dir, p.from_file()).code() == Code::not_permitted);
  CHECK(key_files(p.t.dir) == before);  // not even the whole files were rewritten
}

TEST_CASE("unprotect writes plain keys back; protect again changes the passphrase") {
  Protected p;
  write(p.t.tmp.path / "other", kOther);
  auto changed = app::protect_keys(p.t.dir, p.from_file(), guarded(kOther), kCheap);
  REQUIRE_MESSAGE(changed.ok(), changed.status().message());
  CHECK(app::Node::open(p.t.dir, p.t.clock, p.from_file()).code() == Code::not_permitted);
  const app::PassphraseSource other{p.t.tmp.path / "other", {}};
  REQUIRE(app::Node::open(p.t.dir, p.t.clock, other).ok());

  auto plain = app::unprotect_keys(p.t.dir, other);
  REQUIRE_MESSAGE(plain.ok(), plain.status().message());
  CHECK(plain->files == 5);
  for (const auto& file : key_files(p.t.dir)) {
    const fs::path& path = file.first;
    const std::string& text = file.second;
    CHECK_MESSAGE(text.size() == 129, path);  // 128 hex digits and a newline
    CHECK(mode_of(path) == 0600);
  }
  auto opened = app::Node::open(p.t.dir, p.t.clock);
  REQUIRE(opened.ok());
  CHECK(opened.value()->identity().public_key == p.node_key);
  opened.value().reset();
  auto again = app::unprotect_keys(p.t.dir, {});
  REQUIRE(again.ok());
  CHECK(again->files == 0);
}

TEST_CASE("a change of passphrase cut short is finished by running it again") {
  Protected p;
  // As if a protect with kOther died after rewriting alice's key only.
  const fs::path alice_file = p.t.dir / "keyring" / (to_hex(p.alice) + ".key");
  {
    app::KeyUnlocker unlocker(p.from_file());
    auto alice = app::read_secret_key(alice_file, &unlocker);
    REQUIRE(alice.ok());
    auto other = new_key_file_key(guarded(kOther).view(), kCheap);
    REQUIRE(other.ok());
    REQUIRE(app::write_secret_key(alice_file, alice.value(), &other.value()).ok());
  }
  auto finished = app::protect_keys(p.t.dir, p.from_file(), guarded(kOther), kCheap);
  REQUIRE_MESSAGE(finished.ok(), finished.status().message());
  const app::PassphraseSource other{p.t.tmp.path / "other", {}};
  write(other.file, kOther);
  auto opened = app::Node::open(p.t.dir, p.t.clock, other);
  REQUIRE(opened.ok());
  CHECK(opened.value()->keyring().secret(p.alice).ok());
}

TEST_CASE("keys are not rewritten while the node is open") {
  test::TestNode t(false);
  const auto before = key_files(t.dir);
  auto refused = app::protect_keys(t.dir, {}, guarded(kPhrase), kCheap);
  CHECK(refused.code() == Code::wrong_state);
  CHECK(refused.status().message().find("stop cohoursd") != std::string::npos);
  CHECK(key_files(t.dir) == before);
}

TEST_CASE("passphrase files: one newline dropped; empty, shared with others, or short new ones refused") {
  test::TempDir tmp;
  const fs::path file = tmp.path / "phrase";
  write(file, kPhrase + "\r\n");
  auto read = app::read_passphrase_file(file);
  REQUIRE(read.ok());
  CHECK(std::string(read->data(), read->data() + read->size()) == kPhrase);

  write(file, kPhrase, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto open_to_all = app::read_passphrase_file(file);
  CHECK(open_to_all.code() == Code::not_permitted);
  CHECK(open_to_all.status().message().find("chmod 600") != std::string::npos);
  CHECK(open_to_all.status().message().find(kPhrase) == std::string::npos);

  write(file, "\n");
  CHECK(app::read_passphrase_file(file).code() == Code::malformed);
  write(file, std::string(2000, 'x'));
  CHECK(app::read_passphrase_file(file).code() == Code::malformed);
  CHECK(app::read_passphrase_file(tmp.path / "absent").code() == Code::not_found);
  CHECK(app::read_passphrase_file(tmp.path).code() == Code::malformed);  // a directory

  test::TestNode t(false);
  t.node.reset();
  CHECK(app::protect_keys(t.dir, {}, guarded("short"), kCheap).code() == Code::malformed);
}
