#include "cohours/app/monitoring.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "cohours/app/receipts.h"
#include "cohours/app/sync.h"
#include "cohours/app/vetting.h"
#include "try.h"

namespace cohours::app {

namespace {

// The bytes of the regular files under `root`; 0 if it is not there. A file
// RocksDB deletes while it is counted (compaction) is left out, not an error:
// the figure is a gauge, read again at the next scrape.
std::uint64_t bytes_under(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::uint64_t total = 0;
  std::error_code error;
  for (fs::recursive_directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    std::error_code file_error;
    if (!it->is_regular_file(file_error)) continue;
    const std::uintmax_t size = it->file_size(file_error);
    if (!file_error) total += size;
  }
  return total;
}

}  // namespace

Result<NodeFigures> node_figures(Node& node, const ShowNodeFigures&) {
  NodeFigures out;
  TRY_ASSIGN(SyncStatusView status, sync_status(node, {}));
  out.daemon = status.running;
  const std::int64_t now_ms = node.clock().now_ms();
  for (const auto& peer : status.peers) {
    ++out.peers;
    if (peer.connected) ++out.peers_connected;
    if (peer.banned_until_ms > now_ms) ++out.peers_banned;
  }
  for (const auto& log : status.logs) {
    LogFigures row;
    row.node_name = log.node_name;
    row.log = log.log;
    row.own = log.own;
    row.frozen = log.frozen;
    row.size = log.size;
    if (status.running) {
      for (const auto& peer : status.peers) {
        if (!peer.connected) continue;
        for (const auto& announced : peer.sizes)
          if (announced.log == log.log)
            row.behind = std::max(row.behind.value_or(0), announced.size > log.size ? announced.size - log.size : 0);
      }
    }
    out.logs.push_back(std::move(row));
  }
  std::stable_partition(out.logs.begin(), out.logs.end(), [](const LogFigures& l) { return l.own; });
  TRY_ASSIGN(VettingList current, list_vettings(node, {}));
  for (const auto& check : current.vettings)
    if (check.standing == VettingStanding::current) ++out.vettings_current;
  ListVettings expiring;
  expiring.expiring_within_days = kVettingExpiringDays;
  TRY_ASSIGN(VettingList soon, list_vettings(node, expiring));
  out.vettings_expiring = soon.vettings.size();
  out.store_bytes = bytes_under(node.data_dir() / "store");
  out.receipts_bytes = bytes_under(receipts_dir_in(node.data_dir()));
  return out;
}

}  // namespace cohours::app
