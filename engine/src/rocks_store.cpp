// The RocksDB Store (docs/data-format.md "RocksDB layout"): one database, one
// column family, each key behind its Column's byte. Also the column names and big-endian key helpers
// shared by both stores.
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/utilities/table_properties_collectors.h>
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
#include "rocks_level0.h"
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
    case Column::pending:
      return "pending";
    case Column::vettings:
      return "vettings";
    case Column::openings:
      return "openings";
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

// How table files are read, within the one cache. The index and filter of
// each file are split into 4 KiB partitions with only their top level kept
// in memory: one index block per file, read whole for every lookup, made a
// million-record log's writer thrash the cache (a log of 1M records took
// over 17 minutes of CPU to write, most of it re-reading index blocks).
// Bloom filters answer the lookups for keys that are not there (is this
// entry already in the log? was it refused before?) without reading a
// block.
rocksdb::BlockBasedTableOptions table_options(std::shared_ptr<rocksdb::Cache> cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = std::move(cache);
  table.block_size = 16 << 10;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4 << 10;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  return table;
}

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

// Every column lives in RocksDB's one "default" column family, each key
// behind its column's byte (docs/data-format.md "RocksDB layout"): one
// memtable, one write-ahead log stream and one set of table files instead of
// nineteen, so a write touches one skiplist and a CLI command's open and
// close write one table file, not one per column.
std::string family_key(Column column, std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  out.push_back(static_cast<char>(column));
  out.append(key);
  return out;
}
// The smallest key after every key of `column`.
std::string column_end(Column column) {
  return std::string(1, static_cast<char>(static_cast<std::uint8_t>(column) + 1));
}

// A RocksDB snapshot, released when its last reader (a snapshot view, a
// cursor) is gone.
using SharedSnapshot = std::shared_ptr<const rocksdb::Snapshot>;
SharedSnapshot take_snapshot(rocksdb::DB* db) {
  return SharedSnapshot(db->GetSnapshot(), [db](const rocksdb::Snapshot* s) { db->ReleaseSnapshot(s); });
}

// Reads one column through a snapshot it shares (its own, or its thread's
// pinned one), which is released, and the bound's bytes freed, only after
// the iterator that uses them is gone. Must not outlive the store.
class RocksCursor final : public Cursor {
 public:
  RocksCursor(rocksdb::DB* db, Column column, SharedSnapshot snapshot, std::string_view from, std::string_view to)
      : snapshot_(std::move(snapshot)),
        upper_(to.empty() ? column_end(column) : family_key(column, to)),
        upper_slice_(upper_) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_.get();
    options.iterate_upper_bound = &upper_slice_;
    iterator_.reset(db->NewIterator(options));
    iterator_->Seek(family_key(column, from));
  }
  ~RocksCursor() override { iterator_.reset(); }
  RocksCursor(const RocksCursor&) = delete;
  RocksCursor& operator=(const RocksCursor&) = delete;

  bool valid() const override { return iterator_->Valid(); }
  std::string_view key() const override {
    rocksdb::Slice key = iterator_->key();
    return {key.data() + 1, key.size() - 1};  // without the column's byte
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
Status rocks_get(rocksdb::DB* db, const rocksdb::Snapshot* snapshot, Column column, std::string_view key,
                 std::string* value) {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  rocksdb::PinnableSlice pinned;
  rocksdb::Status status = db->Get(options, db->DefaultColumnFamily(), family_key(column, key), &pinned);
  if (status.IsNotFound()) return Status(Code::not_found, "no such key");
  if (status.ok()) value->assign(pinned.data(), pinned.size());
  return convert(status, "store read");
}

// The store at one RocksDB snapshot (ReadOptions::snapshot on every read):
// what a ReadSnapshot pins. Taking one is O(1) and copies nothing; while it
// lives, compaction keeps the versions it sees.
class RocksSnapshot final : public Store {
 public:
  explicit RocksSnapshot(rocksdb::DB* db) : db_(db), snapshot_(take_snapshot(db)) {}

  Status compact(Column) override { return snapshot_read_only(); }
  std::unique_ptr<const Store> snapshot() const override { return std::make_unique<RocksSnapshot>(*this); }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    if (!known_column(column)) return no_such_column();
    return rocks_get(db_, snapshot_.get(), column, key, value);
  }
  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    if (!known_column(column)) return std::make_unique<FailedCursor>(no_such_column());
    return std::make_unique<RocksCursor>(db_, column, snapshot_, from, to);
  }
  Status do_write(const WriteBatch&, Durability) override { return snapshot_read_only(); }
  Status do_clear(Column) override { return snapshot_read_only(); }
  Status do_erase_range(Column, std::string_view, std::string_view) override { return snapshot_read_only(); }

 private:
  rocksdb::DB* db_;
  SharedSnapshot snapshot_;
};

class RocksStore final : public Store {
 public:
  // A scratch store names its directory, removed once it is closed.
  explicit RocksStore(rocksdb::DB* db, std::string scratch_path = {})
      : db_(db), scratch_path_(std::move(scratch_path)) {}

  ~RocksStore() override {
    // Close, then unique_ptr deletes the DB, as RocksDB requires. A
    // destructor has no one to report a failure to (and synced writes are
    // already durable). Close fails if a snapshot (a cursor, a
    // ReadSnapshot) is still alive: they must die first.
    (void)db_->Close();
    if (!scratch_path_.empty()) {
      db_.reset();
      std::error_code ignored;
      std::filesystem::remove_all(scratch_path_, ignored);
    }
  }
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  Status compact(Column column) override {
    if (!known_column(column)) return no_such_column();
    // Flush first: the write-ahead log holding the erased values is dropped
    // only once no memtable needs it.
    rocksdb::FlushOptions flush;
    flush.wait = true;
    if (auto status = db_->Flush(flush); !status.ok()) return convert(status, "store flush");
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    const std::string from = family_key(column, ""), to = column_end(column);
    rocksdb::Slice begin(from), end(to);
    return convert(db_->CompactRange(options, &begin, &end), "store compact");
  }

  std::unique_ptr<const Store> snapshot() const override { return std::make_unique<RocksSnapshot>(db_.get()); }

  Status checkpoint(const std::string& dir) const override {
    rocksdb::Checkpoint* made = nullptr;
    if (auto status = rocksdb::Checkpoint::Create(db_.get(), &made); !status.ok())
      return convert(status, "store checkpoint");
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(made);
    // 0: flush the memtables first, so the copy needs no write-ahead log.
    return convert(checkpoint->CreateCheckpoint(dir, 0), "store checkpoint");
  }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    if (!known_column(column)) return no_such_column();
    return rocks_get(db_.get(), nullptr, column, key, value);
  }

  Status do_write(const WriteBatch& batch, Durability durability) override {
    rocksdb::WriteBatch rocks;
    for (const auto& op : batch.ops()) {
      if (!known_column(op.column)) return no_such_column();
      // The column's byte and the key as two parts: no key is copied here.
      const char prefix = static_cast<char>(op.column);
      rocksdb::Slice key_parts[2] = {rocksdb::Slice(&prefix, 1), slice(op.key)};
      rocksdb::SliceParts key(key_parts, 2);
      rocksdb::Slice value_part = slice(op.value);
      rocksdb::Status status = op.erase ? rocks.Delete(key) : rocks.Put(key, rocksdb::SliceParts(&value_part, 1));
      if (!status.ok()) return convert(status, "store batch");
    }
    if (Status resumed = resume_after_failed_write(); !resumed.ok()) return resumed;
    rocksdb::WriteOptions options;
    options.sync = durability == Durability::synced && scratch_path_.empty();  // fsync the WAL first
    options.disableWAL = !scratch_path_.empty();
    // One writer at a time. RocksDB would group concurrent writers (the
    // ledger's commit, the sync's append) and hand one's batch to another
    // thread through atomics in Debian's uninstrumented library, which
    // ThreadSanitizer reports as a race (daemons_loopback, 2026-12-02);
    // the ledger already groups its own submitters, so little is lost.
    std::lock_guard one_writer(write_mu_);
    rocksdb::Status status = db_->Write(options, &rocks);
    if (!status.ok() && !status.IsCorruption()) write_failed_ = true;
    return convert(status, "store write");
  }

  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    if (!known_column(column)) return std::make_unique<FailedCursor>(no_such_column());
    return std::make_unique<RocksCursor>(db_.get(), column, take_snapshot(db_.get()), from, to);
  }

  // One range tombstone over the column's keys rather than a delete per key.
  Status do_clear(Column column) override {
    if (!known_column(column)) return no_such_column();
    return erase(family_key(column, ""), column_end(column), "store clear");
  }

  Status do_erase_range(Column column, std::string_view from, std::string_view to) override {
    if (!known_column(column)) return no_such_column();
    if (to.empty() || !(from < to)) return {};
    return erase(family_key(column, from), family_key(column, to), "store erase range");
  }

 private:
  Status erase(const std::string& from, const std::string& to, const char* what) {
    rocksdb::WriteOptions options;
    options.sync = scratch_path_.empty();
    options.disableWAL = !scratch_path_.empty();
    return convert(db_->DeleteRange(options, db_->DefaultColumnFamily(), from, to), what);
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
  std::string scratch_path_;
  std::mutex write_mu_;
  std::mutex resume_mu_;
  std::atomic<bool> write_failed_{false};
};

// Stores written before the one-family layout keep each column in a column
// family of its own. Their rows are copied into the default family behind
// their column's byte, durably, and only then are the old families dropped:
// a crash at any point leaves either old families to copy again (the same
// rows, overwritten with themselves) or the finished layout.
Status merge_column_families(const std::string& path, const rocksdb::DBOptions& db_options,
                             const rocksdb::ColumnFamilyOptions& family_options) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(db_options, path, &names).ok() || names.size() <= 1)
    return {};  // a new store, the one-family layout, or an error Open reports
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  std::vector<int> columns;  // each family's column byte; -1 for "default"
  for (const auto& name : names) {
    int column = -1;
    for (std::size_t i = 0; i < kColumnCount; ++i)
      if (name == column_name(static_cast<Column>(i))) column = static_cast<int>(i);
    if (column < 0 && name != rocksdb::kDefaultColumnFamilyName)
      return Status(Code::corruption, "store " + path + " has a column family '" + name +
                                          "' this version of cohours does not know (written by a newer "
                                          "version?); it was not opened and nothing was written");
    families.emplace_back(name, family_options);
    columns.push_back(column);
  }
  rocksdb::DBOptions options = db_options;
  options.create_if_missing = false;
  options.create_missing_column_families = false;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, path, families, &handles, &raw);
  if (!opened.ok()) return {};  // the real open below says why
  std::unique_ptr<rocksdb::DB> db(raw);
  auto close = [&](Status result) {
    for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
    (void)db->Close();
    return result;
  };
  constexpr std::size_t kCopyBatchBytes = 4 << 20;
  std::vector<rocksdb::ColumnFamilyHandle*> old;
  for (std::size_t f = 0; f < handles.size(); ++f) {
    if (columns[f] < 0) continue;
    old.push_back(handles[f]);
    const Column column = static_cast<Column>(columns[f]);
    // The iterator must be gone before the database closes, on every path.
    Status copied = [&]() -> Status {
      std::unique_ptr<rocksdb::Iterator> rows(db->NewIterator(rocksdb::ReadOptions(), handles[f]));
      rocksdb::WriteBatch batch;
      for (rows->SeekToFirst(); rows->Valid(); rows->Next()) {
        batch.Put(family_key(column, std::string_view(rows->key().data(), rows->key().size())), rows->value());
        if (batch.GetDataSize() >= kCopyBatchBytes) {
          if (auto s = db->Write(rocksdb::WriteOptions(), &batch); !s.ok()) return convert(s, "store layout");
          batch.Clear();
        }
      }
      if (!rows->status().ok()) return convert(rows->status(), "store layout");
      return convert(db->Write(rocksdb::WriteOptions(), &batch), "store layout");
    }();
    if (!copied.ok()) return close(copied);
  }
  // Every copy durable (a synced write syncs the log before it) before any
  // family is dropped.
  rocksdb::WriteOptions synced;
  synced.sync = true;
  rocksdb::WriteBatch nothing;
  if (auto s = db->Write(synced, &nothing); !s.ok()) return close(convert(s, "store layout"));
  if (auto s = db->FlushWAL(true); !s.ok()) return close(convert(s, "store layout"));
  if (auto s = db->DropColumnFamilies(old); !s.ok()) return close(convert(s, "store layout"));
  return close({});
}

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
  // No info log file: warnings and errors go to the caller (rocks_warnings.cpp).
  options.info_log = make_rocks_warnings(std::move(warnings));
  // RocksDB's default (point in time) replays the write-ahead log up to the
  // first damaged record and silently drops the rest: one flipped byte lost
  // acknowledged entries and the next append reused their sequence numbers.
  // This mode still drops an incomplete last record (a write cut off by a
  // crash, never acknowledged) but refuses to open on any checksum mismatch.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // RocksDB opens each column family's table files on up to 16 threads of
  // their own: 19 families started ~300 threads for every CLI command, most
  // of its start-up time (docs/performance.md). The files are few and
  // small; one thread opens them.
  options.max_file_opening_threads = 1;

  // Memory a node may use for the store, whatever the log's size: one block
  // cache, holding index and filter blocks too, and one budget for the
  // memtable, flushed when it is reached and charged to that cache, so the
  // store as a whole stays within kStoreMemoryBytes.
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kStoreMemoryBytes);
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudgetBytes, cache);
  options.max_total_wal_size = 2 * kMemtableBudgetBytes;
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options(cache)));
  // Levels sized from the last one up: the least space lost to keys written
  // again (a balance row is rewritten at every posting).
  family_options.level_compaction_dynamic_level_bytes = true;
  // A table file dense with deletions (the pending column: a row written
  // when hours are logged, deleted when they are confirmed) is compacted
  // first, so its tombstones reach the last level and are dropped: a scan
  // of the pending rows otherwise stepped over every confirmation the log
  // ever held (GET /v1/me at 1M records: 96 requests a second).
  family_options.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(128, 32));
  // After a full disk RocksDB resumes writing by itself once this much is
  // free again (it keeps the largest write buffer in reserve and looks every
  // 5 s); the default 64 MiB would leave a small server stuck for good.
  family_options.write_buffer_size = kWriteBufferBytes;

  if (Status merged = merge_column_families(path, options, family_options); !merged.ok()) return merged;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(rocksdb::Options(options, family_options), path, &db);
  if (!status.ok()) {
    // On failure RocksDB has already freed the DB.
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
  // A merge that fails leaves the files as they were: RocksDB's own
  // compaction took them first, or a read failed. None is tried on a nearly
  // full disk. A damaged table file is the one failure to stop at, as any
  // read of it would.
  std::error_code unknown_space;
  const std::uint64_t disk_free = std::filesystem::space(path, unknown_space).available;
  if (rocksdb::Status merged = merge_small_level0(*db, unknown_space ? 0 : disk_free); merged.IsCorruption()) {
    std::string text = merged.ToString();
    (void)db->Close();
    delete db;
    return Status(Code::corruption, "store " + path + " is damaged (" + text +
                                        "); nothing was written. Keep a copy of it and see "
                                        "docs/operations.md \"A damaged store\"");
  }
  auto store = std::make_unique<RocksStore>(db);
  // The store holds members' contact details: its directory is the owner's
  // alone, whatever the umask or a later chmod of the data directory.
  std::error_code denied;
  std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, denied);
  if (denied) return Status(Code::io_error, "cannot make store " + path + " private: " + denied.message());
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> open_scratch_store(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);
  if (!error) std::filesystem::create_directories(path, error);
  if (error) return Status(Code::io_error, "cannot make scratch store " + path + ": " + error.message());
  rocksdb::DB* db = nullptr;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_file_opening_threads = 1;
  options.info_log = make_rocks_warnings({});
  std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(kStoreMemoryBytes);
  options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(kMemtableBudgetBytes, cache);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options(cache)));
  options.write_buffer_size = kMemtableBudgetBytes / 2;
  // Its rows are thrown away: nothing is flushed to disk at the end.
  options.avoid_flush_during_shutdown = true;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &db);
  if (!status.ok()) return convert(status, ("cannot open scratch store " + path).c_str());
  // The replayed state holds what the store does: as private.
  std::filesystem::permissions(path, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace,
                               error);
  return std::unique_ptr<Store>(std::make_unique<RocksStore>(db, path));
}

}  // namespace cohours
