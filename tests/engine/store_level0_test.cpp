// Short runs of the CLI each leave a tiny level-0 file; they are merged
// among themselves on open (rocks_level0.h) instead of making RocksDB
// rewrite the levels below while a command waits to close.
#include <doctest/doctest.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include <set>
#include <string>

#include "cohours/store.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::TempDir;

namespace {

struct Level0Levels {
  std::size_t level0_files = 0;
  std::set<std::string> lower_files;  // table files below level 0
};

Level0Levels levels_of(const std::string& path) {
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), path, &db).ok());
  rocksdb::ColumnFamilyMetaData meta;
  db->GetColumnFamilyMetaData(&meta);
  Level0Levels levels;
  for (const auto& level : meta.levels) {
    if (level.level == 0)
      levels.level0_files = level.files.size();
    else
      for (const auto& file : level.files) levels.lower_files.insert(file.name);
  }
  delete db;
  return levels;
}

void put_row(Store& store, Column column, const std::string& key, const std::string& value) {
  WriteBatch batch;
  batch.put(column, key, value);
  REQUIRE(store.write(batch, Durability::synced).ok());
}

}  // namespace

TEST_CASE("rocks store: short runs that each write a little never make level 0 rewrite the levels below") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  {
    auto store = open_rocks_store(path, OpenMode::create_if_missing);
    REQUIRE(store.ok());
    const std::string value(1000, 'v');
    for (std::uint64_t i = 0; i < 3000; ++i) {
      put_row(**store, Column::records, be64(i), value);
      put_row(**store, Column::entries, be64(i * 7919 % 3001) + "e", value);
    }
    REQUIRE((*store)->compact(Column::records).ok());
    REQUIRE((*store)->compact(Column::entries).ok());
  }
  const Level0Levels before = levels_of(path);
  REQUIRE(before.level0_files == 0);
  REQUIRE(!before.lower_files.empty());

  // Like CLI commands: open, write a row in each of two far-apart columns, close.
  for (std::uint64_t run = 0; run < 30; ++run) {
    auto store = open_rocks_store(path, OpenMode::open_existing);
    REQUIRE(store.ok());
    put_row(**store, Column::records, be64(3000 + run), "new record");
    put_row(**store, Column::entries, be64(run * 13 % 3001) + "run", "new entry");
    CHECK(levels_of(path).level0_files <= 3);
  }
  const Level0Levels after = levels_of(path);
  CHECK(after.level0_files <= 3);
  CHECK(after.lower_files == before.lower_files);

  auto store = open_rocks_store(path, OpenMode::open_existing);
  REQUIRE(store.ok());
  for (std::uint64_t run = 0; run < 30; ++run) {
    std::string value;
    CHECK((*store)->get(Column::records, be64(3000 + run), &value).ok());
    CHECK(value == "new record");
    CHECK((*store)->get(Column::entries, be64(run * 13 % 3001) + "run", &value).ok());
  }
}
