// Test helper: alters one stored record through the Store interface, as an
// attacker with write access to the disk would, so the scenario test can show
// that `cohours audit verify` catches it.
// Usage: tamper_record STORE_DIR SEQ
#include <iostream>
#include <string>

#include "cohours/store.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tamper_record STORE_DIR SEQ\n";
    return 2;
  }
  auto store = cohours::open_rocks_store(argv[1], cohours::OpenMode::open_existing);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  std::string key = cohours::be64(std::stoull(argv[2]));
  std::string record;
  if (!store.value()->get(cohours::Column::records, key, &record).ok()) return 1;
  // Past the record header (seq, prev hash, time, length) and into the
  // entry: flip one bit of the last byte of the entry body.
  record[record.size() - 65] ^= 0x01;
  cohours::WriteBatch batch;
  batch.put(cohours::Column::records, key, record);
  return store.value()->write(batch, cohours::Durability::synced).ok() ? 0 : 1;
}
