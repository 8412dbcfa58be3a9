// Test helper that works on a node's store directly, as someone with access
// to the disk would:
//   store_tool STORE_DIR tamper SEQ    flip one bit inside record SEQ's entry
//   store_tool STORE_DIR records       print every record's bytes as hex
#include <iostream>
#include <string>

#include "cohours/log_space.h"
#include "cohours/store.h"
#include "cohours/types.h"

int main(int argc, char** argv) {
  std::string command = argc >= 3 ? argv[2] : "";
  if (!(command == "records" && argc == 3) && !(command == "tamper" && argc == 4)) {
    std::cerr << "usage: store_tool STORE_DIR tamper SEQ | store_tool STORE_DIR records\n";
    return 2;
  }
  auto base = cohours::open_rocks_store(argv[1], cohours::OpenMode::open_existing);
  if (!base.ok()) {
    std::cerr << base.status().message() << "\n";
    return 1;
  }
  // The node's own log rows, keyed by (node key, seq) in the store.
  auto self = cohours::self_node_key(*base.value());
  if (!self.ok()) {
    std::cerr << self.status().message() << "\n";
    return 1;
  }
  auto log = cohours::log_space(*base.value(), self.value());

  if (command == "records") {
    auto cursor = log->scan(cohours::Column::records, "", "");
    for (; cursor->valid(); cursor->next())
      std::cout << cohours::to_hex(reinterpret_cast<const std::uint8_t*>(cursor->value().data()),
                                   cursor->value().size())
                << "\n";
    return cursor->status().ok() ? 0 : 1;
  }
  std::string key = cohours::be64(std::stoull(argv[3]));
  std::string record;
  if (!log->get(cohours::Column::records, key, &record).ok()) return 1;
  // The entry ends the record and its last 64 bytes are the signature: flip
  // one bit in the last byte of the signed body.
  record[record.size() - 65] ^= 0x01;
  cohours::WriteBatch batch;
  batch.put(cohours::Column::records, key, record);
  return log->write(batch, cohours::Durability::synced).ok() ? 0 : 1;
}
