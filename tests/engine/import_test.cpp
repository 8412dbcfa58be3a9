#include "cohours/import.h"

#include <doctest/doctest.h>

#include "cohours/ledger.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::TestLedger;

namespace {

// A node with a few movements, and its log as an export carries it.
struct Exported : TestLedger {
  std::vector<Bytes> records;
  SignedTreeHead head;
  Exported() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
    HoursLog log{key("bob"), Payer::pool, 120, "befriending", today(), {}};
    auto logged = submit("alice", log);
    REQUIRE(submit("bob", HoursConfirm{logged.id}).ok());
    REQUIRE(submit("alice", Transfer{key("bob"), 30, {}}).ok());
    for (std::uint64_t seq = 1; seq <= ledger->log_size(); ++seq)
      records.push_back(encode_record(ledger->record(seq).value()));
    head = ledger->latest_head().value();
  }
  Status import_into(Store& target) {
    return import_log(target, node.public_key, ledger->currency(), records, head);
  }
};

}  // namespace

TEST_CASE("an imported log rebuilds the node's state and opens read-only") {
  Exported node;
  auto copy = make_memory_store();
  REQUIRE(node.import_into(*copy).ok());
  auto opened = Ledger::open_read_only(*copy, node.clock);
  REQUIRE(opened.ok());
  CHECK(opened.value()->state_digest().value() == node.ledger->state_digest().value());
  CHECK(opened.value()->balance(node.account("alice")).value() == node.balance("alice"));
  CHECK(opened.value()->latest_head().value().head.root == node.head.head.root);
  CHECK(node.import_into(*copy).code() == Code::already_exists);
}

TEST_CASE("an import refuses a log that its signed head does not vouch for") {
  Exported node;
  auto copy = make_memory_store();
  SUBCASE("a changed signature byte names the record") {
    node.records[2].back() ^= 1;
    Status status = node.import_into(*copy);
    CHECK(status.code() == Code::corruption);
    CHECK(status.message().find("record 3") != std::string::npos);
  }
  SUBCASE("a missing last record") {
    node.records.pop_back();
    CHECK(node.import_into(*copy).code() == Code::corruption);
  }
  SUBCASE("a head with another root") {
    node.head.head.root.bytes[0] ^= 1;
    Status status = node.import_into(*copy);
    CHECK(status.code() == Code::corruption);
    CHECK(status.message().find("signature") != std::string::npos);
  }
  SUBCASE("a head of another node") {
    CHECK(import_log(*copy, test::seeded_key(77).public_key, node.ledger->currency(), node.records, node.head)
              .code() == Code::corruption);
  }
}
