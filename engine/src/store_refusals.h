// The refusals both stores, RocksDB's and the one in memory, give for the
// same misuse, so a test on either sees the same words.
#pragma once

#include "cohours/store.h"

namespace cohours {

inline bool known_column(Column column) {
  return static_cast<std::size_t>(column) < kColumnCount;
}

inline Status no_such_column() {
  return Status(Code::malformed, "no such store column");
}

inline Status snapshot_read_only() {
  return Status(Code::not_permitted, "a store snapshot is read-only");
}

}  // namespace cohours
