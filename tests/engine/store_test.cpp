#include "cohours/store.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_support.h"

using namespace cohours;
using cohours::test::TempDir;

namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

Rows collect(const Store& store, Column column, std::string_view from = {}, std::string_view to = {}) {
  Rows rows;
  auto cursor = store.scan(column, from, to);
  for (; cursor->valid(); cursor->next()) rows.emplace_back(cursor->key(), cursor->value());
  CHECK(cursor->status().ok());
  return rows;
}

std::string get_or(const Store& store, Column column, std::string_view key, const char* missing = "<none>") {
  std::string value;
  Status status = store.get(column, key, &value);
  if (status.code() == Code::not_found) return missing;
  REQUIRE(status.ok());
  return value;
}

Status put(Store& store, Column column, std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.put(column, key, value);
  return store.write(batch, Durability::synced);
}

struct MemoryFixture {
  std::unique_ptr<Store> store = make_memory_store();
};

struct RocksFixture {
  TempDir dir;
  std::unique_ptr<Store> store;
  RocksFixture() {
    auto opened = open_rocks_store(dir.path + "/store", OpenMode::create_if_missing);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    store = std::move(opened).value();
  }
  ~RocksFixture() { store.reset(); }  // close before the directory goes
};

}  // namespace

TEST_CASE_TEMPLATE("store: put, get, erase and not_found", F, MemoryFixture, RocksFixture) {
  F f;
  Store& store = *f.store;
  std::string value = "untouched";
  CHECK(store.get(Column::meta, "k", &value).code() == Code::not_found);
  CHECK(value == "untouched");

  REQUIRE(put(store, Column::meta, "k", "v1").ok());
  CHECK(get_or(store, Column::meta, "k") == "v1");
  CHECK(get_or(store, Column::records, "k") == "<none>");  // columns are separate
  REQUIRE(put(store, Column::meta, "k", "v2").ok());
  CHECK(get_or(store, Column::meta, "k") == "v2");

  std::string binary("a\0b", 3);  // embedded zero bytes in keys and values
  REQUIRE(put(store, Column::meta, binary, binary).ok());
  CHECK(get_or(store, Column::meta, binary) == binary);
  CHECK(get_or(store, Column::meta, "a") == "<none>");

  WriteBatch erase;
  erase.erase(Column::meta, "k");
  erase.erase(Column::meta, "never-there");  // erasing an absent key is fine
  REQUIRE(store.write(erase, Durability::buffered).ok());
  CHECK(store.get(Column::meta, "k", &value).code() == Code::not_found);
  CHECK(store.write(WriteBatch(), Durability::synced).ok());
}

TEST_CASE_TEMPLATE("store: a batch applies in order and all at once", F, MemoryFixture, RocksFixture) {
  F f;
  Store& store = *f.store;
  REQUIRE(put(store, Column::balances, "gone", "x").ok());

  WriteBatch batch;
  batch.put(Column::records, be64(1), "record");
  batch.put(Column::entries, "id", be64(1));
  batch.erase(Column::balances, "gone");
  batch.put(Column::meta, "k", "first");
  batch.put(Column::meta, "k", "second");  // later ops win
  batch.put(Column::meta, "e", "x");
  batch.erase(Column::meta, "e");
  CHECK(get_or(store, Column::records, be64(1)) == "<none>");  // nothing until written
  REQUIRE(store.write(batch, Durability::synced).ok());
  CHECK(get_or(store, Column::records, be64(1)) == "record");
  CHECK(get_or(store, Column::entries, "id") == be64(1));
  CHECK(get_or(store, Column::balances, "gone") == "<none>");
  CHECK(get_or(store, Column::meta, "k") == "second");
  CHECK(get_or(store, Column::meta, "e") == "<none>");

  // A reader never sees half a batch: "a" and "b" always change together.
  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, scans{0};
  std::thread reader([&] {
    while (!done) {
      Rows rows = collect(store, Column::postings);
      if (rows.size() == 2 && rows[0].second != rows[1].second) ++torn;
      if (rows.size() == 1) ++torn;
      ++scans;
    }
  });
  for (int i = 0; i < 300 || (scans < 20 && i < 1'000'000); ++i) {  // until the reader has raced a while
    WriteBatch pair;
    pair.put(Column::postings, "a", std::to_string(i));
    pair.put(Column::postings, "b", std::to_string(i));
    REQUIRE(store.write(pair, Durability::buffered).ok());
  }
  done = true;
  reader.join();
  CHECK(torn == 0);
  CHECK(scans > 0);
}

TEST_CASE_TEMPLATE("store: scans run in big-endian key order over [from, to)", F, MemoryFixture,
                   RocksFixture) {
  F f;
  Store& store = *f.store;
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  WriteBatch batch;
  for (std::uint64_t n : {max, std::uint64_t{256}, std::uint64_t{0}, std::uint64_t{1} << 40,
                          std::uint64_t{255}, std::uint64_t{65536}, std::uint64_t{1}})
    batch.put(Column::records, be64(n), std::to_string(n));
  batch.put(Column::heads, be64(2), "other column");
  REQUIRE(store.write(batch, Durability::synced).ok());

  auto numbers = [&](std::string_view from, std::string_view to) {
    std::vector<std::uint64_t> out;
    for (const auto& [key, value] : collect(store, Column::records, from, to)) {
      CHECK(value == std::to_string(read_be64(key)));
      out.push_back(read_be64(key));
    }
    return out;
  };
  using V = std::vector<std::uint64_t>;
  CHECK(numbers({}, {}) == V{0, 1, 255, 256, 65536, std::uint64_t{1} << 40, max});
  CHECK(numbers(be64(255), be64(65536)) == V{255, 256});  // from included, to excluded
  CHECK(numbers(be64(2), be64(256)) == V{255});           // bounds need not be keys
  CHECK(numbers(be64(65536), {}) == V{65536, std::uint64_t{1} << 40, max});
  CHECK(numbers({}, be64(1)) == V{0});
  CHECK(numbers(be64(300), be64(300)).empty());
  CHECK(numbers(be64(300), be64(2)).empty());    // from after to
  CHECK(numbers(be64(max) + '\0', {}).empty());  // past the last key
}

TEST_CASE_TEMPLATE("store: a cursor sees the snapshot taken when it was created", F, MemoryFixture,
                   RocksFixture) {
  F f;
  Store& store = *f.store;
  WriteBatch before;
  for (std::uint64_t n = 1; n <= 3; ++n) before.put(Column::records, be64(n), "old");
  REQUIRE(store.write(before, Durability::synced).ok());

  auto cursor = store.scan(Column::records, {}, {});
  auto bounded = store.scan(Column::records, be64(2), be64(9));
  WriteBatch after;
  after.put(Column::records, be64(2), "new");
  after.erase(Column::records, be64(3));
  after.put(Column::records, be64(4), "new");
  after.put(Column::records, be64(0), "new");
  REQUIRE(store.write(after, Durability::synced).ok());
  REQUIRE(store.clear(Column::records).ok());

  Rows seen;
  for (; cursor->valid(); cursor->next()) seen.emplace_back(cursor->key(), cursor->value());
  CHECK(cursor->status().ok());
  CHECK(seen == Rows{{be64(1), "old"}, {be64(2), "old"}, {be64(3), "old"}});
  seen.clear();
  for (; bounded->valid(); bounded->next()) seen.emplace_back(bounded->key(), bounded->value());
  CHECK(seen == Rows{{be64(2), "old"}, {be64(3), "old"}});
  CHECK(collect(store, Column::records).empty());  // a new cursor sees the clear
}

TEST_CASE_TEMPLATE("store: a ReadSnapshot pins this thread's reads, and only them", F, MemoryFixture,
                   RocksFixture) {
  F f;
  Store& store = *f.store;
  REQUIRE(put(store, Column::meta, "k", "old").ok());
  WriteBatch before;
  for (std::uint64_t n = 1; n <= 3; ++n) before.put(Column::records, be64(n), "old");
  REQUIRE(store.write(before, Durability::synced).ok());
  const PublicKey log = test::seeded_key(1).public_key;
  REQUIRE(put(*log_space(store, log), Column::balances, "a", "old").ok());
  auto other = make_memory_store();
  {
    const ReadSnapshot pin(store);
    CHECK(ReadSnapshot::active(store));
    CHECK_FALSE(ReadSnapshot::active(*other));
    // Another thread writes, and reads what it wrote.
    std::string seen_there;
    std::thread writer([&] {
      WriteBatch after;
      after.put(Column::meta, "k", "new");
      after.put(Column::records, be64(2), "new");
      after.erase(Column::records, be64(3));
      after.put(Column::records, be64(4), "new");
      (void)store.write(after, Durability::synced);
      (void)put(*log_space(store, log), Column::balances, "a", "new");
      seen_there = get_or(store, Column::meta, "k");
    });
    writer.join();
    CHECK(seen_there == "new");
    // This thread still sees everything from before the pin, and nothing after.
    CHECK(get_or(store, Column::meta, "k") == "old");
    CHECK(collect(store, Column::records) == Rows{{be64(1), "old"}, {be64(2), "old"}, {be64(3), "old"}});
    CHECK(get_or(*log_space(store, log), Column::balances, "a") == "old");  // views read through it
    {
      const ReadSnapshot nested(store);  // shares the outer snapshot
      CHECK(get_or(store, Column::meta, "k") == "old");
    }
    CHECK(get_or(store, Column::meta, "k") == "old");
    // Read-only while pinned; other stores are not pinned.
    CHECK(put(store, Column::meta, "k", "mine").code() == Code::not_permitted);
    CHECK(put(*log_space(store, log), Column::balances, "a", "mine").code() == Code::not_permitted);
    CHECK(store.clear(Column::records).code() == Code::not_permitted);
    CHECK(store.erase_range(Column::records, be64(1), be64(9)).code() == Code::not_permitted);
    CHECK(put(*other, Column::meta, "k", "free").ok());
    CHECK(get_or(*other, Column::meta, "k") == "free");
  }
  CHECK_FALSE(ReadSnapshot::active(store));
  CHECK(get_or(store, Column::meta, "k") == "new");
  CHECK(collect(store, Column::records) == Rows{{be64(1), "old"}, {be64(2), "new"}, {be64(4), "new"}});
  CHECK(put(store, Column::meta, "k", "mine").ok());
}

TEST_CASE_TEMPLATE("store: a snapshot is read-only and keeps its state", F, MemoryFixture, RocksFixture) {
  F f;
  Store& store = *f.store;
  REQUIRE(put(store, Column::meta, "k", "old").ok());
  std::unique_ptr<const Store> snapshot = store.snapshot();
  REQUIRE(put(store, Column::meta, "k", "new").ok());
  CHECK(get_or(*snapshot, Column::meta, "k") == "old");
  CHECK(get_or(*snapshot->snapshot(), Column::meta, "k") == "old");
  CHECK(put(const_cast<Store&>(*snapshot), Column::meta, "k", "x").code() == Code::not_permitted);
  CHECK(get_or(store, Column::meta, "k") == "new");
}

TEST_CASE_TEMPLATE("store: keys with 0xff bytes order, bound and clear correctly", F, MemoryFixture,
                   RocksFixture) {
  F f;
  Store& store = *f.store;
  const std::string ff = "\xff", ffff = "\xff\xff", fffff0 = std::string("\xff\xff\xff\x00", 4), fe = "\xfe";
  const std::string top(40, '\xff');
  WriteBatch batch;
  for (const std::string& key : {top, ffff, std::string(), fffff0, fe, ff, std::string("a")})
    batch.put(Column::tree, key, "v");
  REQUIRE(store.write(batch, Durability::synced).ok());

  auto keys = [&](std::string_view from, std::string_view to) {
    std::vector<std::string> out;
    for (const auto& row : collect(store, Column::tree, from, to)) out.push_back(row.first);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(keys({}, {}) == V{"", "a", fe, ff, ffff, fffff0, top});
  CHECK(keys(ff, {}) == V{ff, ffff, fffff0, top});
  CHECK(keys(fe, ffff) == V{fe, ff});
  CHECK(keys(ffff, top) == V{ffff, fffff0});
  CHECK(get_or(store, Column::tree, "") == "v");  // the empty key is a key

  REQUIRE(store.clear(Column::tree).ok());
  CHECK(keys({}, {}).empty());
  CHECK(get_or(store, Column::tree, top) == "<none>");
  CHECK(get_or(store, Column::tree, "") == "<none>");
}

TEST_CASE_TEMPLATE("store: clear empties one column and leaves the others", F, MemoryFixture, RocksFixture) {
  F f;
  Store& store = *f.store;
  REQUIRE(store.clear(Column::balances).ok());  // clearing an empty column is fine
  WriteBatch batch;
  for (std::uint64_t n = 0; n < 100; ++n) {
    batch.put(Column::balances, be64(n), "b");
    batch.put(Column::members, be64(n), "m");
  }
  batch.put(Column::records, be64(1), "r");
  REQUIRE(store.write(batch, Durability::synced).ok());

  REQUIRE(store.clear(Column::balances).ok());
  CHECK(collect(store, Column::balances).empty());
  CHECK(collect(store, Column::members).size() == 100);
  CHECK(get_or(store, Column::records, be64(1)) == "r");

  REQUIRE(put(store, Column::balances, be64(5), "again").ok());  // usable afterwards
  CHECK(collect(store, Column::balances) == Rows{{be64(5), "again"}});
  REQUIRE(store.clear(Column::balances).ok());
  CHECK(collect(store, Column::balances).empty());
}

TEST_CASE("rocks store: data persists across close and reopen") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  {
    auto opened = open_rocks_store(path, OpenMode::create_if_missing);
    REQUIRE(opened.ok());
    Store& store = **opened;
    WriteBatch batch;
    batch.put(Column::records, be64(1), "one");
    batch.put(Column::peers, "p", "last column");
    REQUIRE(store.write(batch, Durability::synced).ok());
    REQUIRE(put(store, Column::notes, "n", "x").ok());
    WriteBatch buffered;
    buffered.put(Column::tree, "t", "buffered");  // a clean close keeps these too
    REQUIRE(store.write(buffered, Durability::buffered).ok());
    REQUIRE(store.clear(Column::notes).ok());
  }
  for (OpenMode mode : {OpenMode::open_existing, OpenMode::create_if_missing}) {
    auto opened = open_rocks_store(path, mode);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    Store& store = **opened;
    CHECK(get_or(store, Column::records, be64(1)) == "one");
    CHECK(get_or(store, Column::peers, "p") == "last column");
    CHECK(get_or(store, Column::tree, "t") == "buffered");
    CHECK(get_or(store, Column::notes, "n") == "<none>");
    CHECK(collect(store, Column::meta).empty());
  }
}

TEST_CASE("rocks store: opens write no info log, and the store is its owner's alone") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  for (int i = 0; i < 12; ++i) {
    auto opened = open_rocks_store(path, OpenMode::create_if_missing);
    REQUIRE_MESSAGE(opened.ok(), opened.status().message());
    REQUIRE(put(**opened, Column::meta, "run", be64(i)).ok());
  }
  for (const auto& file : std::filesystem::directory_iterator(path))
    CHECK(file.path().filename().string().rfind("LOG", 0) != 0);
  // Opened again after a chmod that let others in: private again.
  std::filesystem::permissions(path, std::filesystem::perms::all, std::filesystem::perm_options::replace);
  REQUIRE(open_rocks_store(path, OpenMode::open_existing).ok());
  const auto perms = std::filesystem::status(path).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
}

TEST_CASE("rocks store: open_existing on a missing store says to run cohours init") {
  TempDir dir;
  for (const std::string& path : {dir.path + "/nothing-here", dir.path}) {  // absent, and empty dir
    auto opened = open_rocks_store(path, OpenMode::open_existing);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.code() == Code::not_found);
    CHECK(opened.status().message().find(path) != std::string::npos);
    CHECK(opened.status().message().find("cohours init") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.path + "/nothing-here"));  // and created nothing
}

TEST_CASE("rocks store: a second open of a store in use is an io_error") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  auto first = open_rocks_store(path, OpenMode::create_if_missing);
  REQUIRE(first.ok());
  for (OpenMode mode : {OpenMode::open_existing, OpenMode::create_if_missing}) {
    auto second = open_rocks_store(path, mode);
    REQUIRE_FALSE(second.ok());
    CHECK(second.code() == Code::io_error);
    CHECK(second.status().message().find("in use by another process") != std::string::npos);
    CHECK(second.status().message().find("another cohours command") != std::string::npos);
    CHECK(second.status().message().find(path) != std::string::npos);
  }
  CHECK(put(**first, Column::meta, "still", "works").ok());
}

TEST_CASE("be64 round trips and sorts numerically") {
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  CHECK(be64(0) == std::string(8, '\0'));
  CHECK(be64(0x0102030405060708) == "\x01\x02\x03\x04\x05\x06\x07\x08");
  CHECK(be64(max) == std::string(8, '\xff'));
  std::vector<std::uint64_t> values{0,
                                    1,
                                    255,
                                    256,
                                    65535,
                                    65536,
                                    1u << 31,
                                    std::uint64_t{1} << 32,
                                    0x00ff00ff00ff00ff,
                                    0x7fffffffffffffff,
                                    0x8000000000000000,
                                    max - 1,
                                    max};
  for (std::size_t i = 0; i < values.size(); ++i) {
    CHECK(be64(values[i]).size() == 8);
    CHECK(read_be64(be64(values[i])) == values[i]);
    if (i > 0) CHECK(be64(values[i - 1]) < be64(values[i]));  // std::string compares bytes unsigned
  }
  CHECK(read_be64(be64(42) + "trailing") == 42);  // reads a key prefix
  CHECK(read_be64("") == 0);                      // short input does not overrun
}

TEST_CASE("every column has a distinct name") {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < kColumnCount; ++i) names.emplace_back(column_name(static_cast<Column>(i)));
  CHECK(names.front() == "meta");
  CHECK(names.back() == "openings");
  for (std::size_t i = 0; i < names.size(); ++i)
    for (std::size_t j = i + 1; j < names.size(); ++j) CHECK(names[i] != names[j]);
}
