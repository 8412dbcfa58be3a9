#include "pending_index.h"

#include "state.h"

namespace cohours {

Result<bool> has_pending_index(const Store& base) {
  std::string marker;
  Status status = base.get(Column::meta, meta_key::pending_index, &marker);
  if (status.code() == Code::not_found) return false;
  if (!status.ok()) return status;
  return true;
}

Status build_pending_index(Store& base) {
  auto indexed = has_pending_index(base);
  if (!indexed.ok()) return indexed.status();
  if (indexed.value()) return {};
  // Every log's movements at once: a row's key is the log's key and the
  // movement id, the same key its pending row has.
  WriteBatch batch;
  auto cursor = base.scan(Column::movements, "", "");
  for (; cursor->valid(); cursor->next()) {
    Movement movement;
    if (Status s = decode_row(cursor->value(), &movement); !s.ok()) return s;
    if (movement.status != MovementStatus::pending) continue;
    batch.put(Column::pending, cursor->key(), "");
    if (batch.ops().size() == 4096) {
      if (Status s = base.write(batch, Durability::buffered); !s.ok()) return s;
      batch.clear();
    }
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  batch.put(Column::meta, meta_key::pending_index, "1");
  return base.write(batch, Durability::synced);
}

}  // namespace cohours
