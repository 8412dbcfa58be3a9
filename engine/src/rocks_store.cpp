// The RocksDB Store (docs/data-format.md "RocksDB layout"): one database, one
// column family per Column. Also the column names and big-endian key helpers
// shared by both stores.
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/cache.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <system_error>
#include <utility>

#include "cohours/store.h"
#include "store_refusals.h"
#include "rocks_warnings.h"

namespace cohours {

const char* column_name(Column column) {
  switch (column) {
    case Column::meta:
      return "meta";
    case Column::records:
      return "records";
    case Column::heads:
      return "heads";
    case Column::entries:
      return "entries";
    case Column::postings:
      return "postings";
    case Column::balances:
      return "balances";
    case Column::movements:
      return "movements";
    case Column::requests:
      return "requests";
    case Column::members:
      return "members";
    case Column::tree:
      return "tree";
    case Column::directory:
      return "directory";
    case Column::notes:
      return "notes";
    case Column::peers:
      return "peers";
    case Column::expenses:
      return "expenses";
    case Column::inbound:
      return "inbound";
    case Column::evidence:
      return "evidence";
    case Column::witnesses:
      return "witnesses";
    case Column::refusals:
      return "refusals";
    case Column::signers:
      return "signers";
    case Column::count_:
      break;
  }
  return "unknown";
}

std::string be64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

// Reads the first 8 bytes; a shorter input is read as the number it spells
// rather than overrunning (callers that care check the size themselves).
std::uint64_t read_be64(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size() && i < 8; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

namespace {

constexpr std::size_t kWriteBufferBytes = 4 << 20;
// The whole of the store's memory: memtables are charged to the block cache,
// so blocks, indexes, filters and unflushed writes share one 64 MiB budget
// (docs/reliability.md "Soak").
constexpr std::size_t kStoreMemoryBytes = 64 << 20;
constexpr std::size_t kMemtableBudgetBytes = 32 << 20;

rocksdb::Slice slice(std::string_view bytes) {
  return {bytes.data(), bytes.size()};
}

// Every RocksDB status goes through here: corruption stays corruption, any
// other failure is an io_error carrying RocksDB's own description.
Status convert(const rocksdb::Status& status, const char* what) {
  if (status.ok()) return {};
  std::string text = status.ToString();
  if (status.IsNoSpace() || text.find("No space left on device") != std::string::npos)
    return Status(
        Code::io_error,
        std::string(what) + ": the disk is full, nothing was written; free some space (" + text + ")");
  Code code = status.IsCorruption() ? Code::corruption : Code::io_error;
  return Status(code, std::string(what) + ": " + text);
}

// A RocksDB snapshot, released when its last reader (a snapshot view, a
// cursor) is gone.
using SharedSnapshot = std::shared_ptr<const rocksdb::Snapshot>;
SharedSnapshot take_snapshot(rocksdb::DB* db) {
  return SharedSnapshot(db->GetSnapshot(), [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

// Reads through a snapshot it shares (its own, or its thread's pinned
// one), which is released, and the bound's bytes freed, only after the
// iterator that uses them is gone. Must not outlive the store.
class RocksCursor final : public Cursor {
 public:
  RocksCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, SharedSnapshot snapshot,
              std::string_view from, std::string_view to)
      : snapshot_(std::move(snapshot)), upper_(to), upper_slice_(upper_) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_.get();
    if (!upper_.empty()) options.iterate_upper_bound = &upper_slice_;
    iterator_.reset(db->NewIterator(options, family));
    iterator_->Seek(slice(from));
  }
  ~RocksCursor() override { iterator_.reset(); }
  RocksCursor(const RocksCursor&) = delete;
  RocksCursor& operator=(const RocksCursor&) = delete;

  bool valid() const override { return iterator_->Valid(); }
  std::string_view key() const override {
    rocksdb::Slice key = iterator_->key();
    return {key.data(), key.size()};
  }
  std::string_view value() const override {
    rocksdb::Slice value = iterator_->value();
    return {value.data(), value.size()};
  }
  void next() override { iterator_->Next(); }
  Status status() const override { return convert(iterator_->status(), "store scan"); }

 private:
  SharedSnapshot snapshot_;
  std::string upper_;           // owns the bound's bytes ...
  rocksdb::Slice upper_slice_;  // ... which the iterator reads through this
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

// A cursor that failed before it started (an unknown column).
class FailedCursor final : public Cursor {
 public:
  explicit FailedCursor(Status status) : status_(std::move(status)) {}
  bool valid() const override { return false; }
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  void next() override {}
  Status status() const override { return status_; }

 private:
  Status status_;
};

// A read of one key, at `snapshot` (null: the latest state).
Status rocks_get(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, const rocksdb::Snapshot* snapshot,
                 std::string_view key, std::string* value) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  rocksdb::Status status = db->Get(options, family, slice(key), value);
  if (status.IsNotFound()) return Status(Code::not_found, "no such key");
  return convert(status, "store read");
}

// The store at one RocksDB snapshot (ReadOptions::snapshot on every read):
// what a ReadSnapshot pins. Taking one is O(1) and copies nothing; while it
// lives, compaction keeps the versions it sees.
class RocksSnapshot final : public Store {
 public:
  RocksSnapshot(rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles)
      : db_(db), handles_(handles), snapshot_(take_snapshot(db)) {}

  Status compact(Column) override { return snapshot_read_only(); }
  std::unique_ptr<const Store> snapshot() const override { return std::make_unique<RocksSnapshot>(*this); }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    if (!known_column(column)) return no_such_column();
    return rocks_get(db_, family(column), snapshot_.get(), key, value);
  }
  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    if (!known_column(column)) return std::make_unique<FailedCursor>(no_such_column());
    return std::make_unique<RocksCursor>(db_, family(column), snapshot_, from, to);
  }
  Status do_write(const WriteBatch&, Durability) override { return snapshot_read_only(); }
  Status do_clear(Column) override { return snapshot_read_only(); }
  Status do_erase_range(Column, std::string_view, std::string_view) override { return snapshot_read_only(); }

 private:
  rocksdb::ColumnFamilyHandle* family(Column column) const {
    return handles_[static_cast<std::size_t>(column) + 1];
  }

  rocksdb::DB* db_;
  const std::vector<rocksdb::ColumnFamilyHandle*>& handles_;  // the store's
  SharedSnapshot snapshot_;
};

class RocksStore final : public Store {
 public:
  // handles[0] is RocksDB's "default" family, then one per Column in order.
  RocksStore(rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : db_(db), handles_(std::move(handles)) {}

  ~RocksStore() override {
    // Handles first, then Close, then unique_ptr deletes the DB, as RocksDB
    // requires. A destructor has no one to report a failure to (and synced
    // writes are already durable), so a failed step does not stop the rest.
    // Close fails if a snapshot (a cursor, a ReadSnapshot) is still alive:
    // they must die first.
    bool clean = true;
    for (auto* handle : handles_) clean = db_->DestroyColumnFamilyHandle(handle).ok() && clean;
    clean = db_->Close().ok() && clean;
    (void)clean;
  }
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  Status compact(Column column) override {
    if (!known_column(column)) return no_such_column();
    // Flush every family first: the write-ahead log holding the erased
    // values is dropped only once no memtable needs it.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    if (auto status = db_->Flush(flush, handles_); !status.ok()) return convert(status, "store flush");
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    return convert(db_->CompactRange(options, family(column), nullptr, nullptr), "store compact");
  }

  std::unique_ptr<const Store> snapshot() const override {
    return std::make_unique<RocksSnapshot>(db_.get(), handles_);
  }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    if (!known_column(column)) return no_such_column();
    return rocks_get(db_.get(), family(column), nullptr, key, value);
  }

  Status do_write(const WriteBatch& batch, Durability durability) override {
    rocksdb::WriteBatch rocks;
    for (const auto& op : batch.ops()) {
      if (!known_column(op.column)) return no_such_column();
      rocksdb::Status status = op.erase ? rocks.Delete(family(op.column), slice(op.key))
                                        : rocks.Put(family(op.column), slice(op.key), slice(op.value));
      if (!status.ok()) return convert(status, "store batch");
    }
    if (Status resumed = resume_after_failed_write(); !resumed.ok()) return resumed;
    rocksdb::WriteOptions options;
    options.sync = durability == Durability::synced;  // fsync the WAL before returning
    rocksdb::Status status = db_->Write(options, &rocks);
    if (!status.ok() && !status.IsCorruption()) write_failed_ = true;
    return convert(status, "store write");
  }

  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    if (!known_column(column)) return std::make_unique<FailedCursor>(no_such_column());
    return std::make_unique<RocksCursor>(db_.get(), family(column), take_snapshot(db_.get()), from, to);
  }

  // DeleteRange needs an exclusive end key, and no fixed key sorts after every
  // key (any key, all-0xff included, can be extended by another byte). So the
  // end is the column's last key followed by a 0x00 byte: the smallest key
  // greater than it. One range tombstone rather than a delete per key. Keys
  // written concurrently beyond the last key may survive; reindex, the
  // caller, is the only writer while it clears.
  Status do_clear(Column column) override {
    if (!known_column(column)) return no_such_column();
    std::string end;
    {
      std::unique_ptr<rocksdb::Iterator> last(db_->NewIterator(rocksdb::ReadOptions(), family(column)));
      last->SeekToLast();
      if (!last->status().ok()) return convert(last->status(), "store clear");
      if (!last->Valid()) return {};  // already empty
      end = last->key().ToString();
      end.push_back('\0');
    }
    rocksdb::WriteOptions options;
    options.sync = true;
    return convert(db_->DeleteRange(options, family(column), rocksdb::Slice(), end), "store clear");
  }

  Status do_erase_range(Column column, std::string_view from, std::string_view to) override {
    if (!known_column(column)) return no_such_column();
    if (to.empty() || !(from < to)) return {};
    rocksdb::WriteOptions options;
    options.sync = true;
    return convert(db_->DeleteRange(options, family(column), rocksdb::Slice(from.data(), from.size()),
                                    rocksdb::Slice(to.data(), to.size())),
                   "store erase range");
  }

 private:
  rocksdb::ColumnFamilyHandle* family(Column column) const {
    return handles_[static_cast<std::size_t>(column) + 1];
  }

  // After a failed write (a full disk, say) RocksDB refuses every later
  // write until told to resume, and on a small disk it never retries by
  // itself (it waits for 64 MiB free). So the next write asks it to: once
  // space is back the node writes again without a restart; until then the
  // write is refused with the reason.
  Status resume_after_failed_write() {
    if (!write_failed_) return {};
    std::lock_guard lock(resume_mu_);
    if (!write_failed_) return {};
    rocksdb::Status status = db_->Resume();
    // Busy: RocksDB is already waiting for free space (see kWriteBufferBytes).
    if (status.IsBusy())
      return Status(Code::io_error,
                    "store write: the disk is full, or was until moments ago; writing resumes by itself "
                    "within 5 s of " +
                        std::to_string(kWriteBufferBytes >> 20) + " MiB being free");
    if (!status.ok()) return convert(status, "store write (the store stopped writing after an error)");
    write_failed_ = false;
    return {};
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::mutex resume_mu_;
  std::atomic<bool> write_failed_{false};
};

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<Store>> open_rocks_store(const std::string& path, OpenMode mode,
                                                StoreWarnings warnings) {
  const std::string init_hint = "no store at " + path + "; run `cohours init` first";
  if (mode == OpenMode::open_existing) {
    std::error_code error;
    bool exists = std::filesystem::exists(path, error);
    if (error) return Status(Code::io_error, "cannot access store " + path + ": " + error.message());
    if (!exists) return Status(Code::not_found, init_hint);
  }

  // Defaults (paranoid_checks included), but for creation and the info log.
  rocksdb::DBOptions options;
  options.create_if_missing = mode == OpenMode::create_if_missing;
  // Columns added by a later version appear empty in an older store.
  options.create_missing_column_families = true;
  // No info log file: warnings and errors go to the caller (rocks_warnings.cpp).
  options.info_log = make_rocks_warnings(std::move(warnings));
  // RocksDB's default (point in time) replays the write-ahead log up to the
  // first damaged record and silently drops the rest: one flipped byte lost
  // acknowledged entries and the next append reused their sequence numbers.
  // This mode still drops an incomplete last record (a write cut off by a
  // crash, never acknowledged) but refuses to open on any checksum mismatch.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;

  // RocksDB insists on opening its "default" family; we leave it empty.
  // Memory a node may use for the store, whatever the log's size: one block
  // cache for every column family (RocksDB's default is 32 MiB each, and
  // index and filter blocks outside any cache), and one budget for all
  // memtables, flushed when it is reached and charged to that cache, so the
  // store as a whole stays within kStoreMemoryBytes.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kStoreMemoryBytes);
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudgetBytes, cache);
  options.max_total_wal_size = 2 * kMemtableBudgetBytes;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // After a full disk RocksDB resumes writing by itself once this much is
  // free again (it keeps the largest write buffer in reserve and looks every
  // 5 s); the default 64 MiB would leave a small server stuck for good.
  family_options.write_buffer_size = kWriteBufferBytes;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (std::size_t i = 0; i < kColumnCount; ++i)
    families.emplace_back(column_name(static_cast<Column>(i)), family_options);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, families, &handles, &db);
  if (!status.ok()) {
    // On failure RocksDB has already freed the handles and the DB.
    std::string text = status.ToString();
    // The LOCK file is held: by another process ("While lock file: …/LOCK")
    // or by another open store in this one ("lock hold by current process").
    if (status.IsIOError() && contains(text, "/LOCK"))
      return Status(Code::io_error, "store " + path +
                                        " is in use by another process (cohoursd, or another cohours "
                                        "command still running)");
    // An existing directory that holds no database.
    if (status.IsInvalidArgument() && contains(text, "does not exist"))
      return Status(Code::not_found, init_hint);
    if (status.IsCorruption())
      return Status(Code::corruption, "store " + path + " is damaged (" + text +
                                          "); it was not opened and nothing was written. Keep a copy of "
                                          "it and see docs/operations.md \"A damaged store\"");
    return convert(status, ("cannot open store " + path).c_str());
  }
  auto store = std::make_unique<RocksStore>(db, std::move(handles));
  // The store holds members' contact details: its directory is the owner's
  // alone, whatever the umask or a later chmod of the data directory.
  std::error_code denied;
  std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, denied);
  if (denied) return Status(Code::io_error, "cannot make store " + path + " private: " + denied.message());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace cohours
