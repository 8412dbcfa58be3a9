#include "faulty_store.h"

#include <filesystem>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace cohours::test {

struct FaultyStore::Dice {
  mutable std::mutex mu;
  std::mt19937_64 rng;
  FaultPlan plan;
  FaultCounts counts;
  bool refuse_next = false;
  bool lose_next = false;
  bool reads_fail_next = false;
  std::function<bool(Column, std::string_view)> failing_keys;

  explicit Dice(std::uint64_t seed) : rng(seed) {}
  // Callers hold mu.
  bool roll(double chance) {
    if (chance <= 0) return false;
    return std::uniform_real_distribution<double>(0, 1)(rng) < chance;
  }
  // -1: the cursor never fails; else the rows it yields before it does.
  long scan_failure() {
    std::lock_guard lock(mu);
    ++counts.scans;
    if (!roll(plan.fail_scan)) return -1;
    ++counts.scans_failed;
    return static_cast<long>(std::uniform_int_distribution<int>(0, 8)(rng));
  }
  bool read_fails(Column column, std::string_view key) {
    std::lock_guard lock(mu);
    ++counts.reads;
    if (!(failing_keys && failing_keys(column, key)) && !roll(plan.fail_read)) return false;
    ++counts.reads_failed;
    return true;
  }
};

namespace {

Status injected(const char* what) {
  return Status(Code::io_error, std::string("injected fault: ") + what);
}

// Yields `fail_after` rows of the real cursor, then stops with io_error.
class FaultyCursor final : public Cursor {
 public:
  FaultyCursor(std::unique_ptr<Cursor> inner, long fail_after)
      : inner_(std::move(inner)), left_(fail_after), failed_(fail_after == 0) {}
  bool valid() const override { return !failed_ && inner_->valid(); }
  std::string_view key() const override { return inner_->key(); }
  std::string_view value() const override { return inner_->value(); }
  void next() override {
    inner_->next();
    if (left_ > 0 && --left_ == 0) failed_ = true;
  }
  Status status() const override { return failed_ ? injected("the scan stopped") : inner_->status(); }

 private:
  std::unique_ptr<Cursor> inner_;
  long left_;  // rows still to yield; negative: no limit
  bool failed_;
};

std::unique_ptr<Cursor> faulty_scan(const Store& inner, FaultyStore::Dice& dice, Column column,
                                    std::string_view from, std::string_view to) {
  long fail_after = dice.scan_failure();
  auto cursor = inner.scan(column, from, to);
  if (fail_after < 0) return cursor;
  return std::make_unique<FaultyCursor>(std::move(cursor), fail_after);
}

Status read_only() {
  return Status(Code::not_permitted, "a store snapshot is read-only");
}

// What a ReadSnapshot of a FaultyStore pins: the inner store's snapshot,
// read through the same dice.
class FaultySnapshot final : public Store {
 public:
  FaultySnapshot(std::unique_ptr<const Store> inner, std::shared_ptr<FaultyStore::Dice> dice)
      : inner_(std::move(inner)), dice_(std::move(dice)) {}
  Status compact(Column) override { return read_only(); }
  std::unique_ptr<const Store> snapshot() const override {
    return std::make_unique<FaultySnapshot>(inner_->snapshot(), dice_);
  }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    if (dice_->read_fails(column, key)) return injected("read failed");
    return inner_->get(column, key, value);
  }
  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    return faulty_scan(*inner_, *dice_, column, from, to);
  }
  Status do_write(const WriteBatch&, Durability) override { return read_only(); }
  Status do_clear(Column) override { return read_only(); }
  Status do_erase_range(Column, std::string_view, std::string_view) override { return read_only(); }

 private:
  std::unique_ptr<const Store> inner_;
  std::shared_ptr<FaultyStore::Dice> dice_;
};

// Every row of `from`, written into the empty `to`.
void copy_store(const Store& from, Store& to) {
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    Column column = static_cast<Column>(i);
    WriteBatch batch;
    auto cursor = from.scan(column, "", "");
    for (; cursor->valid(); cursor->next()) batch.put(column, cursor->key(), cursor->value());
    if (!cursor->status().ok() || !to.write(batch, Durability::synced).ok())
      throw std::runtime_error("copying a memory store failed");
  }
}

// The durable state is a second memory store: each synced write replays
// the buffered ones before it, then itself, into it.
class MemoryMedium final : public Medium {
 public:
  Store& store() override { return *live_; }
  void applied(const std::function<Status(Store&)>& op, bool synced) override {
    pending_.push_back(op);
    if (!synced) return;
    for (const auto& earlier : pending_)
      if (!earlier(*durable_).ok()) throw std::runtime_error("the durable memory store refused a write");
    pending_.clear();
  }
  std::uint64_t crash() override {
    std::uint64_t lost = pending_.size();
    pending_.clear();
    live_ = make_memory_store();
    copy_store(*durable_, *live_);
    return lost;
  }

 private:
  std::unique_ptr<Store> live_ = make_memory_store();
  std::unique_ptr<Store> durable_ = make_memory_store();
  std::vector<std::function<Status(Store&)>> pending_;
};

// RocksDB appends every write to its write-ahead log with write(2) at once
// and fsyncs the log for a synced write; what a power failure can take is
// the log's tail written since the last fsync. So: note each log file's
// length after every synced write, and on a crash close the database and
// cut each file back to it (a file begun since then, to nothing). The
// store's memtables stay small (4 MiB), so no buffered write reaches a
// table file in these tests, which would make it durable early.
class RocksMedium final : public Medium {
 public:
  explicit RocksMedium(std::string directory) : directory_(std::move(directory)) { open(); }
  Store& store() override { return *store_; }
  void applied(const std::function<Status(Store&)>&, bool synced) override {
    if (!synced) {
      ++unsynced_;
      return;
    }
    unsynced_ = 0;
    synced_lengths_.clear();
    for (const auto& file : std::filesystem::directory_iterator(directory_))
      if (file.path().extension() == ".log")
        synced_lengths_[file.path().string()] = std::filesystem::file_size(file.path());
  }
  std::uint64_t crash() override {
    store_.reset();  // closes the database; its files stay as written
    for (const auto& file : std::filesystem::directory_iterator(directory_)) {
      if (file.path().extension() != ".log") continue;
      auto synced = synced_lengths_.find(file.path().string());
      std::uintmax_t keep = synced == synced_lengths_.end() ? 0 : synced->second;
      if (std::filesystem::file_size(file.path()) > keep) std::filesystem::resize_file(file.path(), keep);
    }
    std::uint64_t lost = unsynced_;
    unsynced_ = 0;
    open();
    return lost;
  }

 private:
  void open() {
    auto opened = open_rocks_store(directory_, OpenMode::create_if_missing);
    if (!opened.ok()) throw std::runtime_error("cannot open " + directory_ + ": " + opened.status().message());
    store_ = std::move(opened).value();
    applied({}, true);  // what the open left on disk is durable
  }

  std::string directory_;
  std::unique_ptr<Store> store_;
  std::map<std::string, std::uintmax_t> synced_lengths_;
  std::uint64_t unsynced_ = 0;
};

}  // namespace

std::unique_ptr<Medium> memory_medium() {
  return std::make_unique<MemoryMedium>();
}
std::unique_ptr<Medium> rocks_medium(const std::string& directory) {
  return std::make_unique<RocksMedium>(directory);
}

FaultyStore::FaultyStore(std::unique_ptr<Medium> medium, std::uint64_t seed)
    : medium_(std::move(medium)), dice_(std::make_shared<Dice>(seed)) {}
FaultyStore::~FaultyStore() = default;

void FaultyStore::set_plan(const FaultPlan& plan) {
  std::lock_guard lock(dice_->mu);
  dice_->plan = plan;
}
FaultPlan FaultyStore::plan() const {
  std::lock_guard lock(dice_->mu);
  return dice_->plan;
}
void FaultyStore::refuse_next_write() {
  std::lock_guard lock(dice_->mu);
  dice_->refuse_next = true;
}
void FaultyStore::lose_next_ack() {
  std::lock_guard lock(dice_->mu);
  dice_->lose_next = true;
}
void FaultyStore::fail_reads_after_next_write() {
  std::lock_guard lock(dice_->mu);
  dice_->reads_fail_next = true;
}
void FaultyStore::fail_reads_where(std::function<bool(Column, std::string_view)> which) {
  std::lock_guard lock(dice_->mu);
  dice_->failing_keys = std::move(which);
}
FaultCounts FaultyStore::counts() const {
  std::lock_guard lock(dice_->mu);
  return dice_->counts;
}

void FaultyStore::crash() {
  std::uint64_t lost = medium_->crash();
  std::lock_guard lock(dice_->mu);
  ++dice_->counts.crashes;
  dice_->counts.buffered_writes_dropped += lost;
}

std::unique_ptr<const Store> FaultyStore::snapshot() const {
  return std::make_unique<FaultySnapshot>(medium_->store().snapshot(), dice_);
}

Status FaultyStore::do_get(Column column, std::string_view key, std::string* value) const {
  if (dice_->read_fails(column, key)) return injected("read failed");
  return medium_->store().get(column, key, value);
}

std::unique_ptr<Cursor> FaultyStore::do_scan(Column column, std::string_view from, std::string_view to) const {
  return faulty_scan(medium_->store(), *dice_, column, from, to);
}

Status FaultyStore::write_op(const std::function<Status(Store&)>& op, bool synced) {
  bool lose = false;
  {
    std::lock_guard lock(dice_->mu);
    ++dice_->counts.writes;
    if (std::exchange(dice_->refuse_next, false) || dice_->roll(dice_->plan.refuse_write)) {
      ++dice_->counts.writes_refused;
      return injected("write refused, nothing written");
    }
    lose = std::exchange(dice_->lose_next, false) || dice_->roll(dice_->plan.lose_ack);
  }
  Status status = op(medium_->store());
  if (!status.ok()) return status;
  medium_->applied(op, synced);
  std::lock_guard lock(dice_->mu);
  if (std::exchange(dice_->reads_fail_next, false)) dice_->plan.fail_read = dice_->plan.fail_scan = 1;
  if (!lose) return status;
  ++dice_->counts.acks_lost;
  return injected("the write was applied but its answer was lost");
}

Status FaultyStore::do_write(const WriteBatch& batch, Durability durability) {
  return write_op([batch, durability](Store& s) { return s.write(batch, durability); },
                  durability == Durability::synced);
}

// RocksStore syncs both of these.
Status FaultyStore::do_clear(Column column) {
  return write_op([column](Store& s) { return s.clear(column); }, true);
}
Status FaultyStore::do_erase_range(Column column, std::string_view from, std::string_view to) {
  return write_op([column, f = std::string(from), t = std::string(to)](Store& s) { return s.erase_range(column, f, t); },
                  true);
}

}  // namespace cohours::test
