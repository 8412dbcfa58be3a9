#include "limits.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cohours/crypto.h"

namespace cohours::bench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

double verify_rate(unsigned threads, std::size_t message_bytes, double seconds) {
  KeyPair key = generate_keypair();
  Bytes message(message_bytes, 0x42);
  Signature signature = sign(message, key.secret_key);
  std::atomic<std::uint64_t> done{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      std::uint64_t mine = 0;
      // Check the clock every 256 verifications: cheap next to one of them.
      while (seconds_since(start) < seconds)
        for (int i = 0; i < 256; ++i, ++mine)
          if (!verify(signature, message, key.public_key)) throw std::logic_error("verify failed");
      done += mine;
    });
  for (auto& thread : pool) thread.join();
  return done / seconds_since(start);
}

double synced_write_rate(const std::filesystem::path& dir, std::size_t record_bytes, std::size_t per_batch,
                         double seconds) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir.string(), &raw).ok()) throw std::runtime_error("open " + dir.string());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  std::string value(record_bytes, 'r');
  std::uint64_t written = 0;
  auto start = Clock::now();
  while (seconds_since(start) < seconds) {
    rocksdb::WriteBatch batch;
    for (std::size_t i = 0; i < per_batch; ++i, ++written) {
      std::string key(8, '\0');
      for (int b = 0; b < 8; ++b) key[b] = static_cast<char>(written >> (56 - 8 * b));
      batch.Put(key, value);
    }
    if (!db->Write(synced, &batch).ok()) throw std::runtime_error("synced write failed");
  }
  double rate = written / seconds_since(start);
  db->Close();
  return rate;
}

}  // namespace cohours::bench
