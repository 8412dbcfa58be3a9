// cohours node rotate-key (app/node_key_rotation.h): node.key.next, the
// rotation, the rename; opening a node settles a rotation cut short; the
// consortium file is signed with the new key and the rotations.
#include "cohours/app/node_key_rotation.h"

#include "cohours/app/audit.h"
#include "cohours/app/consortium.h"
#include "cohours/app/key_protection.h"
#include "cohours/app/keyring.h"
#include "cohours/net/consortium.h"
#include "app_support.h"
#include "../test_helpers.h"

#include <fstream>

using namespace cohours;
using cohours::test::TestNode;
using cohours::test::TwoNodeFile;
namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& path) {
  return test::read_file(path);
}

// A key file written back by hand, as an operator would, mode 0600.
void put_back(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

// Reopens the test node from its directory, as the next command would.
void reopen(TestNode& t) {
  t.node.reset();
  auto opened = app::Node::open(t.dir, t.clock);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  t.node = std::move(opened).value();
}

}  // namespace

TEST_CASE("rotate-key: node.key holds the new key, the log id stays, and history still verifies") {
  TestNode t;
  const PublicKey log = t.node->ledger().node_key();
  const std::string old_text = file_text(t.dir / "node.key");
  auto done = app::rotate_node_key(*t);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->node == log);
  CHECK(done->old_key == log);
  CHECK(done->new_key != log);
  CHECK(done->rotations == 1);
  CHECK(done->seq == t.node->ledger().log_size());
  CHECK(t.node->identity().public_key == done->new_key);
  CHECK(file_text(t.dir / "node.key") != old_text);
  CHECK(test::mode_of(t.dir / "node.key") == 0600);
  CHECK_FALSE(fs::exists(t.dir / "node.key.next"));
  // The node goes on: members join (signed by the new key), and it reopens.
  t.add("erin", {"volunteer"});
  reopen(t);
  CHECK(t.node->identity().public_key == done->new_key);
  CHECK(t.node->ledger().node_key() == log);
  t.add("fred", {"volunteer"});
  auto audit = app::verify_log(*t, {});
  REQUIRE(audit.ok());
  CHECK_MESSAGE(audit->passed, audit->failure);

  // The retired key put back by hand: refused, saying which key signs now.
  t.node.reset();
  put_back(t.dir / "node.key", old_text);
  auto refused = app::Node::open(t.dir, t.clock);
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message().find("retired by a key rotation") != std::string::npos);
}

TEST_CASE("rotate-key cut short: opening the node settles it either way") {
  TestNode t(false);
  const std::string old_text = file_text(t.dir / "node.key");
  SUBCASE("the rotation is stored but node.key was not replaced yet") {
    auto done = app::rotate_node_key(*t);
    REQUIRE(done.ok());
    t.node.reset();
    const std::string new_text = file_text(t.dir / "node.key");
    fs::rename(t.dir / "node.key", t.dir / "node.key.next");
    put_back(t.dir / "node.key", old_text);
    reopen(t);
    CHECK(t.node->identity().public_key == done->new_key);
    CHECK(file_text(t.dir / "node.key") == new_text);
    CHECK_FALSE(fs::exists(t.dir / "node.key.next"));
  }
  SUBCASE("node.key.next was written but the rotation never stored") {
    const PublicKey before = t.node->identity().public_key;
    REQUIRE(app::write_secret_key(t.dir / "node.key.next", generate_keypair().secret_key).ok());
    reopen(t);
    CHECK(t.node->identity().public_key == before);
    CHECK(file_text(t.dir / "node.key") == old_text);
    CHECK_FALSE(fs::exists(t.dir / "node.key.next"));
  }
}

TEST_CASE("rotate-key: a node with an encrypted node.key gets an encrypted new key") {
  TestNode t(false);
  t.node.reset();
  const std::string phrase = "correct horse battery staple";
  const fs::path phrase_file = t.tmp.path / "passphrase";
  put_back(phrase_file, phrase + "\n");
  GuardedBytes new_phrase(phrase.size());
  new_phrase.resize(phrase.size());
  std::copy(phrase.begin(), phrase.end(), new_phrase.data());
  REQUIRE(app::protect_keys(t.dir, {}, new_phrase, KdfLimits{1, 64 * 1024}).ok());
  const app::PassphraseSource from_file{phrase_file, {}};
  auto opened = app::Node::open(t.dir, t.clock, from_file);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  t.node = std::move(opened).value();
  REQUIRE(app::rotate_node_key(*t).ok());
  CHECK(key_file_form(file_text(t.dir / "node.key")) == KeyFileForm::encrypted);
  t.node.reset();
  CHECK(app::Node::open(t.dir, t.clock).code() == Code::not_permitted);  // no passphrase given
  CHECK(app::Node::open(t.dir, t.clock, from_file).ok());
}

TEST_CASE("consortium sign after a rotation: the new key and its rotations; the retired key is refused") {
  TestNode t(false);
  TwoNodeFile county(*t.node);  // lists hilltop by its log id
  const PublicKey log = t.node->ledger().node_key();
  const KeyPair old{log, t.node->identity().secret_key.copy()};
  auto rotated = app::rotate_node_key(*t);
  REQUIRE(rotated.ok());

  auto signed_here = app::sign_consortium(*t, {county.text(), "county.json"});
  REQUIRE(signed_here.ok());
  auto file = net::parse_consortium(signed_here->file_text).value();
  REQUIRE(file.signatures.size() == 1);
  CHECK(file.signatures[0].node == log);
  CHECK(file.signatures[0].key == rotated->new_key);
  CHECK(file.signatures[0].rotations.size() == 1);
  net::sign_consortium(file, county.riverside.public_key, county.riverside.secret_key);
  auto joined = app::join_consortium(*t, {net::consortium_json(file)});
  CHECK_MESSAGE(joined.ok(), joined.status().message());

  // Without its rotations the new key's signature means nothing.
  net::Consortium bare = file;
  for (auto& s : bare.signatures)
    if (s.node == log) s.rotations.clear();
  CHECK(net::check_consortium(bare, log, 0).code() == Code::bad_signature);

  // The retired key (a thief's) signs: a node that holds the rotation refuses.
  net::Consortium by_old = county.file;
  by_old.version = 2;
  net::sign_consortium(by_old, log, old.secret_key);
  net::sign_consortium(by_old, county.riverside.public_key, county.riverside.secret_key);
  auto refused = app::join_consortium(*t, {net::consortium_json(by_old)});
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message().find("retired") != std::string::npos);
}
