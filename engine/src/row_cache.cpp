#include "row_cache.h"

#include "state.h"

namespace cohours {

namespace {
// Several times the rows of a co-op's members (a few each). Reaching it
// (entries from many strangers' keys leave absent rows) starts the cache
// again: at most ~10 MB per log.
constexpr std::size_t kMaxRows = 50'000;
}  // namespace

bool RowCache::caches(Column column, std::string_view key) {
  switch (column) {
    case Column::members:
    case Column::signers:
    case Column::balances:
      return true;
    case Column::meta:
      return key == meta_key::policy;
    default:
      return false;
  }
}

std::string RowCache::slot(Column column, std::string_view key) {
  std::string out(1, static_cast<char>(column));
  out += key;
  return out;
}

const std::optional<std::string>* RowCache::find(Column column, std::string_view key) const {
  auto it = rows_.find(slot(column, key));
  return it == rows_.end() ? nullptr : &it->second;
}

void RowCache::set(std::string where, std::optional<std::string> value) {
  if (rows_.size() >= kMaxRows && !rows_.count(where)) rows_.clear();
  rows_[std::move(where)] = std::move(value);
}

void RowCache::learn_read(Column column, std::string_view key, const std::string* value) {
  if (!caches(column, key)) return;
  set(slot(column, key), value ? std::optional<std::string>(*value) : std::nullopt);
}

void RowCache::learn_written(const WriteBatch& batch) {
  for (const auto& op : batch.ops()) {
    if (!caches(op.column, op.key)) continue;
    set(slot(op.column, op.key), op.erase ? std::nullopt : std::optional<std::string>(op.value));
  }
}

Status RowCache::write_through(Store& store, const WriteBatch& batch, Durability durability) {
  try {
    Status status = store.write(batch, durability);
    if (status.ok())
      learn_written(batch);
    else
      clear();
    return status;
  } catch (...) {
    clear();
    throw;
  }
}

}  // namespace cohours
