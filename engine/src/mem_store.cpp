// The in-memory Store used by tests: one std::map per column, all behind a
// single shared_mutex so a batch touching several columns is atomic. Its
// snapshot is a read-only copy (tests hold small stores).
#include <array>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "cohours/store.h"
#include "store_refusals.h"

namespace cohours {
namespace {

// Walks a private copy of the range: the copy is the snapshot, so later
// writes cannot show up and the cursor needs no lock.
class MemCursor final : public Cursor {
 public:
  MemCursor(std::vector<std::pair<std::string, std::string>> rows, Status status)
      : rows_(std::move(rows)), status_(std::move(status)) {}
  bool valid() const override { return status_.ok() && at_ < rows_.size(); }
  std::string_view key() const override { return rows_[at_].first; }
  std::string_view value() const override { return rows_[at_].second; }
  void next() override { ++at_; }
  Status status() const override { return status_; }

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
  std::size_t at_ = 0;
  Status status_;
};

class MemStore final : public Store {
 public:
  // Memory holds no deleted copies to rewrite.
  Status compact(Column column) override {
    if (static_cast<std::size_t>(column) >= kColumnCount) return Status(Code::malformed, "no such column");
    return {};
  }

  std::unique_ptr<const Store> snapshot() const override {
    auto copy = std::make_unique<MemStore>();
    std::shared_lock lock(mutex_);
    copy->columns_ = columns_;
    copy->read_only_ = true;
    return copy;
  }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    if (!known_column(column)) return no_such_column();
    std::shared_lock lock(mutex_);
    const auto& map = columns_[index(column)];
    auto it = map.find(key);
    if (it == map.end()) return Status(Code::not_found, "no such key");
    *value = it->second;
    return {};
  }

  Status do_write(const WriteBatch& batch, Durability) override {
    if (read_only_) return snapshot_read_only();
    for (const auto& op : batch.ops())
      if (!known_column(op.column)) return no_such_column();  // checked first: all or nothing
    std::unique_lock lock(mutex_);
    for (const auto& op : batch.ops()) {
      auto& map = columns_[index(op.column)];
      if (op.erase) {
        if (auto it = map.find(op.key); it != map.end()) map.erase(it);
      } else {
        map.insert_or_assign(op.key, op.value);
      }
    }
    return {};
  }

  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    std::vector<std::pair<std::string, std::string>> rows;
    if (!known_column(column)) return std::make_unique<MemCursor>(std::move(rows), no_such_column());
    std::shared_lock lock(mutex_);
    const auto& map = columns_[index(column)];
    for (auto it = map.lower_bound(from); it != map.end() && (to.empty() || it->first < to); ++it)
      rows.emplace_back(it->first, it->second);
    return std::make_unique<MemCursor>(std::move(rows), Status());
  }

  Status do_erase_range(Column column, std::string_view from, std::string_view to) override {
    if (read_only_) return snapshot_read_only();
    if (!known_column(column)) return no_such_column();
    std::unique_lock lock(mutex_);
    auto& map = columns_[index(column)];
    map.erase(map.lower_bound(from), map.lower_bound(to));
    return {};
  }

  Status do_clear(Column column) override {
    if (read_only_) return snapshot_read_only();
    if (!known_column(column)) return no_such_column();
    std::unique_lock lock(mutex_);
    columns_[index(column)].clear();
    return {};
  }

 private:
  static std::size_t index(Column column) { return static_cast<std::size_t>(column); }

  // std::less<> allows lookups by string_view without building a string.
  using Map = std::map<std::string, std::string, std::less<>>;
  mutable std::shared_mutex mutex_;
  std::array<Map, kColumnCount> columns_;
  bool read_only_ = false;  // a snapshot
};

}  // namespace

std::unique_ptr<Store> make_memory_store() {
  return std::make_unique<MemStore>();
}

}  // namespace cohours
