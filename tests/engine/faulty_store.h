// A Store that fails on purpose (issue 13), for tests only. It wraps a real
// store and, drawn from a seeded generator, refuses writes before anything
// is applied, applies writes and then reports io_error all the same (the
// answer lost on the way back), fails point reads, and stops cursors with
// io_error at their start or part-way. crash() is a power failure: every
// write made with Durability::buffered since the last synced one is gone
// and the store is opened again, as RocksDB's write-ahead log behaves (one
// log, in order: a synced write makes everything before it durable too).
//
// Two media hold the data: memory, where the durable state is a second
// store kept in step; and a real RocksDB directory, where a crash closes
// the database and cuts every write-ahead log file back to the length it
// had after the last synced write.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "cohours/store.h"

namespace cohours::test {

// Chances per call, 0 to 1.
struct FaultPlan {
  double refuse_write = 0;  // io_error, nothing applied
  double lose_ack = 0;      // applied (durably if synced), then io_error
  double fail_read = 0;     // get() answers io_error
  double fail_scan = 0;     // the cursor stops with io_error, at once or after some rows
};

struct FaultCounts {
  std::uint64_t writes = 0;  // write/clear/erase_range calls
  std::uint64_t writes_refused = 0;
  std::uint64_t acks_lost = 0;
  std::uint64_t reads = 0;
  std::uint64_t reads_failed = 0;
  std::uint64_t scans = 0;
  std::uint64_t scans_failed = 0;
  std::uint64_t crashes = 0;
  std::uint64_t buffered_writes_dropped = 0;  // by crashes
};

// Where the data lives, and what a power failure leaves of it.
class Medium {
 public:
  virtual ~Medium() = default;
  virtual Store& store() = 0;
  // Called after `op` succeeded on store(); `synced` as RocksStore does it.
  virtual void applied(const std::function<Status(Store&)>& op, bool synced) = 0;
  // Power failure then a restart. Returns how many buffered writes were lost.
  virtual std::uint64_t crash() = 0;
};
std::unique_ptr<Medium> memory_medium();
// A RocksDB store in `directory` (created if missing).
std::unique_ptr<Medium> rocks_medium(const std::string& directory);

class FaultyStore final : public Store {
 public:
  FaultyStore(std::unique_ptr<Medium> medium, std::uint64_t seed);
  ~FaultyStore() override;

  void set_plan(const FaultPlan& plan);
  FaultPlan plan() const;
  // One-shot faults for the next write, whatever the plan says.
  void refuse_next_write();
  void lose_next_ack();
  // After the next write is applied, every read and scan fails (until the
  // plan is set again): a store that went away just as it wrote.
  void fail_reads_after_next_write();
  // Every get() of a key `which` picks fails, whatever the plan says (an
  // empty function: none). For tests aimed at one read.
  void fail_reads_where(std::function<bool(Column, std::string_view key)> which);
  FaultCounts counts() const;

  // Power failure and restart. Nothing may hold the store open (a Ledger,
  // a cursor, a snapshot): the caller opens its Ledger again afterwards.
  void crash();
  // The data underneath, read and written without faults (for checks).
  Store& inner() { return medium_->store(); }

  Status compact(Column column) override { return medium_->store().compact(column); }
  std::unique_ptr<const Store> snapshot() const override;

  // The fault state shared with this store's snapshots.
  struct Dice;

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override;
  Status do_write(const WriteBatch& batch, Durability durability) override;
  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override;
  Status do_clear(Column column) override;
  Status do_erase_range(Column column, std::string_view from, std::string_view to) override;

 private:
  Status write_op(const std::function<Status(Store&)>& op, bool synced);

  std::unique_ptr<Medium> medium_;
  std::shared_ptr<Dice> dice_;
};

}  // namespace cohours::test
