// In-process benchmarks for tests/bench/run (docs/performance.md). Each
// prints `name value` lines that the runner gathers into one table.
//   cohours_bench limits [--seconds S]
//       verify_1 / verify_all: ed25519 verifications per second on one
//       thread and on all cores; rocks_sync_1 / rocks_sync_1000: RocksDB
//       synced WriteBatch records per second, 1 and 1,000 per batch.
//   cohours_bench ingest --dir DIR --help N --submitters K --batch B
//       N pieces of help (2N entries), pre-signed by 200 volunteers and 100
//       service users, submitted by K threads B entries at a time, every
//       one verified and durably committed: ingest_rate (entries/s) and
//       the p50/p99 of one submission in microseconds.
//   cohours_bench reads --data DIR [--seconds S]
//       balance look-ups per second in-process on the node in DIR (its
//       daemon stopped), every account in turn, and their p99.
//   cohours_bench record-bytes --data DIR
//       how many records the store holds and their bytes.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench_coop.h"
#include "limits.h"

using namespace cohours;
using namespace cohours::bench;
using SteadyClock = std::chrono::steady_clock;

namespace {

// The size of a signed hours.log, the commonest entry (bytes).
constexpr std::size_t kEntryBytes = 220;

std::map<std::string, std::string> parse(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 2; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  return args;
}

double number(const std::map<std::string, std::string>& args, const std::string& name, double fallback) {
  auto found = args.find(name);
  return found == args.end() ? fallback : std::stod(found->second);
}

double elapsed(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// CPU seconds this process has used, all threads.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto to_s = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return to_s(usage.ru_utime) + to_s(usage.ru_stime);
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * values.size()))];
}

int limits(const std::map<std::string, std::string>& args) {
  const double seconds = number(args, "--seconds", 2);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("cores %u\n", cores);
  std::printf("verify_1 %.0f\n", verify_rate(1, kEntryBytes, seconds));
  std::printf("verify_all %.0f\n", verify_rate(cores, kEntryBytes, seconds));
  auto dir = std::filesystem::temp_directory_path() / ("cohours-bench-rocks-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::printf("rocks_sync_1 %.0f\n", synced_write_rate(dir / "one", kEntryBytes, 1, seconds));
  std::printf("rocks_sync_1000 %.0f\n", synced_write_rate(dir / "thousand", kEntryBytes, 1000, seconds));
  std::filesystem::remove_all(dir);
  return 0;
}

void check(const std::vector<SubmitResult>& results) {
  for (const auto& result : results)
    if (!result.ok() || result.duplicate) {
      std::fprintf(stderr, "refused: %s\n", result.message.c_str());
      std::exit(1);
    }
}

int ingest(const std::map<std::string, std::string>& args) {
  const std::size_t help = static_cast<std::size_t>(number(args, "--help", 10'000));
  const std::size_t submitters = static_cast<std::size_t>(number(args, "--submitters", 1));
  const std::size_t batch = std::max<std::size_t>(2, static_cast<std::size_t>(number(args, "--batch", 2)));
  BenchCoop coop(args.at("--dir"), 200, 100);
  std::vector<Help> work = coop.sign_help(help);
  // Submitter s takes every submitters-th slice of batch/2 pieces of help;
  // a slice goes in as its logs then their confirms, as one submission
  // (batch > 2) or one entry per submission (batch == 2).
  const std::size_t per_slice = batch / 2;
  std::vector<std::vector<double>> latencies(submitters);
  const double cpu_before = cpu_seconds();
  auto start = SteadyClock::now();
  std::vector<std::thread> threads;
  for (std::size_t s = 0; s < submitters; ++s)
    threads.emplace_back([&, s] {
      for (std::size_t from = s * per_slice; from < work.size(); from += submitters * per_slice) {
        const std::size_t to = std::min(work.size(), from + per_slice);
        std::vector<Bytes> entries;
        for (std::size_t i = from; i < to; ++i) entries.push_back(work[i].log);
        for (std::size_t i = from; i < to; ++i) entries.push_back(work[i].confirm);
        if (batch == 2) {
          for (const auto& entry : entries) {
            auto sent = SteadyClock::now();
            check({coop.ledger().submit_one(entry)});
            latencies[s].push_back(elapsed(sent) * 1e6);
          }
        } else {
          auto sent = SteadyClock::now();
          check(coop.ledger().submit(entries));
          latencies[s].push_back(elapsed(sent) * 1e6);
        }
      }
    });
  for (auto& thread : threads) thread.join();
  const double seconds = elapsed(start);
  std::vector<double> all;
  for (auto& each : latencies) all.insert(all.end(), each.begin(), each.end());
  std::printf("ingest_rate %.0f\n", 2.0 * help / seconds);
  // CPU per entry, to set beside one verification's (1e6 / verify_1).
  std::printf("ingest_cpu_us %.1f\n", (cpu_seconds() - cpu_before) * 1e6 / (2.0 * help));
  std::printf("submit_p50_us %.0f\nsubmit_p99_us %.0f\n", percentile(all, 0.5), percentile(all, 0.99));
  return 0;
}

// Opens the store of a node's data directory (its daemon stopped) without
// the node's secret key.
struct OpenedNode {
  std::unique_ptr<Store> store;
  std::unique_ptr<Ledger> ledger;
};
OpenedNode open_node(const std::string& data, const Clock& clock) {
  OpenedNode node;
  auto store = open_rocks_store(data + "/store", OpenMode::open_existing);
  if (!store.ok()) throw std::runtime_error(store.status().message());
  node.store = std::move(store).value();
  auto ledger = Ledger::open_read_only(*node.store, clock);
  if (!ledger.ok()) throw std::runtime_error(ledger.status().message());
  node.ledger = std::move(ledger).value();
  return node;
}

int reads(const std::map<std::string, std::string>& args) {
  const double seconds = number(args, "--seconds", 2);
  SystemClock clock;
  OpenedNode node = open_node(args.at("--data"), clock);
  auto balances = node.ledger->balances();
  if (!balances.ok() || balances->empty()) throw std::runtime_error("no balances to read");
  std::vector<AccountId> accounts;
  for (const auto& [account, balance] : *balances) accounts.push_back(account);
  std::uint64_t looked = 0;
  std::vector<double> latencies;
  auto start = SteadyClock::now();
  while (elapsed(start) < seconds) {
    auto asked = SteadyClock::now();
    if (!node.ledger->balance(accounts[looked % accounts.size()]).ok()) return 1;
    latencies.push_back(elapsed(asked) * 1e6);
    ++looked;
  }
  std::printf("balance_reads %.0f\nbalance_p99_us %.1f\n", looked / elapsed(start),
              percentile(latencies, 0.99));
  return 0;
}

// The bytes of the signed records themselves, to set the store's size on
// disk against.
int record_bytes(const std::map<std::string, std::string>& args) {
  SystemClock clock;
  OpenedNode node = open_node(args.at("--data"), clock);
  std::uint64_t bytes = 0, count = 0;
  auto cursor = node.store->scan(Column::records, "", "");
  for (; cursor->valid(); cursor->next(), ++count) bytes += cursor->value().size();
  if (!cursor->status().ok()) throw std::runtime_error(cursor->status().message());
  std::printf("records %llu\nrecord_bytes %llu\n", static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(bytes));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init()) return 1;
  if (argc < 2) {
    std::fprintf(stderr, "usage: cohours_bench limits|ingest|reads|record-bytes [--option value ...]\n");
    return 2;
  }
  auto args = parse(argc, argv);
  try {
    if (std::strcmp(argv[1], "limits") == 0) return limits(args);
    if (std::strcmp(argv[1], "ingest") == 0) return ingest(args);
    if (std::strcmp(argv[1], "reads") == 0) return reads(args);
    if (std::strcmp(argv[1], "record-bytes") == 0) return record_bytes(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cohours_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr, "cohours_bench: unknown benchmark %s\n", argv[1]);
  return 2;
}
