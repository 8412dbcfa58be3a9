// A co-op for the benchmarks (tests/bench/run): a fresh node in a directory,
// members joined, and work pre-signed by many member keys so that a timed
// run spends nothing on signing.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "cohours/clock.h"
#include "cohours/crypto.h"
#include "cohours/ledger.h"
#include "cohours/store.h"

namespace cohours::bench {

// One piece of help as two signed entries: a volunteer's hours.log (paid by
// the pool) and the service user's hours.confirm that posts it. The confirm
// names the log's id, so it must be submitted after the log.
struct Help {
  Bytes log;
  Bytes confirm;
};

class BenchCoop {
 public:
  // A new node in `dir` (created; must not exist) with `volunteers` and
  // `users` members joined.
  BenchCoop(const std::filesystem::path& dir, std::size_t volunteers, std::size_t users);
  ~BenchCoop();

  Ledger& ledger() { return *ledger_; }
  // `count` pieces of help, signed now, each by a volunteer and a user
  // chosen in turn.
  std::vector<Help> sign_help(std::size_t count);
  const std::vector<KeyPair>& volunteers() const { return volunteers_; }
  const std::vector<KeyPair>& users() const { return users_; }

 private:
  FakeClock clock_;
  NodeIdentity node_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Ledger> ledger_;
  std::vector<KeyPair> volunteers_, users_;
  std::uint64_t nonce_ = 1;
};

}  // namespace cohours::bench
