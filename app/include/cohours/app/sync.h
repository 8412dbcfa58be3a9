// The node among its peers: sync, credits between co-ops, heads others
// witnessed, and evidence of rewritten history. Other nodes are named as
// the installed consortium file names them ("node-" and the first 8 hex
// digits of the key for one it does not list).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"

namespace cohours::app {

// sync status: with a daemon (Node::peers), its peers and the logs as it
// holds them; without, the logs held here and no peers.
struct ShowSyncStatus {};
struct LogSyncView {
  PublicKey log;
  // With the daemon: the consortium's name for the log's node (the log's
  // own name if the file does not list it). Without: the log's own name
  // (this node's: the name given at init).
  std::string name;
  // For tables: the consortium's name, node-XXXXXXXX if it does not list
  // the log's node; `name` when this node joined no consortium.
  std::string node_name;
  bool own = false;
  std::uint64_t size = 0;
  bool frozen = false;
  std::optional<std::string> broken;  // why the daemon no longer fetches it
};
struct SyncStatusView {
  bool running = false;                   // a daemon answered
  bool consortium_joined = false;         // a consortium file is installed here
  std::optional<std::string> consortium;  // with the daemon: the consortium it follows, if any
  std::string listen;                     // with the daemon: where it listens for peers
  std::vector<LogSyncView> logs;          // in key order
  std::vector<PeerState> peers;
  // Why this node signs nothing for now (Ledger::signing_hold: restored, or
  // a peer holds more of its log), until its peers confirm how far its log
  // goes or an admin runs `node i-am-alone`; nullopt when it signs.
  std::optional<std::string> own_log_unconfirmed;
};
Result<SyncStatusView> sync_status(Node& node, const ShowSyncStatus& request);

// Synced, as far as this node can tell: a daemon answered, it follows a
// consortium, no log held is frozen, this node signs (no hold after a
// restore), every peer is connected, and every peer announces every log at
// the size held here (this node's own log is left out while it is empty).
// What is still missing, or "" when synced.
std::string unsynced(const SyncStatusView& status);
// Whether waiting cannot help: the daemon runs but has joined no
// consortium, or holds a frozen log (an admin must act first).
bool never_syncs(const SyncStatusView& status);

// clearing: for each pair of logs held here whose clearing accounts for
// each other are not zero, that have transfers in flight between them, or
// a trade limit either way.
struct ShowClearing {};
struct ClearingPair {
  std::string first, second;              // node names
  std::int64_t first_holds_minutes = 0;   // first's clearing account for second
  std::int64_t second_holds_minutes = 0;  // second's clearing account for first
  std::int64_t net_minutes = 0;           // 0 once every transfer arrived
  std::uint64_t in_flight = 0;            // transfers sent, not yet recorded by the receiver
  std::int64_t in_flight_minutes_first_to_second = 0;
  // Trade limits (docs/decisions.md "Trade limits between co-ops"): how far
  // second may owe first, as first set it (the floor of first's clearing
  // account for second; nullopt: no limit), and what second may still send
  // under it as second's own log counts (negative: over it, which only a
  // limit lowered while credits were on their way can make);
  // `first_limit_recorded`: second's log has recorded that limit, so
  // second's node checks it. The same the other way.
  std::optional<std::int64_t> first_limit_minutes;
  std::optional<std::int64_t> second_may_send_minutes;
  bool first_limit_recorded = false;
  std::optional<std::int64_t> second_limit_minutes;
  std::optional<std::int64_t> first_may_send_minutes;
  bool second_limit_recorded = false;
};
struct ClearingView {
  std::vector<ClearingPair> pairs;
};
Result<ClearingView> clearing(Node& node, const ShowClearing& request);

// audit heads: for each log held here, the latest head held and which
// witnesses co-signed which head.
struct ListHeads {};
struct WitnessedHead {
  std::uint64_t size = 0;
  Hash32 root;
  std::vector<std::string> witnesses;  // node names
};
struct LogHeads {
  PublicKey log;
  std::string name;  // node name
  bool own = false;
  bool frozen = false;
  std::uint64_t size = 0;
  std::optional<Hash32> root;            // of the latest signed head held, if any
  std::vector<WitnessedHead> witnessed;  // by size, then root
};
struct HeadsView {
  std::vector<LogHeads> logs;  // in key order
};
Result<HeadsView> list_heads(Node& node, const ListHeads& request);

// audit equivocations: the evidence held, two signed heads of one size with
// different roots per log; such a log is frozen here.
struct ListEquivocations {};
struct EquivocationView {
  PublicKey log;
  std::string name;  // node name
  std::uint64_t size = 0;
  Hash32 first_root, second_root;
  std::string first_head, second_head;  // the signed tree heads, encoded, as hex
};
struct EquivocationList {
  std::vector<EquivocationView> equivocations;
};
Result<EquivocationList> list_equivocations(Node& node, const ListEquivocations& request);

}  // namespace cohours::app
