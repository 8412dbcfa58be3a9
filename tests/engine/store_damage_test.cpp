// A RocksDB store whose write-ahead log was damaged on disk (issue 13): a
// flipped byte anywhere refuses the open and says so, instead of replaying
// up to the damage and silently dropping acknowledged writes after it; a
// last write cut short by a crash is dropped and everything before it kept.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cohours/store.h"
#include "test_support.h"

using namespace cohours;
using cohours::test::TempDir;

namespace {

constexpr int kWrites = 200;

// kWrites synced batches of ~1 KB each, then a clean close: RocksDB keeps
// them in the write-ahead log until the next open replays it.
void fill(const std::string& path) {
  auto opened = open_rocks_store(path, OpenMode::create_if_missing);
  REQUIRE(opened.ok());
  for (int i = 0; i < kWrites; ++i) {
    WriteBatch batch;
    batch.put(Column::records, be64(i), std::string(1000, static_cast<char>('a' + i % 26)));
    batch.put(Column::meta, "tip", be64(i));
    REQUIRE(opened.value()->write(batch, Durability::synced).ok());
  }
}

std::filesystem::path newest_wal(const std::string& path) {
  std::filesystem::path newest;
  for (const auto& file : std::filesystem::directory_iterator(path))
    if (file.path().extension() == ".log" && (newest.empty() || file.path() > newest)) newest = file.path();
  REQUIRE(!newest.empty());
  REQUIRE(std::filesystem::file_size(newest) > kWrites * 1000);
  return newest;
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

int rows_kept(Store& store) {
  int rows = 0;
  for (auto cursor = store.scan(Column::records, "", ""); cursor->valid(); cursor->next()) ++rows;
  return rows;
}

}  // namespace

TEST_CASE("rocks store: a flipped byte in the write-ahead log refuses the open, wherever it is") {
  // Early, in the middle, and inside the very last (acknowledged) write.
  for (double where : {0.1, 0.5, 0.9, 0.9995}) {
    CAPTURE(where);
    TempDir dir;
    const std::string path = dir.path + "/store";
    fill(path);
    auto wal = newest_wal(path);
    std::string bytes = read_all(wal);
    bytes[static_cast<std::size_t>(static_cast<double>(bytes.size()) * where)] ^= 0x40;
    write_all(wal, bytes);

    for (int attempt = 0; attempt < 2; ++attempt) {  // refused again: nothing was "repaired"
      auto opened = open_rocks_store(path, OpenMode::open_existing);
      REQUIRE_FALSE(opened.ok());
      CHECK(opened.code() == Code::corruption);
      const std::string message = opened.status().message();  // status() is a copy
      CHECK(message.find("is damaged") != std::string::npos);
      CHECK(message.find("nothing was written") != std::string::npos);
      CHECK(message.find("docs/operations.md") != std::string::npos);
    }
    CHECK(read_all(wal) == bytes);  // the evidence is left as it was
  }
}

TEST_CASE("rocks store: a last write cut short by a crash is dropped, the writes before it kept") {
  TempDir dir;
  const std::string path = dir.path + "/store";
  fill(path);
  auto wal = newest_wal(path);
  std::filesystem::resize_file(wal, std::filesystem::file_size(wal) - 7);  // a torn tail

  auto opened = open_rocks_store(path, OpenMode::open_existing);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  CHECK(rows_kept(*opened.value()) == kWrites - 1);
  std::string tip;
  REQUIRE(opened.value()->get(Column::meta, "tip", &tip).ok());
  CHECK(read_be64(tip) == kWrites - 2);  // the batch went as a whole, never half of it
}
