// The fault-injecting store of the tests does what it says (faulty_store.h):
// a crash keeps every synced write and the buffered ones before it, drops
// the buffered ones after, on memory and on a real RocksDB; refused writes
// leave nothing, lost answers leave the write; reads and cursors fail with
// io_error, never with a short answer that looks whole.
#include <doctest/doctest.h>

#include <string>

#include "faulty_store.h"
#include "test_support.h"

using namespace cohours;
using namespace cohours::test;

namespace {

Status put(Store& store, const std::string& key, Durability durability) {
  WriteBatch batch;
  batch.put(Column::records, key, "value of " + key);
  return store.write(batch, durability);
}

bool has(Store& store, const std::string& key) {
  std::string value;
  Status status = store.get(Column::records, key, &value);
  REQUIRE((status.ok() || status.code() == Code::not_found));
  return status.ok();
}

void crash_keeps_synced_drops_later_buffered(FaultyStore& store) {
  REQUIRE(put(store, "a", Durability::buffered).ok());
  REQUIRE(put(store, "b", Durability::synced).ok());  // makes "a" durable too
  REQUIRE(put(store, "c", Durability::buffered).ok());
  REQUIRE(put(store, "d", Durability::buffered).ok());
  CHECK(has(store, "d"));  // visible before the crash
  store.crash();
  CHECK(has(store, "a"));
  CHECK(has(store, "b"));
  CHECK_FALSE(has(store, "c"));
  CHECK_FALSE(has(store, "d"));
  CHECK(store.counts().buffered_writes_dropped == 2);
  // The store works on after the restart, and a second crash changes nothing synced.
  REQUIRE(put(store, "e", Durability::synced).ok());
  store.crash();
  CHECK(has(store, "b"));
  CHECK(has(store, "e"));
  CHECK_FALSE(has(store, "c"));
}

}  // namespace

TEST_CASE("faulty store: a crash drops the buffered writes since the last synced one (memory)") {
  FaultyStore store(memory_medium(), 1);
  crash_keeps_synced_drops_later_buffered(store);
}

TEST_CASE("faulty store: a crash drops the buffered writes since the last synced one (RocksDB)") {
  TempDir dir;
  FaultyStore store(rocks_medium(dir.path + "/store"), 1);
  crash_keeps_synced_drops_later_buffered(store);
}

TEST_CASE("faulty store: a refused write leaves nothing, a lost answer leaves the write") {
  FaultyStore store(memory_medium(), 1);
  store.refuse_next_write();
  Status refused = put(store, "a", Durability::synced);
  CHECK(refused.code() == Code::io_error);
  CHECK_FALSE(has(store, "a"));
  store.lose_next_ack();
  Status lost = put(store, "b", Durability::synced);
  CHECK(lost.code() == Code::io_error);
  CHECK(has(store, "b"));
  store.crash();
  CHECK(has(store, "b"));  // it was synced: the answer was lost, not the write
  CHECK(store.counts().writes_refused == 1);
  CHECK(store.counts().acks_lost == 1);
}

TEST_CASE("faulty store: failed reads and cursors say io_error") {
  FaultyStore store(memory_medium(), 7);
  for (int i = 0; i < 20; ++i) REQUIRE(put(store, std::to_string(100 + i), Durability::synced).ok());
  store.set_plan({0, 0, 1, 1});
  std::string value;
  CHECK(store.get(Column::records, "100", &value).code() == Code::io_error);
  for (int attempt = 0; attempt < 20; ++attempt) {
    int rows = 0;
    auto cursor = store.scan(Column::records, "", "");
    for (; cursor->valid(); cursor->next()) ++rows;
    CHECK(rows < 20);  // stopped part-way ...
    CHECK(cursor->status().code() == Code::io_error);  // ... and says so
  }
  // A ReadSnapshot's reads fail the same way.
  ReadSnapshot pinned(store);
  CHECK(store.get(Column::records, "100", &value).code() == Code::io_error);
  store.set_plan({});
  CHECK(store.get(Column::records, "100", &value).ok());
}
