#include "cohours/log_space.h"

#include <doctest/doctest.h>

#include "cohours/crypto.h"

namespace cohours {

static PublicKey key_with(std::uint8_t fill) {
  PublicKey key;
  key.bytes.fill(fill);
  return key;
}

static std::vector<std::string> keys_in(const Store& store, Column column) {
  std::vector<std::string> out;
  for (auto cursor = store.scan(column, "", ""); cursor->valid(); cursor->next())
    out.emplace_back(cursor->key());
  return out;
}

TEST_CASE("each log's rows stay in its own space; node-level columns are shared") {
  auto base = make_memory_store();
  auto one = log_space(*base, key_with(0x11));
  auto two = log_space(*base, key_with(0x12));
  WriteBatch batch;
  batch.put(Column::records, be64(1), "first");
  batch.put(Column::records, be64(2), "second");
  batch.put(Column::directory, "alias", "shared");
  REQUIRE(one->write(batch, Durability::synced).ok());
  WriteBatch other;
  other.put(Column::records, be64(1), "theirs");
  REQUIRE(two->write(other, Durability::synced).ok());

  std::string value;
  REQUIRE(one->get(Column::records, be64(1), &value).ok());
  CHECK(value == "first");
  REQUIRE(two->get(Column::records, be64(1), &value).ok());
  CHECK(value == "theirs");
  CHECK(two->get(Column::records, be64(2), &value).code() == Code::not_found);
  // Keys come back without the prefix, and only this space's.
  CHECK(keys_in(*one, Column::records) == std::vector<std::string>{be64(1), be64(2)});
  CHECK(keys_in(*two, Column::records) == std::vector<std::string>{be64(1)});
  // Underneath, the key is (node, seq).
  REQUIRE(
      base->get(Column::records, key_with(0x11).bytes.size() ? std::string(32, '\x11') + be64(2) : "", &value)
          .ok());
  CHECK(value == "second");
  // Node-level columns are not prefixed.
  REQUIRE(base->get(Column::directory, "alias", &value).ok());
  REQUIRE(two->get(Column::directory, "alias", &value).ok());
  // Clearing one space leaves the other alone.
  REQUIRE(one->clear(Column::records).ok());
  CHECK(keys_in(*one, Column::records).empty());
  CHECK(keys_in(*two, Column::records).size() == 1);
  // A bounded scan stays inside the space.
  CHECK(keys_in(*base, Column::records).size() == 1);
}

TEST_CASE("the store names its own node") {
  auto base = make_memory_store();
  CHECK(self_node_key(*base).code() == Code::not_found);
  WriteBatch batch;
  batch.put(Column::meta, "self_node", "short");
  REQUIRE(base->write(batch, Durability::synced).ok());
  CHECK(self_node_key(*base).code() == Code::corruption);
}

}  // namespace cohours
