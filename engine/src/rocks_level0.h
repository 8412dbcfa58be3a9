// Keeps the level-0 files that short command-line runs leave from costing
// those runs a rewrite of the whole store. Internal to the engine.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>

namespace cohours {

// Called on a store just opened. Each run of the CLI opens the store, writes an entry or
// two and closes; the next open turns that write-ahead log into a tiny
// level-0 file. At four of them RocksDB compacted level 0 into the last
// level, rewriting nearly every table file (each entry writes keys all over
// the key space), and the command waited for it to close: 0.7-1.5 s at 100k
// records, every few dozen commands. Instead the newest small level-0 files
// are merged among themselves (a few milliseconds), so level 0 stays under
// the trigger until it holds kLevel0Bytes, and the rewrite comes that much
// more rarely. A failed merge leaves the files as they were; the status
// says why (a damaged file, a full disk, files RocksDB was compacting).
// `disk_free`: bytes free where the store lives; on a nearly full disk
// nothing is merged (a merge that ran out of space would stop the store's
// writes until space is freed, where the one write a command makes fits).
rocksdb::Status merge_small_level0(rocksdb::DB& db, std::uint64_t disk_free);

}  // namespace cohours
