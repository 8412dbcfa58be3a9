// Test helper for crash_test.sh: appends entries from four threads as fast
// as it can and prints "ACK <id>" only after Ledger::submit acknowledged the
// entry, until it is killed. Creates the node (in the CLI's data directory
// layout) on first use, so `cohours --data DIR audit verify` can check it.
// Usage: crash_writer DATA_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/ledger.h"

using namespace cohours;

static KeyPair seeded(std::uint8_t n) {
  FixedBytes<32> seed;
  seed.bytes.fill(n);
  return keypair_from_seed(seed);
}

int main(int argc, char** argv) {
  if (argc != 2 || !crypto_init()) return 2;
  std::filesystem::path dir = argv[1];
  KeyPair node = seeded(1), alice = seeded(2), bob = seeded(3);
  bool fresh = !std::filesystem::exists(dir / "node.key");
  std::filesystem::create_directories(dir);
  auto store = open_rocks_store((dir / "store").string(), OpenMode::create_if_missing);
  if (!store.ok()) return 1;
  SystemClock clock;
  if (fresh &&
      !Ledger::initialise(*store.value(), {node.public_key, node.secret_key.copy()}, "Crash Co-op", clock)
           .ok())
    return 1;
  auto ledger = Ledger::open(*store.value(), {node.public_key, node.secret_key.copy()}, clock);
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().message().c_str());
    return 1;
  }
  if (fresh) {
    for (auto [key, roles] : {std::pair{alice.public_key, std::uint32_t{role_volunteer}},
                              std::pair{bob.public_key, std::uint32_t{role_service_user}}}) {
      Entry join{kEntryFormatVersion,
                 node.public_key,
                 node.public_key,
                 {},
                 clock.now_ms(),
                 random_u64(),
                 MemberJoin{key, roles, node.public_key}};
      if (!ledger.value()->submit_one(sign_entry(join, node.secret_key).bytes).ok()) return 1;
    }
    std::ofstream(dir / "node.key") << to_hex(node.secret_key) << "\n";
    // Key files are only their owner's (the CLI refuses others).
    std::filesystem::permissions(dir / "node.key", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  std::mutex out_mu;
  auto writer = [&] {
    for (;;) {
      HoursLog log;
      log.recipient = bob.public_key;
      log.payer = Payer::pool;
      log.minutes = 30;
      log.category = "befriending";
      log.date_days = days_from_ms(clock.now_ms());
      Entry entry{
          kEntryFormatVersion, node.public_key, alice.public_key, {}, clock.now_ms(), random_u64(), log};
      SignedEntry signed_entry = sign_entry(entry, alice.secret_key);
      SubmitResult result = ledger.value()->submit_one(signed_entry.bytes);
      if (!result.ok()) {
        std::fprintf(stderr, "rejected: %s\n", result.message.c_str());
        std::_Exit(1);
      }
      std::lock_guard lock(out_mu);
      std::printf("ACK %s\n", to_hex(result.id).c_str());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(writer);
  for (auto& thread : threads) thread.join();
}
