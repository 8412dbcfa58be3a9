// Key files as the node reads them (app/keyring.h): a damaged node.key or a
// keyring key is refused before anything is signed with it, and a key file
// that is not a small regular file fails at once.
#include "cohours/app/keyring.h"

#include <fstream>

#include "app_support.h"
#include "cohours/app/names.h"

using namespace cohours;
namespace fs = std::filesystem;

namespace {

std::string first_word(const fs::path& path) {
  std::ifstream in(path);
  std::string text;
  in >> text;
  return text;
}

void write_key_text(const fs::path& path, const std::string& text) {
  {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);  // as cohours writes keys
}

// `hex` with digit `at` changed to another hex digit.
std::string one_digit_changed(std::string hex, std::size_t at) {
  hex[at] = hex[at] == '0' ? '1' : '0';
  return hex;
}

}  // namespace

TEST_CASE("a node key whose seed lost a digit is refused, and the right key opens the node again") {
  test::TestNode t(false);
  t.node.reset();  // the store closes, as when the node stops
  const fs::path key_file = t.dir / "node.key";
  const std::string good = first_word(key_file);
  REQUIRE(good.size() == 128);

  for (std::size_t at : {0u, 17u, 63u}) {  // inside the seed, the first half
    write_key_text(key_file, one_digit_changed(good, at) + "\n");
    auto opened = app::Node::open(t.dir, t.clock);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.code() == Code::corruption);
    CHECK(opened.status().message().find("is damaged") != std::string::npos);
  }
  // A changed digit of the public half is refused the same way.
  write_key_text(key_file, one_digit_changed(good, 100) + "\n");
  CHECK(app::Node::open(t.dir, t.clock).code() == Code::corruption);

  write_key_text(key_file, good + "\n");
  auto opened = app::Node::open(t.dir, t.clock);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
}

TEST_CASE("a key file that is a device, a directory or too long fails at once with a message") {
  test::TempDir tmp;
  const fs::path key = tmp.path / "x.key";
  fs::create_symlink("/dev/zero", key);
  auto zero = app::read_secret_key(key);
  CHECK(zero.code() == Code::corruption);
  CHECK(zero.status().message().find("not a regular file") != std::string::npos);

  fs::remove(key);
  fs::create_directory(key);
  CHECK(app::read_secret_key(key).code() == Code::corruption);

  fs::remove(key);
  const KeyPair pair = generate_keypair();
  write_key_text(key, to_hex(pair.secret_key) + std::string(2000, ' '));
  CHECK(app::read_secret_key(key).code() == Code::corruption);

  write_key_text(key, "\n  " + to_hex(pair.secret_key) + "\n");
  auto read = app::read_secret_key(key);
  REQUIRE(read.ok());
  CHECK(read.value() == pair.secret_key);

  CHECK(app::read_secret_key(tmp.path / "missing.key").code() == Code::not_found);
}

TEST_CASE("a damaged keyring key is not signed with") {
  test::TestNode t;
  auto alice = app::member_key(*t, "alice");
  REQUIRE(alice.ok());
  const fs::path file = t.dir / "keyring" / (to_hex(alice.value()) + ".key");
  REQUIRE(fs::exists(file));
  write_key_text(file, one_digit_changed(first_word(file), 5) + "\n");
  auto secret = t.node->keyring().secret(alice.value());
  CHECK(secret.code() == Code::corruption);
}

TEST_CASE("a key file other users can read or change is refused, and used once it is the owner's alone") {
  test::TempDir tmp;
  const fs::path key = tmp.path / "x.key";
  const KeyPair pair = generate_keypair();
  write_key_text(key, to_hex(pair.secret_key) + "\n");
  for (fs::perms extra : {fs::perms::group_read, fs::perms::others_read, fs::perms::group_write,
                          fs::perms::others_write}) {
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write | extra);
    auto refused = app::read_secret_key(key);
    CHECK(refused.code() == Code::not_permitted);
    CHECK(refused.status().message().find("chmod 600") != std::string::npos);
  }
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  auto read = app::read_secret_key(key);
  REQUIRE(read.ok());
  CHECK(read.value() == pair.secret_key);
}
