#include "cohours/app/init.h"

#include "app_support.h"

using namespace cohours;

TEST_CASE("init_node makes a node that opens; a second init and a bad name are refused") {
  test::TempDir tmp;
  FakeClock clock;
  const auto dir = tmp.path / "coop";
  auto created = app::init_node(dir, "Hafen Pflege", *Currency::parse("EUR"), clock);
  REQUIRE(created.ok());
  CHECK(std::filesystem::exists(dir / "node.key"));
  CHECK(std::filesystem::is_directory(dir / "keyring"));
  CHECK((std::filesystem::status(dir).permissions() & std::filesystem::perms::all) ==
        std::filesystem::perms::owner_all);
  {
    auto node = app::Node::open(dir, clock);
    REQUIRE(node.ok());
    CHECK(node.value()->identity().public_key == created->node_key);
    CHECK(node.value()->ledger().node_name() == "Hafen Pflege");
    CHECK(node.value()->ledger().currency().str() == "EUR");
  }
  auto again = app::init_node(dir, "Other", *Currency::parse("GBP"), clock);
  CHECK(again.code() == Code::already_exists);
  CHECK(app::init_node(tmp.path / "b", "", *Currency::parse("GBP"), clock).code() == Code::malformed);
  CHECK(app::init_node(tmp.path / "b", std::string(201, 'x'), *Currency::parse("GBP"), clock).code() ==
        Code::malformed);
  CHECK(app::init_node(tmp.path / "b", "Caf\xe9", *Currency::parse("GBP"), clock).code() ==
        Code::malformed);  // Latin-1, not UTF-8
  CHECK_FALSE(std::filesystem::exists(tmp.path / "b"));
  CHECK(app::Node::open(tmp.path / "b", clock).code() == Code::not_found);

  // 200 characters is the limit whatever their bytes: 200 'ł' are 400 bytes.
  std::string polish;
  for (int i = 0; i < 200; ++i) polish += "\xc5\x82";
  CHECK(app::init_node(tmp.path / "c", polish, *Currency::parse("PLN"), clock).ok());
  CHECK(app::init_node(tmp.path / "d", polish + "\xc5\x82", *Currency::parse("PLN"), clock).code() ==
        Code::malformed);
}
