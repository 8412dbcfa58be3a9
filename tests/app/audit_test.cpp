#include "cohours/app/audit.h"

#include "app_support.h"
#include "cohours/app/accounts.h"
#include "cohours/app/consortium.h"
#include "cohours/app/exchanges.h"
#include "cohours/dates.h"

using namespace cohours;
using cohours::test::TestNode;
using cohours::test::TwoNodeFile;

TEST_CASE("audit verify: the node's own log passes, with progress and kept heads from the files' text") {
  TestNode t;
  REQUIRE(app::log_hours(*t, {"alice", "", "bob", 60, "shopping", *parse_date("2026-11-17"), ""}).ok());
  std::vector<std::pair<std::string, std::uint64_t>> progress;
  t.node->set_progress([&](const char* verb, std::uint64_t done, std::uint64_t total) {
    progress.emplace_back(verb, done);
    CHECK(total == t.node->ledger().log_size());
  });
  auto head = app::log_head(*t, {});
  REQUIRE(head.ok());
  // What `cohours log head` prints: plain lines, a comment, the head in hex.
  const std::string kept = "log " + to_hex(head->log) + "\r\nsize " + std::to_string(head->size) +
                           "\n# keep the next line\n" + head->encoded_hex + "\n";
  auto audit = app::verify_log(*t, {{{"kept.txt", kept}}, ""});
  REQUIRE(audit.ok());
  CHECK(audit->passed);
  CHECK(audit->failure.empty());
  CHECK(audit->log == t.node->identity().public_key);
  CHECK(audit->records == t.node->ledger().log_size());
  CHECK(audit->signatures == audit->records);
  CHECK(audit->known_heads == 1);
  CHECK(audit->root == head->root);
  CHECK(audit->state_digest == t.node->ledger().state_digest().value());
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back().first == "verified");
  CHECK(progress.back().second == audit->records);
}

TEST_CASE("audit verify: kept-heads files without a head, and nodes that are not in the consortium") {
  TestNode t;
  auto none = app::verify_log(*t, {{{"notes.txt", "nothing here\n"}}, ""});
  CHECK(none.code() == Code::malformed);
  CHECK(none.status().message() == "notes.txt holds no signed tree head (save `cohours log head`)");
  auto bad = app::verify_log(*t, {{{"bad.txt", "head\n" + std::string(200, 'a') + "\n"}}, ""});
  CHECK(bad.code() == Code::malformed);
  CHECK(bad.status().message() == "bad.txt line 2 is not a signed tree head");

  CHECK(app::verify_log(*t, {{}, "riverside"}).code() == Code::not_found);  // no consortium joined
  TwoNodeFile file(*t.node);
  REQUIRE(app::join_consortium(*t, {file.signed_text(*t.node)}).ok());
  auto unknown = app::verify_log(*t, {{}, "lakeside"});
  CHECK(unknown.code() == Code::unknown_member);
  CHECK(unknown.status().message() == "no node named 'lakeside' in consortium 'county'");
  // This node's own name audits its own log.
  auto own = app::verify_log(*t, {{}, "hilltop"});
  REQUIRE(own.ok());
  CHECK(own->passed);
  CHECK(own->log == t.node->identity().public_key);
}

TEST_CASE("reindex: rebuilds a closed node's state from its records; never one held open") {
  TestNode t;
  const std::uint64_t size = t.node->ledger().log_size();
  // The node is open in this process: the store refuses a second opener.
  auto held = app::reindex_node(t.dir, t.clock);
  CHECK(held.code() == Code::io_error);
  t.node.reset();
  std::uint64_t last_done = 0;
  auto rebuilt = app::reindex_node(t.dir, t.clock, [&](const char* verb, std::uint64_t done, std::uint64_t) {
    CHECK(std::string(verb) == "reindexed");
    last_done = done;
  });
  REQUIRE_MESSAGE(rebuilt.ok(), rebuilt.status().message());
  CHECK(rebuilt->records == size);
  CHECK(rebuilt->identical);
  CHECK(rebuilt->digest_before == rebuilt->digest_after);
  CHECK(last_done == size);
  auto absent = app::reindex_node(t.tmp.path / "absent", t.clock);
  CHECK(absent.code() == Code::not_found);
  CHECK(absent.status().message().find("no cohours node in ") == 0);
}
