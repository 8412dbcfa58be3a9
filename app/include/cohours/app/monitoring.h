// What a node's monitoring scrapes (cohoursd's GET /metrics, docs/operations.md
// "Monitoring"): figures about the node as plain numbers, with no personal
// data. Logs are named by their node's name in the consortium file and
// their key, never by a member.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"

namespace cohours::app {

// A vetting check current today that expires within this many days counts
// as expiring (the figure coordinators act on; `vetting list --expiring 30`).
inline constexpr std::int32_t kVettingExpiringDays = 30;

struct LogFigures {
  std::string node_name;  // the consortium's name for the log's node, node-XXXXXXXX if unlisted
  PublicKey log;
  bool own = false;
  bool frozen = false;
  std::uint64_t size = 0;  // records held here
  // Records the largest size a connected peer announced for the log is
  // ahead of the copy here; 0 when none is ahead. nullopt without a daemon
  // or when no peer announced the log.
  std::optional<std::uint64_t> behind;
};

struct NodeFigures {
  bool daemon = false;  // figures about peers come from a running daemon
  std::uint64_t peers = 0;
  std::uint64_t peers_connected = 0;
  std::uint64_t peers_banned = 0;
  std::vector<LogFigures> logs;  // this node's own log first, then the others in key order
  std::uint64_t vettings_expiring = 0;  // within kVettingExpiringDays
  std::uint64_t vettings_current = 0;
  // Bytes on disk of the node's store directory (RocksDB's tables, write-ahead
  // log and manifest: what a backup copies) and of its kept receipts.
  std::uint64_t store_bytes = 0;
  std::uint64_t receipts_bytes = 0;
};

struct ShowNodeFigures {};
Result<NodeFigures> node_figures(Node& node, const ShowNodeFigures& request);

}  // namespace cohours::app
