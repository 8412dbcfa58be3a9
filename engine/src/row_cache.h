// Committed rows the rules read for nearly every entry (members, signing
// keys, balances, the policy), kept in memory by the one writer of a log so
// that a commit does not ask RocksDB for them again. Internal to the engine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cohours/store.h"

namespace cohours {

// Holds rows exactly as the store holds them, absence included. Only the
// log's single writer may use one, and only while nothing else writes the
// log's space: it learns of writes through learn_written(), called once a
// write is known to have landed, and must be cleared after any write whose
// outcome is unknown.
class RowCache {
 public:
  // Rows this cache holds: few per member, so the cache stays small.
  static bool caches(Column column, std::string_view key);

  // The row if it is held, nullptr if not; a row the store does not have
  // is held as nullopt.
  const std::optional<std::string>* find(Column column, std::string_view key) const;
  // A row as just read from the store (value nullptr: the store has none).
  void learn_read(Column column, std::string_view key, const std::string* value);
  // The rows of a batch the store has durably applied.
  void learn_written(const WriteBatch& batch);
  // Writes `batch` to `store` and learns it; forgets every row if the write
  // failed or threw (it may have landed all the same).
  Status write_through(Store& store, const WriteBatch& batch, Durability durability);
  void clear() { rows_.clear(); }

 private:
  static std::string slot(Column column, std::string_view key);
  void set(std::string slot, std::optional<std::string> value);
  std::unordered_map<std::string, std::optional<std::string>> rows_;
};

}  // namespace cohours
