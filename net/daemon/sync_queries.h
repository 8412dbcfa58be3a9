// What the daemon answers to commands that need it (HostedNode::query):
//   "sync_status"   -> peers, their heads and lag, the logs held here
//   "resolve_alias" {"node": NAME, "alias": ALIAS} -> {"key": HEX or null}
// asked of the named node over the peer link.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

#include "cohours/net/consortium.h"
#include "cohours/net/peer_service.h"
#include "cohours/replicas.h"

namespace cohours::net {

using QueryHandler = std::function<std::optional<nlohmann::json>(const std::string&, const nlohmann::json&)>;

// `peers` and `consortium` are null when the node joined no consortium.
// Everything passed must outlive the handler.
QueryHandler make_sync_queries(PeerService* peers, Replicas& replicas, const Consortium* consortium);

}  // namespace cohours::net
