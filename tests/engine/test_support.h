// Shared fixtures: a ledger on a memory store with a fake clock, and members
// whose keys the test holds.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/ledger.h"
#include "cohours/log_space.h"
#include "../test_helpers.h"

#include <doctest/doctest.h>

namespace cohours::test {

// A fresh directory under /tmp, removed with everything in it afterwards.
struct TempDir {
  std::string path;
  TempDir() {
    std::string pattern = "/tmp/cohours-store-test-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline PolicySet policy_of(PolicySetting setting) {
  return PolicySet{{std::move(setting)}};
}

struct TestLedger {
  std::unique_ptr<Store> store = make_memory_store();
  FakeClock clock{1'795'000'000'000};  // 2026-11-18
  KeyPair node = seeded_key(200);
  std::unique_ptr<Ledger> ledger;
  std::map<std::string, KeyPair> keys;
  std::uint64_t nonce = 0;

  std::uint8_t member_seed_base = 0;

  // `node_seed` and `member_seed_base` give several test nodes distinct keys.
  explicit TestLedger(Store* existing = nullptr, std::uint8_t node_seed = 200, std::uint8_t member_base = 0)
      : member_seed_base(member_base) {
    if (existing) store.reset(existing);
    node = seeded_key(node_seed);
    (void)Ledger::initialise(*store, {node.public_key, node.secret_key.copy()}, "Test Co-op", clock);
    reopen();
  }
  void reopen() {
    ledger.reset();
    auto opened = Ledger::open(*store, {node.public_key, node.secret_key.copy()}, clock);
    REQUIRE(opened.ok());
    ledger = std::move(opened).value();
  }

  const PublicKey& key(const std::string& name) { return keys.at(name).public_key; }
  // This node's log rows as stored (keys without the log prefix), for tests
  // that edit the store as someone with the disk would.
  std::unique_ptr<Store> log_rows() { return log_space(*store, node.public_key); }

  // Hours given today to `to` (an alias, or "community").
  HoursLog hours(const std::string& to, std::int64_t minutes, Payer payer = Payer::recipient,
                 std::string category = "befriending") {
    HoursLog log;
    log.recipient = to == "community" ? PublicKey{} : key(to);
    log.payer = payer;
    log.minutes = minutes;
    log.category = std::move(category);
    log.date_days = today();
    return log;
  }
  AccountId account(const std::string& name) { return AccountId::member(key(name)); }

  // An entry for this node's log.
  SignedEntry make(const std::string& signer, EntryBody body, const PublicKey& on_behalf = {}) {
    return make_for(node.public_key, signer, std::move(body), on_behalf);
  }
  // An entry signed for the log of node `log` (another node's, to test replays).
  SignedEntry make_for(const PublicKey& log, const std::string& signer, EntryBody body,
                       const PublicKey& on_behalf = {}) {
    const KeyPair& pair = signer == "node" ? node : keys.at(signer);
    Entry entry{kEntryFormatVersion, log,     pair.public_key, on_behalf,
                clock.now_ms(),      ++nonce, std::move(body)};
    return sign_entry(entry, pair.secret_key);
  }
  // Submits and checks the double-entry invariant after the operation.
  SubmitResult submit(const std::string& signer, EntryBody body, const PublicKey& on_behalf = {}) {
    clock.advance_ms(1000);
    SubmitResult result = ledger->submit_one(make(signer, std::move(body), on_behalf).bytes);
    CHECK(sum_of_balances() == 0);
    return result;
  }
  void add_member(const std::string& name, std::uint32_t roles) {
    keys[name] = seeded_key(static_cast<std::uint8_t>(member_seed_base + keys.size() + 1));
    auto result = submit("node", MemberJoin{key(name), roles, node.public_key});
    REQUIRE(result.ok());
  }
  Balance balance(const std::string& name) {
    auto b = ledger->balance(name == "pool" ? ledger->pool_account() : account(name));
    REQUIRE(b.ok());
    return b.value();
  }
  // Double entry: on every node the balances of each unit (minutes of
  // credit, pence of cash) sum to zero at every moment. Returns the sum of
  // credits and checks the cash sum and pending sums itself.
  std::int64_t sum_of_balances() {
    auto all = ledger->balances();
    REQUIRE(all.ok());
    std::int64_t minutes = 0, pence = 0, pending = 0;
    for (const auto& [account, b] : all.value()) {
      (account.unit() == Unit::minutes ? minutes : pence) += b.balance_minutes;
      pending += b.pending_minutes();
    }
    CHECK(pending == 0);
    CHECK(pence == 0);
    return minutes;
  }
  // The sum of the cash accounts, which only expense entries move.
  std::int64_t cash_in_accounts() {
    std::int64_t moved = 0;
    for (const auto& [account, b] : ledger->balances().value())
      if (account.unit() == Unit::pence)
        moved += b.balance_minutes < 0 ? -b.balance_minutes : b.balance_minutes;
    return moved;
  }
  std::int32_t today() { return days_from_ms(clock.now_ms()); }
};

}  // namespace cohours::test
