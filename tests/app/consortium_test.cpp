#include "cohours/app/consortium.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;
using cohours::test::TwoNodeFile;

TEST_CASE("consortium key: the node's key, name and currency") {
  TestNode t(false, "EUR");
  auto info = app::describe_node(*t, {});
  REQUIRE(info.ok());
  CHECK(info->node_key == t.node->identity().public_key);
  CHECK(info->name == "Hilltop Care Co-op");
  CHECK(info->currency == "EUR");
}

TEST_CASE("consortium sign: this node's signature, and who is still to sign") {
  TestNode t(false);
  TwoNodeFile county(*t.node);
  auto done = app::sign_consortium(*t, {county.text(), "county.json"});
  REQUIRE(done.ok());
  CHECK(done->node_name == "hilltop");
  CHECK(done->still_to_sign == 1);
  auto signed_file = net::parse_consortium(done->file_text);
  REQUIRE(signed_file.ok());
  REQUIRE(signed_file->signatures.size() == 1);
  CHECK(signed_file->signatures[0].node == t.node->identity().public_key);

  // A file that does not list this node, and one that is not a consortium file.
  TestNode other(false);
  auto refused = app::sign_consortium(*other, {county.text(), "county.json"});
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message() == "this node is not listed in county.json");
  CHECK(app::sign_consortium(*t, {"{\"name\": 7}", "x.json"}).code() == Code::malformed);
}

TEST_CASE("consortium join and show") {
  TestNode t(false);
  TwoNodeFile county(*t.node);
  CHECK(app::show_consortium(*t, {}).code() == Code::not_found);
  // Not every listed node has signed.
  auto unsigned_join = app::join_consortium(*t, {county.text()});
  CHECK(unsigned_join.code() == Code::not_permitted);
  CHECK(app::show_consortium(*t, {}).code() == Code::not_found);

  auto joined = app::join_consortium(*t, {county.signed_text(*t.node)});
  REQUIRE_MESSAGE(joined.ok(), joined.status().message());
  CHECK(joined->name == "county");
  CHECK(joined->version == 1);
  CHECK(joined->id == net::consortium_id(county.file));
  CHECK(joined->nodes == 2);
  CHECK_FALSE(joined->daemon_running);

  auto shown = app::show_consortium(*t, {});
  REQUIRE(shown.ok());
  CHECK(shown->name == "county");
  CHECK(shown->id == joined->id);
  REQUIRE(shown->nodes.size() == 2);
  for (const auto& node : shown->nodes) {
    CHECK(node.this_node == (node.name == "hilltop"));
    CHECK(node.currency == "GBP");
  }
  CHECK(net::parse_consortium(shown->file_text)->signatures.size() == 2);
}
