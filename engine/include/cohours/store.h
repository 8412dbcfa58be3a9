// Key-value storage behind a narrow interface: RocksDB in production, memory
// in tests. Keys within a column are ordered bytewise (memcmp), which the
// engine relies on: big-endian integers in keys sort numerically.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cohours/result.h"

namespace cohours {

// One column per kind of data (DESIGN.md "Storage"); docs/data-format.md has
// each column's key and value layout. The numeric values are the on-disk
// column family order and never change.
//
// A node holds its own log and copies of other nodes' logs. Every log's
// rows (its records, heads, tree and the state derived from it) live in the
// "log columns" under a 32-byte prefix, the log's node key (see
// log_space.h); the node-level columns hold one node's own data unprefixed.
enum class Column : std::uint8_t {
  meta = 0,   // per log: identity, tip, policy; unprefixed: "self_node"
  records,    // log records by sequence number            (source of truth)
  heads,      // signed tree heads by tree size             (source of truth)
  entries,    // entry id -> sequence number                (derived)
  postings,   // account || sequence -> posting             (derived)
  balances,   // account -> balance and pending             (derived)
  movements,  // movement entry id -> movement state        (derived)
  requests,   // respite request id -> request state        (derived)
  members,    // member key -> roles                        (derived)
  tree,       // Merkle perfect-subtree hashes               (derived)
  directory,  // node-level: member key / alias -> personal data (erasable)
  notes,      // node-level: note digest -> salt and text   (erasable)
  peers,      // node-level: consortium file, peer sync state
  expenses,   // expense claim id -> claim state             (derived)
  inbound,    // origin node || origin entry -> transfer.in (derived)
  evidence,   // node-level: equivocation evidence by log
  witnesses,  // node-level: the newest cosignature by log, witness
  refusals,   // node-level: entry id -> the refusal first given (rule 9)
  signers,    // signing key -> the member it signs for; member -> current key (derived)
  pending,    // movement id -> empty, while the movement is pending      (derived)
  vettings,   // 0x01 || volunteer -> their checks; 0x02 || record id -> volunteer (derived)
  openings,   // member -> their standing balance.open entry id              (derived)
  count_      // number of columns; not a column
};
constexpr std::size_t kColumnCount = static_cast<std::size_t>(Column::count_);
const char* column_name(Column column);

// A set of writes applied atomically by Store::write.
class WriteBatch {
 public:
  struct Op {
    Column column;
    bool erase;
    std::string key;
    std::string value;
  };
  void put(Column column, std::string_view key, std::string_view value) {
    ops_.push_back({column, false, std::string(key), std::string(value)});
  }
  void erase(Column column, std::string_view key) { ops_.push_back({column, true, std::string(key), {}}); }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  void clear() { ops_.clear(); }

 private:
  std::vector<Op> ops_;
};

enum class Durability {
  synced,    // the WAL is fsynced before write() returns: survives power loss
  buffered,  // may be lost on a crash; only for rebuildable or scratch data
};

// Iterates one column in key order over [from, to) (empty `to`: to the end).
// Sees a consistent snapshot: the one its thread pins (ReadSnapshot), or
// else one taken when it was created. Must not outlive that ReadSnapshot.
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual bool valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual void next() = 0;
  // io_error if iteration stopped on a failure (then valid() is false).
  virtual Status status() const = 0;
};

// Thread-safe: any number of readers and writers at once.
//
// Reads made on a thread that holds a ReadSnapshot of this store see that
// snapshot, and writes there are refused (not_permitted). A store that
// reads through another (log_space, a test's wrapper) passes the pin on,
// since its reads are reads of the other. The public calls check the pin;
// implementations provide the do_ functions.
class Store {
 public:
  virtual ~Store() = default;
  // Sets *value. Code::not_found if absent, io_error / corruption on failure.
  Status get(Column column, std::string_view key, std::string* value) const;
  Status write(const WriteBatch& batch, Durability durability);
  std::unique_ptr<Cursor> scan(Column column, std::string_view from, std::string_view to) const;
  // Removes every key of the column (used by reindex on derived columns).
  Status clear(Column column);
  // Removes every key in [from, to) of the column; `to` must not be empty.
  Status erase_range(Column column, std::string_view from, std::string_view to);
  // Rewrites the column's files so that erased keys are gone from disk, not
  // just marked deleted (used after a member is forgotten). Backups taken
  // earlier still hold the old data.
  virtual Status compact(Column column) = 0;
  // The store as it is now, read-only: later writes do not show, writes
  // through it fail. What a ReadSnapshot pins; must not outlive the store.
  virtual std::unique_ptr<const Store> snapshot() const = 0;
  // A consistent copy of the whole store as it is now, in the new directory
  // `dir` (which must not exist; on the same file system its table files
  // are hard links), while writes go on: a RocksDB checkpoint. Only a store
  // on disk can: wrong_state otherwise.
  virtual Status checkpoint(const std::string& dir) const;

 protected:
  virtual Status do_get(Column column, std::string_view key, std::string* value) const = 0;
  virtual Status do_write(const WriteBatch& batch, Durability durability) = 0;
  virtual std::unique_ptr<Cursor> do_scan(Column column, std::string_view from,
                                          std::string_view to) const = 0;
  virtual Status do_clear(Column column) = 0;
  virtual Status do_erase_range(Column column, std::string_view from, std::string_view to) = 0;
};

// Pins the reads of `store` made on this thread, while it lives, to one
// snapshot taken when it was made: an answer assembled from many reads
// (a balance, then the postings, through Ledger, Directory and Replicas
// alike) shows one state of the store, whatever commits meanwhile; it
// neither waits for them nor blocks them. For read-only work: the thread's
// writes to the store are refused while it lives. A guard made while one
// already pins the store shares that snapshot. Reads on other threads are
// not pinned. Destroy guards in reverse order of making (keep them local).
class ReadSnapshot {
 public:
  explicit ReadSnapshot(const Store& store);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  // Whether this thread's reads of `store` are pinned.
  static bool active(const Store& store);

 private:
  friend class Store;
  const Store* store_ = nullptr;       // null: an outer guard pins it already
  std::unique_ptr<const Store> view_;  // the snapshot reads go to
  ReadSnapshot* outer_ = nullptr;      // the thread's previous guard
};

// An empty in-memory store.
std::unique_ptr<Store> make_memory_store();

// Where RocksDB's own warnings and errors go (a line each, from any thread);
// without one they are dropped. The store keeps no info log file.
using StoreWarnings = std::function<void(std::string_view)>;

// Opens (creating if `create` is set) the RocksDB store in directory `path`.
// Fails with io_error if another process holds the store open, corruption
// if its files fail their checksums.
enum class OpenMode { open_existing, create_if_missing };
Result<std::unique_ptr<Store>> open_rocks_store(const std::string& path, OpenMode mode,
                                                StoreWarnings warnings = {});

// A RocksDB store for work that is thrown away (an audit's replay of the
// rules): created empty at `path` (whatever an earlier run left there is
// removed first), written without a write-ahead log, within the same memory
// budget as a node's store, and removed with its directory when closed. Its
// writes are never durable, whatever Durability says.
Result<std::unique_ptr<Store>> open_scratch_store(const std::string& path);

// Big-endian encodings for keys that must sort numerically.
std::string be64(std::uint64_t value);
std::uint64_t read_be64(std::string_view bytes);

}  // namespace cohours
