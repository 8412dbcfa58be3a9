#include "bench_coop.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace cohours::bench {

namespace {

// The benchmarks' fixed day: 2026-11-30 (tests pass on any date).
constexpr std::int64_t kNowMs = 1'796'040'000'000;

template <typename T>
T must(Result<T> result, const char* what) {
  if (!result.ok()) throw std::runtime_error(std::string(what) + ": " + result.status().message());
  return std::move(result).value();
}

}  // namespace

BenchCoop::BenchCoop(const std::filesystem::path& dir, std::size_t volunteers, std::size_t users)
    : clock_(kNowMs) {
  KeyPair node = generate_keypair();
  node_ = NodeIdentity{node.public_key, std::move(node.secret_key)};
  store_ = must(open_rocks_store(dir.string(), OpenMode::create_if_missing), "open store");
  if (Status s = Ledger::initialise(*store_, node_, "Bench Co-op", clock_); !s.ok())
    throw std::runtime_error("initialise: " + s.message());
  ledger_ = must(Ledger::open(*store_, node_, clock_), "open ledger");
  std::vector<Bytes> joins;
  auto join = [&](std::vector<KeyPair>& into, std::size_t count, std::uint32_t roles) {
    for (std::size_t i = 0; i < count; ++i) {
      into.push_back(generate_keypair());
      Entry entry{kEntryFormatVersion, node_.public_key, node_.public_key, {}, kNowMs, nonce_++,
                  MemberJoin{into.back().public_key, roles, node_.public_key}};
      joins.push_back(sign_entry(entry, node_.secret_key).bytes);
    }
  };
  join(volunteers_, volunteers, role_volunteer);
  join(users_, users, role_service_user);
  for (const auto& result : ledger_->submit(joins))
    if (!result.ok()) throw std::runtime_error("member join refused: " + result.message);
}

BenchCoop::~BenchCoop() {
  ledger_.reset();
  store_.reset();
}

std::vector<Help> BenchCoop::sign_help(std::size_t count) {
  std::vector<Help> out;
  out.reserve(count);
  const std::int32_t today = static_cast<std::int32_t>(kNowMs / 86'400'000);
  for (std::size_t i = 0; i < count; ++i) {
    const KeyPair& volunteer = volunteers_[nonce_ % volunteers_.size()];
    const KeyPair& user = users_[(nonce_ / volunteers_.size()) % users_.size()];
    HoursLog log;
    log.recipient = user.public_key;
    log.payer = Payer::pool;
    log.minutes = 60;
    log.category = "befriending";
    log.date_days = today;
    Entry logged{kEntryFormatVersion, node_.public_key, volunteer.public_key, {}, kNowMs, nonce_++, log};
    SignedEntry signed_log = sign_entry(logged, volunteer.secret_key);
    Entry confirm{kEntryFormatVersion, node_.public_key, user.public_key, {}, kNowMs, nonce_++,
                  HoursConfirm{signed_log.id}};
    out.push_back({std::move(signed_log.bytes), sign_entry(confirm, user.secret_key).bytes});
  }
  return out;
}

}  // namespace cohours::bench
