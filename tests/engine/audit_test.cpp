#include "cohours/audit.h"

#include <doctest/doctest.h>

#include "cohours/record.h"
#include "test_support.h"

using namespace cohours;

namespace {

// A ledger with a few dozen records over several commit groups.
struct Audited : test::TestLedger {
  Audited() {
    add_member("alice", role_volunteer);
    add_member("bob", role_service_user);
    add_member("dave", role_coordinator | role_admin);
    for (int i = 0; i < 20; ++i) {
      auto result = submit("alice", hours("bob", 30 + i, Payer::pool));
      REQUIRE(result.ok());
      if (i % 2 == 0) REQUIRE(submit("bob", HoursConfirm{result.id}).ok());
    }
    ledger.reset();  // the audit reads the store alone
  }

  AuditReport audit() {
    auto report = audit_store(*store);
    REQUIRE(report.ok());
    return report.value();
  }

  std::string get(Column column, const std::string& key) {
    std::string value;
    REQUIRE(log_rows()->get(column, key, &value).ok());
    return value;
  }
  void put(Column column, const std::string& key, const std::string& value) {
    WriteBatch batch;
    batch.put(column, key, value);
    REQUIRE(log_rows()->write(batch, Durability::synced).ok());
  }
  void erase(Column column, const std::string& key) {
    WriteBatch batch;
    batch.erase(column, key);
    REQUIRE(log_rows()->write(batch, Durability::synced).ok());
  }
};

Bytes to_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
std::string to_string(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

}  // namespace

TEST_CASE("audit passes on an untouched store and counts what it checked") {
  Audited node;
  AuditReport report = node.audit();
  CHECK(report.passed);
  CHECK(report.failure.empty());
  CHECK(report.records == 33);
  CHECK(report.signatures == 33);
  CHECK(report.hash_links == 33);
  CHECK(report.heads == 33);    // one submission per group here
  CHECK(report.accounts == 2);  // alice and the pool (bob pays nothing)
  CHECK(report.tree_nodes >= 33);
}

TEST_CASE("audit names the first bad record when a stored record is altered") {
  Audited node;
  std::string raw = node.get(Column::records, be64(10));
  Record record = decode_record(to_bytes(raw)).value();

  SUBCASE("a changed amount breaks the author's signature") {
    auto entry = decode_entry(record.entry).value();
    auto& log = std::get<HoursLog>(entry.entry.body);
    log.minutes += 60;
    Bytes body = encode_unsigned(entry.entry);
    body.insert(body.end(), entry.signature.bytes.begin(), entry.signature.bytes.end());
    record.entry = body;
    node.put(Column::records, be64(10), to_string(encode_record(record)));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == 10);
    CHECK(report.failure.find("signature") != std::string::npos);
  }
  SUBCASE("a re-signed entry by another key is caught by the rules and the tree") {
    auto entry = decode_entry(record.entry).value();
    entry.entry.created_ms += 1;
    SignedEntry resigned = sign_entry(entry.entry, node.keys.at("alice").secret_key);
    record.entry = resigned.bytes;
    node.put(Column::records, be64(10), to_string(encode_record(record)));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == 10);
  }
  SUBCASE("a broken hash link") {
    record.prev_hash.bytes[0] ^= 1;
    node.put(Column::records, be64(10), to_string(encode_record(record)));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == 10);
    CHECK(report.failure.find("link") != std::string::npos);
  }
  SUBCASE("garbage bytes") {
    node.put(Column::records, be64(10), "garbage");
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == 10);
  }
  SUBCASE("a deleted record") {
    node.erase(Column::records, be64(10));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == 10);
  }
  SUBCASE("the last record deleted with its head") {
    node.erase(Column::records, be64(33));
    node.erase(Column::heads, be64(33));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
  }
}

TEST_CASE("audit catches altered derived state and forged heads") {
  Audited node;
  SUBCASE("a balance edited directly") {
    auto key = AccountId::member(node.key("alice")).to_key();
    std::string row = node.get(Column::balances, key);
    row[1] ^= 0x10;
    node.put(Column::balances, key, row);
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.failure.find("balance") != std::string::npos);
  }
  SUBCASE("a tree head signed by another key") {
    auto head = decode_signed_tree_head(to_bytes(node.get(Column::heads, be64(20)))).value();
    SignedTreeHead forged = sign_tree_head(head.head, node.keys.at("dave").secret_key);
    node.put(Column::heads, be64(20), to_string(encode_signed_tree_head(forged)));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.first_bad_seq == 20);
  }
  SUBCASE("a tree head over a different root, validly signed by the node") {
    auto head = decode_signed_tree_head(to_bytes(node.get(Column::heads, be64(20)))).value();
    head.head.root.bytes[5] ^= 1;
    SignedTreeHead resigned = sign_tree_head(head.head, node.node.secret_key);
    node.put(Column::heads, be64(20), to_string(encode_signed_tree_head(resigned)));
    AuditReport report = node.audit();
    CHECK_FALSE(report.passed);
    CHECK(report.failure.find("root") != std::string::npos);
  }
  SUBCASE("a stored Merkle node") {
    std::string key(1, '\0');
    key += be64(3);
    std::string hash = node.get(Column::tree, key);
    hash[0] ^= 1;
    node.put(Column::tree, key, hash);
    CHECK_FALSE(node.audit().passed);
  }
  SUBCASE("an extra member row") {
    std::string row =
        node.get(Column::members, std::string(reinterpret_cast<const char*>(node.key("alice").data()), 32));
    std::string fake_key(32, 'x');
    node.put(Column::members, fake_key, row);
    CHECK_FALSE(node.audit().passed);
  }
}

TEST_CASE("reindex refuses a damaged log and changes nothing") {
  Audited node;
  Hash32 digest = state_digest(*node.store).value();
  std::string raw = node.get(Column::records, be64(12));
  SUBCASE("a record altered so its signature fails") {
    raw[raw.size() - 65] ^= 1;
    node.put(Column::records, be64(12), raw);
  }
  SUBCASE("the last record altered") {
    std::string last = node.get(Column::records, be64(33));
    last[last.size() - 65] ^= 1;
    node.put(Column::records, be64(33), last);
  }
  auto report = reindex(*node.store, node.clock);
  CHECK(report.code() == Code::corruption);
  CHECK(report.status().message().find("nothing was changed") != std::string::npos);
  CHECK(state_digest(*node.store).value() == digest);
  std::string marker;
  CHECK(node.log_rows()->get(Column::meta, "reindexing", &marker).code() == Code::not_found);
}

TEST_CASE("the ledger will not append on top of a tip that disagrees with the log") {
  Audited node;
  SUBCASE("a corrupted chain tip") {
    node.put(Column::meta, "last_hash", std::string(32, 'x'));
    CHECK_FALSE(node.audit().passed);
  }
  SUBCASE("a corrupted Merkle node on the frontier") {
    std::string key(1, '\x05');
    key += be64(0);
    std::string hash = node.get(Column::tree, key);
    hash[0] ^= 1;
    node.put(Column::tree, key, hash);
  }
  auto opened = Ledger::open(*node.store, {node.node.public_key, node.node.secret_key.copy()}, node.clock);
  CHECK(opened.code() == Code::corruption);
}

TEST_CASE("a head kept by an auditor catches history cut off and re-signed") {
  Audited node;
  SignedTreeHead kept = decode_signed_tree_head(to_bytes(node.get(Column::heads, be64(33)))).value();
  AuditOptions options;
  options.known_heads = {kept};
  CHECK(audit_store(*node.store, options).value().passed);
  CHECK(audit_store(*node.store, options).value().known_heads == 1);
  // Someone with the node key drops the last records and their heads, so
  // that the store is consistent again on its own.
  for (std::uint64_t seq = 30; seq <= 33; ++seq) {
    node.erase(Column::records, be64(seq));
    node.erase(Column::heads, be64(seq));
  }
  node.put(Column::meta, "latest_head", node.get(Column::heads, be64(29)));
  REQUIRE(reindex(*node.store, node.clock).ok());
  CHECK(node.audit().passed);  // on its own the shortened log looks fine
  AuditReport report = audit_store(*node.store, options).value();
  CHECK_FALSE(report.passed);
  CHECK(report.failure.find("history was removed") != std::string::npos);
  SUBCASE("a head from another node is refused") {
    SignedTreeHead foreign = sign_tree_head(kept.head, node.keys.at("dave").secret_key);
    options.known_heads = {foreign};
    CHECK(audit_store(*node.store, options).value().failure.find(
              "does not carry the signature of the key that signed for the node") != std::string::npos);
  }
  SUBCASE("the wrong node's store") {
    AuditOptions expect;
    expect.expected_node_key = node.key("alice");
    CHECK_FALSE(audit_store(*node.store, expect).value().passed);
  }
}

// Longer than one batch of the audit's pipeline (1,024 records): damage in a
// later batch, read and verified while an earlier one is walked, must not
// be reported before damage in the earlier one.
TEST_CASE("audit over several batches names the first bad record, whichever batch is verified first") {
  test::TestLedger node;
  node.add_member("alice", role_volunteer);
  node.add_member("bob", role_service_user);
  std::vector<Bytes> entries;
  for (int i = 0; i < 2600; ++i) entries.push_back(node.make("alice", node.hours("bob", 30, Payer::pool)).bytes);
  for (const auto& result : node.ledger->submit(entries)) REQUIRE(result.ok());
  node.ledger.reset();
  auto garble = [&](std::uint64_t seq) {
    WriteBatch batch;
    batch.put(Column::records, be64(seq), "garbage");
    REQUIRE(node.log_rows()->write(batch, Durability::synced).ok());
  };
  SUBCASE("a later batch and an earlier one") {
    garble(2500);
    garble(1500);
    auto report = audit_store(*node.store);
    REQUIRE(report.ok());
    CHECK(report->first_bad_seq == 1500);
  }
  SUBCASE("a key that is no record's, in the batch read while the damaged one is walked") {
    garble(300);
    WriteBatch batch;
    batch.put(Column::records, be64(1100) + "x", "x");  // right after record 1,100
    REQUIRE(node.log_rows()->write(batch, Durability::synced).ok());
    auto report = audit_store(*node.store);
    REQUIRE(report.ok());
    CHECK(report->first_bad_seq == 300);
  }
}

TEST_CASE("audit with a scratch directory: the same verdicts, memory on disk, nothing left behind") {
  Audited node;
  test::TempDir dir;
  AuditOptions options;
  options.scratch_dir = dir.path + "/scratch/audit-1";
  auto clean = audit_store(*node.store, options);
  REQUIRE(clean.ok());
  CHECK_MESSAGE(clean->passed, clean->failure);
  auto in_memory = audit_store(*node.store);
  REQUIRE(in_memory.ok());
  CHECK(clean->state_digest == in_memory->state_digest);
  CHECK(clean->derived_rows == in_memory->derived_rows);
  CHECK_FALSE(std::filesystem::exists(options.scratch_dir));
  // Derived damage is still found through the scratch store.
  auto key = AccountId::member(node.key("alice")).to_key();
  std::string row = node.get(Column::balances, key);
  row[row.size() - 1] ^= 1;
  node.put(Column::balances, key, row);
  auto damaged = audit_store(*node.store, options);
  REQUIRE(damaged.ok());
  CHECK_FALSE(damaged->passed);
  CHECK(damaged->failure.find("balance") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(options.scratch_dir));
}

TEST_CASE("reindex with a scratch directory rebuilds the same state and leaves nothing behind") {
  Audited node;
  test::TempDir dir;
  const std::string scratch = dir.path + "/scratch/reindex-1";
  auto key = AccountId::member(node.key("alice")).to_key();
  std::string row = node.get(Column::balances, key);
  node.put(Column::balances, key, row + "x");  // damage a reindex repairs
  auto rebuilt = reindex(*node.store, node.clock, {}, scratch);
  REQUIRE_MESSAGE(rebuilt.ok(), rebuilt.status().message());
  CHECK(rebuilt->digest_after != Hash32{});
  CHECK(node.get(Column::balances, key) == row);
  CHECK_FALSE(std::filesystem::exists(scratch));
  AuditReport report = node.audit();
  CHECK_MESSAGE(report.passed, report.failure);
  CHECK(report.state_digest == rebuilt->digest_after);
}
