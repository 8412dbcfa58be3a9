#include "daemon_peers.h"

namespace cohours::daemon {

std::optional<PublicKey> DaemonPeers::resolve_alias(const std::string& node_name, const std::string& alias) {
  if (!peers_) return std::nullopt;
  return peers_->resolve_alias(node_name, alias);
}

std::map<PublicKey, std::optional<std::string>> DaemonPeers::member_aliases(const std::string& node_name,
                                                                            const std::vector<PublicKey>& members) {
  if (!peers_) return {};
  // A statement waits for this: a peer that is up answers in milliseconds.
  return peers_->member_aliases(node_name, members, std::chrono::milliseconds(3'000));
}

app::SyncState DaemonPeers::sync_state() {
  app::SyncState state;
  state.consortium = consortium_;
  if (!peers_) {
    if (auto logs = replicas_.logs(); logs.ok()) state.logs = std::move(logs).value();
    return state;
  }
  state.listen = peers_->listen_address();
  net::SyncStatus status = peers_->status();
  state.logs = std::move(status.logs);
  state.broken_logs = std::move(status.broken_logs);
  for (auto& peer : status.peers) {
    app::PeerState& out = state.peers.emplace_back();
    out.name = std::move(peer.name);
    out.key = peer.key;
    out.connected = peer.connected;
    out.last_contact_ms = peer.last_contact_ms;
    out.banned_until_ms = peer.banned_until_ms;
    out.ban_reason = std::move(peer.ban_reason);
    for (const auto& [log, size] : peer.sizes) out.sizes.push_back({log, size});
  }
  return state;
}

}  // namespace cohours::daemon
