// Why not RocksDB's info log file: every open wrote one (~130 KB a CLI run),
// and once the disk is full its writer aborts the process on the next line
// it logs (Debian's librocksdb keeps its assertions), so a full disk crashed
// every command, `balance` included. This logger writes no file at all.
#include "rocks_warnings.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <utility>

namespace cohours {
namespace {

class WarningsLogger final : public rocksdb::Logger {
 public:
  explicit WarningsLogger(StoreWarnings sink)
      : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL), sink_(std::move(sink)) {}

  using rocksdb::Logger::Logv;
  // Reached only for lines at WARN_LEVEL or above (Logger filters first).
  void Logv(const char* format, va_list args) override {
    if (!sink_) return;
    char line[1024];
    va_list copy;
    va_copy(copy, args);
    int length = std::vsnprintf(line, sizeof line, format, copy);
    va_end(copy);
    if (length < 0) return;
    std::string_view text(line, std::min<std::size_t>(static_cast<std::size_t>(length), sizeof line - 1));
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    sink_(text);
  }

 private:
  StoreWarnings sink_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_rocks_warnings(StoreWarnings sink) {
  return std::make_shared<WarningsLogger>(std::move(sink));
}

}  // namespace cohours
