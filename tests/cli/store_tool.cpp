// Test helper that works on a node's store directly, as someone with access
// to the disk would. Rows are the node's own log's (keys without the log's
// 32-byte prefix), keys and values in hex:
//   store_tool STORE_DIR tamper SEQ             flip one bit inside record SEQ's entry
//   store_tool STORE_DIR records                print every record's bytes
//   store_tool STORE_DIR keys COLUMN            print every key of a column
//   store_tool STORE_DIR flip COLUMN KEY [AT]   flip one bit of the value at byte AT (default: the middle)
//   store_tool STORE_DIR delete COLUMN KEY      delete a row
//   store_tool STORE_DIR swap COLUMN KEY KEY    exchange two rows' values
//   store_tool STORE_DIR cut COLUMN KEY N       drop the value's last N bytes
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cohours/log_space.h"
#include "cohours/store.h"
#include "cohours/types.h"

using namespace cohours;

namespace {

std::optional<Column> column_named(const std::string& name) {
  for (std::size_t i = 0; i < kColumnCount; ++i)
    if (name == column_name(static_cast<Column>(i))) return static_cast<Column>(i);
  return std::nullopt;
}

std::string unhex(const std::string& hex) {
  auto raw = from_hex(hex);
  if (!raw) throw std::runtime_error("not hex: " + hex);
  return std::string(raw->begin(), raw->end());
}

std::string hex(std::string_view bytes) {
  return to_hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

int usage() {
  std::cerr << "usage: store_tool STORE_DIR (tamper SEQ | records | keys COLUMN | flip COLUMN KEY [AT] | "
               "delete COLUMN KEY | swap COLUMN KEY KEY | cut COLUMN KEY N)\n";
  return 2;
}

Status put(Store& log, Column column, const std::string& key, const std::string& value) {
  WriteBatch batch;
  batch.put(column, key, value);
  return log.write(batch, Durability::synced);
}

int run(Store& log, const std::vector<std::string>& args) {
  const std::string& command = args[0];
  if (command == "records" && args.size() == 1) {
    auto cursor = log.scan(Column::records, "", "");
    for (; cursor->valid(); cursor->next()) std::cout << hex(cursor->value()) << "\n";
    return cursor->status().ok() ? 0 : 1;
  }
  if (command == "tamper" && args.size() == 2) {
    std::string key = be64(std::stoull(args[1]));
    std::string record;
    if (!log.get(Column::records, key, &record).ok()) return 1;
    // The entry ends the record and its last 64 bytes are the signature: flip
    // one bit in the last byte of the signed body.
    record[record.size() - 65] ^= 0x01;
    return put(log, Column::records, key, record).ok() ? 0 : 1;
  }
  if (args.size() < 2) return usage();
  auto column = column_named(args[1]);
  if (!column) {
    std::cerr << "no column " << args[1] << "\n";
    return 2;
  }
  if (command == "keys") {
    auto cursor = log.scan(*column, "", "");
    for (; cursor->valid(); cursor->next()) std::cout << hex(cursor->key()) << "\n";
    return cursor->status().ok() ? 0 : 1;
  }
  if (args.size() < 3) return usage();
  const std::string key = unhex(args[2]);
  std::string value;
  if (!log.get(*column, key, &value).ok()) {
    std::cerr << "no row " << args[2] << " in " << args[1] << "\n";
    return 1;
  }
  if (command == "flip" && args.size() <= 4) {
    if (value.empty()) return 1;
    std::size_t at = args.size() == 4 ? std::stoul(args[3]) : value.size() / 2;
    value.at(at) ^= 0x01;
    return put(log, *column, key, value).ok() ? 0 : 1;
  }
  if (command == "delete" && args.size() == 3) {
    WriteBatch batch;
    batch.erase(*column, key);
    return log.write(batch, Durability::synced).ok() ? 0 : 1;
  }
  if (command == "swap" && args.size() == 4) {
    const std::string other_key = unhex(args[3]);
    std::string other;
    if (!log.get(*column, other_key, &other).ok()) return 1;
    WriteBatch batch;
    batch.put(*column, key, other);
    batch.put(*column, other_key, value);
    return log.write(batch, Durability::synced).ok() ? 0 : 1;
  }
  if (command == "cut" && args.size() == 4) {
    std::size_t n = std::stoul(args[3]);
    value.resize(value.size() > n ? value.size() - n : 0);
    return put(log, *column, key, value).ok() ? 0 : 1;
  }
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  auto base = open_rocks_store(argv[1], OpenMode::open_existing);
  if (!base.ok()) {
    std::cerr << base.status().message() << "\n";
    return 1;
  }
  auto self = self_node_key(*base.value());
  if (!self.ok()) {
    std::cerr << self.status().message() << "\n";
    return 1;
  }
  auto log = log_space(*base.value(), self.value());
  try {
    return run(*log, std::vector<std::string>(argv + 2, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
}
