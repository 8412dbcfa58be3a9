// The daemon's peers as the use cases see them (app::PeerView): alias
// look-ups of ALIAS@NODE and the sync picture of `sync status`, from the
// PeerService. Without a consortium there is no PeerService: no peers, and
// the logs held here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/net/peer_service.h"
#include "cohours/replicas.h"

namespace cohours::daemon {

class DaemonPeers final : public app::PeerView {
 public:
  DaemonPeers(net::PeerService* peers, Replicas& replicas, std::string consortium)
      : peers_(peers), replicas_(replicas), consortium_(std::move(consortium)) {}
  std::optional<PublicKey> resolve_alias(const std::string& node_name, const std::string& alias) override;
  std::map<PublicKey, std::optional<std::string>> member_aliases(const std::string& node_name,
                                                                 const std::vector<PublicKey>& members) override;
  app::SyncState sync_state() override;

 private:
  net::PeerService* peers_;
  Replicas& replicas_;
  std::string consortium_;
};

}  // namespace cohours::daemon
