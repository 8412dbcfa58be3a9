// Stores written before the one-family layout (a RocksDB column family per
// column) are merged into one family on open, and read the same after.
#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include <string>
#include <vector>

#include "cohours/store.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::TempDir;

namespace {

// Writes rows the way the old layout kept them: each column in the column
// family named after it. `extra_family` adds one more, unknown, family.
void write_old_layout(const std::string& path, const std::vector<std::pair<Column, std::pair<std::string, std::string>>>& rows,
                      const std::string& extra_family = "") {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families{{rocksdb::kDefaultColumnFamilyName, {}}};
  for (std::size_t i = 0; i < kColumnCount; ++i) families.emplace_back(column_name(static_cast<Column>(i)), rocksdb::ColumnFamilyOptions());
  if (!extra_family.empty()) families.emplace_back(extra_family, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  REQUIRE(rocksdb::DB::Open(options, path, families, &handles, &db).ok());
  for (const auto& [column, row] : rows)
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[static_cast<std::size_t>(column) + 1], row.first, row.second).ok());
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
  REQUIRE(db->Close().ok());
  delete db;
}

std::vector<std::string> families_of(const std::string& path) {
  std::vector<std::string> names;
  REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  return names;
}

std::string read(const Store& store, Column column, const std::string& key) {
  std::string value;
  Status status = store.get(column, key, &value);
  return status.ok() ? value : "<" + status.message() + ">";
}

}  // namespace

TEST_CASE("rocks store: a store of the old layout is merged into one family and reads the same") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  const std::string high_key = std::string("\xff\xff", 2) + "k";
  write_old_layout(path, {{Column::meta, {"format", "3"}},
                          {Column::records, {be64(1), "first"}},
                          {Column::records, {be64(2), "second"}},
                          {Column::balances, {high_key, "balance"}},
                          {Column::signers, {"s", "signer"}}});
  CHECK(families_of(path).size() == kColumnCount + 1);
  {
    auto store = open_rocks_store(path, OpenMode::open_existing);
    REQUIRE_MESSAGE(store.ok(), store.status().message());
    CHECK(read(*store.value(), Column::meta, "format") == "3");
    CHECK(read(*store.value(), Column::balances, high_key) == "balance");
    CHECK(read(*store.value(), Column::signers, "s") == "signer");
    // A column's scan sees its own rows only, in order.
    std::vector<std::string> records;
    for (auto cursor = store.value()->scan(Column::records, "", ""); cursor->valid(); cursor->next())
      records.emplace_back(cursor->value());
    CHECK(records == std::vector<std::string>{"first", "second"});
    CHECK(store.value()->scan(Column::heads, "", "")->valid() == false);
  }
  CHECK(families_of(path) == std::vector<std::string>{rocksdb::kDefaultColumnFamilyName});
  // And again: nothing left to merge, the rows still there.
  auto again = open_rocks_store(path, OpenMode::open_existing);
  REQUIRE(again.ok());
  CHECK(read(*again.value(), Column::records, be64(2)) == "second");
}

TEST_CASE("rocks store: a merge cut short is done again on the next open") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  write_old_layout(path, {{Column::meta, {"format", "3"}}, {Column::heads, {be64(7), "head"}}});
  // As a crash after the copy but before the old families were dropped
  // leaves it: the rows copied, the families still there.
  {
    rocksdb::Options options;
    std::vector<std::string> names = families_of(path);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, path, families, &handles, &db).ok());
    REQUIRE(db->Put(rocksdb::WriteOptions(), std::string(1, static_cast<char>(Column::meta)) + "format", "3").ok());
    for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
    REQUIRE(db->Close().ok());
    delete db;
  }
  auto store = open_rocks_store(path, OpenMode::open_existing);
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  CHECK(read(*store.value(), Column::meta, "format") == "3");
  CHECK(read(*store.value(), Column::heads, be64(7)) == "head");
  store.value().reset();
  CHECK(families_of(path).size() == 1);
}

TEST_CASE("rocks store: a family this version does not know is refused and nothing changes") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  write_old_layout(path, {{Column::meta, {"format", "3"}}}, "from-the-future");
  auto store = open_rocks_store(path, OpenMode::open_existing);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().message().find("'from-the-future'") != std::string::npos);
  CHECK(families_of(path).size() == kColumnCount + 2);
}
