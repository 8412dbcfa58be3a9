// RocksDB's own log, reduced to its warnings and errors and handed to the
// caller (the daemon's log) instead of an info log file in the store.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <memory>

#include "cohours/store.h"

namespace cohours {

std::shared_ptr<rocksdb::Logger> make_rocks_warnings(StoreWarnings sink);

}  // namespace cohours
