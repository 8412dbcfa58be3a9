// Shared by the app tests: a node made with app::init_node in a temporary
// directory (RocksDB store, keyring, node key) and opened with
// app::Node::open, at a fixed instant.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cohours/app/init.h"
#include "cohours/app/members.h"
#include "cohours/app/node.h"
#include "cohours/crypto.h"
#include "cohours/net/consortium.h"

#include <doctest/doctest.h>

namespace cohours::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cohours-app-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The members every test starts with: dave (coordinator, admin), alice
// (volunteer), bob (service user), carol (carer); keys in the keyring.
struct TestNode {
  TempDir tmp;
  FakeClock clock{1'795'000'000'000};  // 2026-11-18
  std::filesystem::path dir = tmp.path / "node";
  std::unique_ptr<app::Node> node;

  explicit TestNode(bool with_members = true, const std::string& currency = "GBP") {
    auto created = app::init_node(dir, "Hilltop Care Co-op", *Currency::parse(currency), clock);
    REQUIRE_MESSAGE(created.ok(), created.status().message());
    auto opened = app::Node::open(dir, clock);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    node = std::move(opened).value();
    if (!with_members) return;
    add("dave", {"coordinator", "admin"});
    add("alice", {"volunteer"});
    add("bob", {"service-user"});
    add("carol", {"carer"});
  }

  app::Node& operator*() { return *node; }

  app::MemberAdded add(const std::string& alias, std::vector<std::string> roles) {
    auto added = app::add_member(*node, {alias, std::move(roles), "", "", ""});
    REQUIRE_MESSAGE(added.ok(), added.status().message());
    return added.value();
  }
  PublicKey key(const std::string& alias) {
    auto key = node->directory().key_for(alias);
    REQUIRE(key.ok());
    return key.value();
  }
  // How many secret keys the keyring holds.
  std::size_t keyring_size() const {
    std::size_t n = 0;
    for (const auto& file : std::filesystem::directory_iterator(dir / "keyring"))
      n += file.path().extension() == ".key";
    return n;
  }
};

// A consortium file "county" listing the test node as "hilltop" and
// another node, "riverside", whose key the test holds; unsigned.
struct TwoNodeFile {
  KeyPair riverside = generate_keypair();
  net::Consortium file;
  explicit TwoNodeFile(const app::Node& node) {
    file.name = "county";
    file.nodes.push_back({"hilltop", node.identity().public_key, "127.0.0.1:7101", *Currency::parse("GBP")});
    file.nodes.push_back({"riverside", riverside.public_key, "127.0.0.1:7102", *Currency::parse("GBP")});
    auto parsed = net::parse_consortium(net::consortium_json(file));  // sorted, checked
    REQUIRE(parsed.ok());
    file = parsed.value();
  }
  std::string text() const { return net::consortium_json(file); }
  // Signed by both nodes.
  std::string signed_text(const app::Node& node) {
    net::Consortium copy = file;
    net::sign_consortium(copy, node.identity().public_key, node.identity().secret_key);
    net::sign_consortium(copy, riverside.public_key, riverside.secret_key);
    return net::consortium_json(copy);
  }
};

}  // namespace cohours::test
