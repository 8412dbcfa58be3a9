#include "rocks_level0.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <rocksdb/metadata.h>

namespace cohours {

namespace {
// Below RocksDB's trigger of 4 level-0 files, so a merge keeps it from
// firing.
constexpr std::size_t kMergeAtFiles = 3;
// Past this, level 0 is left to RocksDB's compaction into the levels below:
// merging it again on every open would cost more than that rewrite.
constexpr std::uint64_t kLevel0Bytes = 4 << 20;
// Room a merge must leave: its output, and the write buffers RocksDB keeps
// in reserve to resume after a full disk.
constexpr std::uint64_t kMergeRoomBytes = 64 << 20;
}  // namespace

rocksdb::Status merge_small_level0(rocksdb::DB& db, std::uint64_t disk_free) {
  if (disk_free < kMergeRoomBytes) return rocksdb::Status::OK();
  rocksdb::ColumnFamilyMetaData meta;
  db.GetColumnFamilyMetaData(&meta);
  if (meta.levels.empty()) return rocksdb::Status::OK();
  std::vector<rocksdb::SstFileMetaData> files = meta.levels.front().files;
  if (files.size() < kMergeAtFiles) return rocksdb::Status::OK();
  std::uint64_t total = 0;
  for (const auto& file : files) total += file.size;
  if (total > kLevel0Bytes) return rocksdb::Status::OK();
  // Newest first. A merge must take level-0 files that are adjacent in age;
  // taking the newest while the next older one is no bigger than twice
  // those taken rewrites each byte only a few times (size-tiered), and at
  // least two are taken so the count goes down.
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.largest_seqno > b.largest_seqno; });
  std::vector<std::string> names;
  std::uint64_t taken = 0;
  for (const auto& file : files) {
    if (names.size() >= 2 && file.size > 2 * taken) break;
    names.push_back(file.name);
    taken += file.size;
  }
  rocksdb::CompactionOptions options;
  options.compression = rocksdb::kDisableCompressionOption;  // the store's own compression
  return db.CompactFiles(options, names, 0);
}

}  // namespace cohours
