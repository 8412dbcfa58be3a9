#include "cohours/app/sync.h"

#include <map>

#include "cohours/net/consortium.h"
#include "cohours/record.h"
#include "try.h"

namespace cohours::app {

namespace {

// The installed consortium file, or null if this node joined none (or it
// cannot be read: names then fall back to keys).
struct InstalledConsortium {
  Result<net::Consortium> file;
  explicit InstalledConsortium(const Store& store) : file(net::installed_consortium(store)) {}
  const net::Consortium* get() const { return file.ok() ? &file.value() : nullptr; }
};

std::string node_name_of(const net::Consortium* consortium, const PublicKey& key) {
  if (consortium)
    if (const net::ConsortiumNode* listed = consortium->find(key)) return listed->name;
  return "node-" + to_hex(key).substr(0, 8);
}

}  // namespace

Result<SyncStatusView> sync_status(Node& node, const ShowSyncStatus&) {
  InstalledConsortium installed(node.store());
  const net::Consortium* consortium = installed.get();
  SyncStatusView view;
  view.consortium_joined = consortium != nullptr;
  std::vector<LogState> logs;
  std::map<PublicKey, std::string> broken;
  if (PeerView* peers = node.peers()) {
    SyncState state = peers->sync_state();
    view.running = true;
    if (!state.consortium.empty()) view.consortium = state.consortium;
    view.listen = std::move(state.listen);
    logs = std::move(state.logs);
    broken = std::move(state.broken_logs);
    view.peers = std::move(state.peers);
  } else {
    // No daemon: what this node holds, nothing about peers.
    TRY_ASSIGN(logs, node.replicas().logs());
  }
  view.own_log_unconfirmed = node.ledger().signing_hold();
  for (const auto& log : logs) {
    LogSyncView row;
    row.log = log.log;
    row.name = log.name;
    // The daemon names every log as the consortium does, its own too.
    if (view.running && consortium)
      if (const net::ConsortiumNode* listed = consortium->find(log.log)) row.name = listed->name;
    row.node_name = consortium ? node_name_of(consortium, log.log) : row.name;
    row.own = log.own;
    row.size = log.size;
    row.frozen = log.frozen;
    if (auto it = broken.find(log.log); it != broken.end()) row.broken = it->second;
    view.logs.push_back(std::move(row));
  }
  return view;
}

std::string unsynced(const SyncStatusView& status) {
  // Nothing to be in step with, or no way to be: say which, never "in sync".
  if (!status.running) return "the daemon is not running (start cohoursd)";
  if (!status.consortium_joined || !status.consortium)
    return "this node has joined no consortium (`cohours consortium join FILE`, then restart cohoursd)";
  for (const auto& log : status.logs)
    if (log.frozen)
      return "the log of " + log.name + (log.own ? " (this node)" : "") +
             " is frozen: equivocation evidence against it is held (`cohours audit equivocations`; "
             "docs/operations.md \"A log is frozen\")";
  if (status.own_log_unconfirmed)
    return "this node was restored and its peers have not yet confirmed how far its own log goes: " +
           *status.own_log_unconfirmed;
  for (const auto& peer : status.peers)
    if (!peer.connected) return peer.name + " is not connected";
  for (const auto& log : status.logs) {
    for (const auto& peer : status.peers) {
      if (log.own && log.size == 0) continue;
      std::uint64_t there = 0;
      for (const auto& announced : peer.sizes)
        if (announced.log == log.log) there = announced.size;
      if (there != log.size)
        return peer.name + " holds " + std::to_string(there) + " records of " + log.name + ", this node " +
               std::to_string(log.size);
    }
  }
  return "";
}

bool never_syncs(const SyncStatusView& status) {
  if (!status.running) return false;  // a daemon may be starting
  if (!status.consortium_joined || !status.consortium) return true;
  for (const auto& log : status.logs)
    if (log.frozen) return true;
  return false;
}

namespace {

// The limit `setter` (policy `set_by`) set on what `debtor` may owe it, and
// what `debtor` may still send under it: its own clearing account for the
// setter holds `debtor_holds` (what it owes, as it counts).
void clearing_limit_of(const Policy& set_by, const PublicKey& debtor, const Policy& debtor_policy,
                       const PublicKey& setter, std::int64_t debtor_holds, std::optional<std::int64_t>& limit,
                       std::optional<std::int64_t>& may_send, bool& recorded) {
  const ClearingLimits* set = set_by.clearing_with(debtor);
  if (!set || !set->ours.limited) return;
  limit = set->ours.minutes;
  may_send = -set->ours.minutes - debtor_holds;
  const ClearingLimits* seen = debtor_policy.clearing_with(setter);
  recorded = seen && seen->theirs_seq == set->ours_seq;
}

}  // namespace

Result<ClearingView> clearing(Node& node, const ShowClearing&) {
  InstalledConsortium installed(node.store());
  const net::Consortium* consortium = installed.get();
  Replicas& replicas = node.replicas();
  TRY_ASSIGN(auto logs, replicas.logs());
  ClearingView view;
  for (std::size_t i = 0; i < logs.size(); ++i)
    for (std::size_t j = i + 1; j < logs.size(); ++j) {
      const PublicKey a = logs[i].log, b = logs[j].log;
      TRY_ASSIGN(auto a_copy, Ledger::open_copy(node.store(), a, node.clock()));
      TRY_ASSIGN(auto b_copy, Ledger::open_copy(node.store(), b, node.clock()));
      TRY_ASSIGN(Balance a_balance, a_copy->balance(AccountId::clearing(b)));
      TRY_ASSIGN(Balance b_balance, b_copy->balance(AccountId::clearing(a)));
      TRY_ASSIGN(auto ab, replicas.in_flight(a, b));
      TRY_ASSIGN(auto ba, replicas.in_flight(b, a));
      ClearingPair pair;
      pair.first_holds_minutes = a_balance.balance_minutes;
      pair.second_holds_minutes = b_balance.balance_minutes;
      for (const auto& t : ab) pair.in_flight_minutes_first_to_second += t.minutes;
      for (const auto& t : ba) pair.in_flight_minutes_first_to_second -= t.minutes;
      TRY_ASSIGN(Policy a_policy, a_copy->policy());
      TRY_ASSIGN(Policy b_policy, b_copy->policy());
      clearing_limit_of(a_policy, b, b_policy, a, pair.second_holds_minutes, pair.first_limit_minutes,
                        pair.second_may_send_minutes, pair.first_limit_recorded);
      clearing_limit_of(b_policy, a, a_policy, b, pair.first_holds_minutes, pair.second_limit_minutes,
                        pair.first_may_send_minutes, pair.second_limit_recorded);
      if (pair.first_holds_minutes == 0 && pair.second_holds_minutes == 0 && ab.empty() && ba.empty() &&
          !pair.first_limit_minutes && !pair.second_limit_minutes)
        continue;
      pair.first = node_name_of(consortium, a);
      pair.second = node_name_of(consortium, b);
      pair.net_minutes = pair.first_holds_minutes + pair.second_holds_minutes;
      pair.in_flight = ab.size() + ba.size();
      view.pairs.push_back(std::move(pair));
    }
  return view;
}

Result<HeadsView> list_heads(Node& node, const ListHeads&) {
  InstalledConsortium installed(node.store());
  const net::Consortium* consortium = installed.get();
  TRY_ASSIGN(auto logs, node.replicas().logs());
  HeadsView view;
  for (const auto& log : logs) {
    TRY_ASSIGN(auto cosignatures, node.replicas().cosignatures(log.log));
    // One row per head, by size and then root (as hex: the order people see).
    std::map<std::pair<std::uint64_t, std::string>, WitnessedHead> witnessed;
    for (const auto& c : cosignatures) {
      WitnessedHead& head = witnessed[{c.head.size, to_hex(c.head.root)}];
      head.size = c.head.size;
      head.root = c.head.root;
      head.witnesses.push_back(node_name_of(consortium, c.witness));
    }
    LogHeads row;
    row.log = log.log;
    row.name = node_name_of(consortium, log.log);
    row.own = log.own;
    row.frozen = log.frozen;
    row.size = log.size;
    if (log.head) row.root = log.head->head.root;
    for (auto& [key, head] : witnessed) row.witnessed.push_back(std::move(head));
    view.logs.push_back(std::move(row));
  }
  return view;
}

Result<EquivocationList> list_equivocations(Node& node, const ListEquivocations&) {
  InstalledConsortium installed(node.store());
  const net::Consortium* consortium = installed.get();
  TRY_ASSIGN(auto evidence, node.replicas().evidence());
  EquivocationList list;
  for (const auto& e : evidence)
    list.equivocations.push_back({e.first.head.log, node_name_of(consortium, e.first.head.log),
                                  e.first.head.size, e.first.head.root, e.second.head.root,
                                  to_hex(encode_signed_tree_head(e.first)),
                                  to_hex(encode_signed_tree_head(e.second))});
  return list;
}

}  // namespace cohours::app
