// Benchmark helper (tests/bench/sync_converge.sh):
//   bench_fill --data DIR --entries N   appends N signed entries to the
//       node in DIR (its daemon stopped): members join, volunteers log hours
//       for service users, the service users confirm. Prints the log size.
//   bench_fill --verify-rate            ed25519 verifications per second on
//       all cores of this machine, the physical limit the sync figures are
//       measured against.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "cohours/app/clock_source.h"
#include "cohours/app/keyring.h"
#include "cohours/crypto.h"
#include "cohours/ledger.h"
#include "limits.h"

using namespace cohours;

namespace {

// An entry for the log of node `log`.
Bytes sign(const PublicKey& log, const KeyPair& author, std::uint64_t nonce, std::int64_t now_ms,
           EntryBody body) {
  Entry entry{kEntryFormatVersion, log, author.public_key, {}, now_ms, nonce, std::move(body)};
  return sign_entry(entry, author.secret_key).bytes;
}

int fill(const std::filesystem::path& dir, std::uint64_t count) {
  // COHOURS_NOW as for the CLI and the daemon, so a filled log and the
  // entries a test adds after it share one time line.
  auto chosen = app::process_clock();
  if (!chosen.ok()) {
    std::fprintf(stderr, "%s\n", chosen.status().message().c_str());
    return 1;
  }
  const Clock& clock = *chosen.value();
  NodeIdentity node;
  auto secret = app::read_secret_key(dir / "node.key");
  if (!secret.ok()) {
    std::fprintf(stderr, "%s\n", secret.status().message().c_str());
    return 1;
  }
  node.secret_key = std::move(secret).value();
  node.public_key = public_key_of(node.secret_key);
  auto store = open_rocks_store((dir / "store").string(), OpenMode::open_existing);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 1;
  }
  auto ledger = Ledger::open(*store.value(), node, clock);
  if (!ledger.ok()) {
    std::fprintf(stderr, "%s\n", ledger.status().message().c_str());
    return 1;
  }
  std::vector<KeyPair> volunteers(20), users(10);
  std::vector<Bytes> batch;
  std::uint64_t nonce = 1;
  const std::int64_t now = clock.now_ms();
  for (auto& v : volunteers) {
    v = generate_keypair();
    batch.push_back(sign(node.public_key, {node.public_key, node.secret_key.copy()}, nonce++, now,
                         MemberJoin{v.public_key, role_volunteer, node.public_key}));
  }
  for (auto& u : users) {
    u = generate_keypair();
    batch.push_back(sign(node.public_key, {node.public_key, node.secret_key.copy()}, nonce++, now,
                         MemberJoin{u.public_key, role_service_user, node.public_key}));
  }
  std::uint64_t made = batch.size();
  auto submit = [&] {
    for (const auto& r : ledger.value()->submit(batch))
      if (!r.ok()) {
        std::fprintf(stderr, "refused: %s\n", r.message.c_str());
        std::exit(1);
      }
    batch.clear();
  };
  submit();
  // Pairs of entries: a volunteer logs an hour for a service user (paid by
  // the pool), the service user confirms it in the next batch.
  std::vector<std::pair<EntryId, std::size_t>> to_confirm;
  while (made < count) {
    for (auto& [id, user] : to_confirm) {
      if (made >= count) break;
      batch.push_back(sign(node.public_key, users[user], nonce++, now, HoursConfirm{id}));
      ++made;
    }
    to_confirm.clear();
    std::vector<std::size_t> user_of;
    for (int i = 0; i < 500 && made < count; ++i, ++made) {
      HoursLog log;
      std::size_t user = nonce % users.size();
      log.recipient = users[user].public_key;
      log.payer = Payer::pool;
      log.minutes = 60;
      log.category = "befriending";
      log.date_days = static_cast<std::int32_t>(now / 86'400'000);
      batch.push_back(sign(node.public_key, volunteers[nonce % volunteers.size()], nonce, now, log));
      ++nonce;
      user_of.push_back(user);
    }
    std::size_t logs_from = batch.size() - user_of.size();
    std::vector<Bytes> sent = batch;
    auto results = ledger.value()->submit(sent);
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i].ok()) {
        std::fprintf(stderr, "refused: %s\n", results[i].message.c_str());
        return 1;
      }
      if (i >= logs_from) to_confirm.push_back({results[i].id, user_of[i - logs_from]});
    }
    batch.clear();
  }
  std::printf("%llu\n", static_cast<unsigned long long>(ledger.value()->log_size()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init()) return 1;
  std::string data;
  std::uint64_t entries = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--verify-rate") {
      std::printf("%.0f\n", bench::verify_rate(std::max(1u, std::thread::hardware_concurrency()), 200, 2));
      return 0;
    }
    if (arg == "--data" && i + 1 < argc)
      data = argv[++i];
    else if (arg == "--entries" && i + 1 < argc)
      entries = std::stoull(argv[++i]);
    else {
      std::fprintf(stderr, "usage: bench_fill --data DIR --entries N | bench_fill --verify-rate\n");
      return 2;
    }
  }
  if (data.empty() || entries == 0) {
    std::fprintf(stderr, "usage: bench_fill --data DIR --entries N | bench_fill --verify-rate\n");
    return 2;
  }
  return fill(data, entries);
}
