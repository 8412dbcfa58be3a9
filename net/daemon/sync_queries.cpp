#include "sync_queries.h"

namespace cohours::net {

namespace {

nlohmann::json status_json(PeerService* peers, Replicas& replicas, const Consortium* consortium) {
  nlohmann::json out;
  out["running"] = true;
  out["consortium"] = consortium ? nlohmann::json(consortium->name) : nlohmann::json();
  out["listen"] = peers ? peers->listen_address() : "";
  SyncStatus status;
  if (peers) {
    status = peers->status();
  } else if (auto logs = replicas.logs(); logs.ok()) {
    status.logs = std::move(logs).value();
  }
  out["logs"] = nlohmann::json::array();
  for (const auto& log : status.logs) {
    // Every log by its name in the consortium file, this node's own too.
    std::string name = log.name;
    if (consortium)
      if (const ConsortiumNode* node = consortium->find(log.log)) name = node->name;
    nlohmann::json row{{"log", to_hex(log.log)},
                       {"name", name},
                       {"own", log.own},
                       {"size", log.size},
                       {"frozen", log.frozen}};
    if (auto broken = status.broken_logs.find(log.log); broken != status.broken_logs.end())
      row["broken"] = broken->second;
    out["logs"].push_back(row);
  }
  out["peers"] = nlohmann::json::array();
  for (const auto& peer : status.peers) {
    nlohmann::json sizes = nlohmann::json::object();
    for (const auto& [log, size] : peer.sizes) sizes[to_hex(log)] = size;
    out["peers"].push_back({{"name", peer.name},
                            {"key", to_hex(peer.key)},
                            {"connected", peer.connected},
                            {"last_contact_ms", peer.last_contact_ms},
                            {"banned_until_ms", peer.banned_until_ms},
                            {"ban_reason", peer.ban_reason},
                            {"sizes", sizes}});
  }
  return out;
}

}  // namespace

QueryHandler make_sync_queries(PeerService* peers, Replicas& replicas, const Consortium* consortium) {
  return [peers, &replicas, consortium](const std::string& query,
                                        const nlohmann::json& params) -> std::optional<nlohmann::json> {
    if (query == "sync_status") return status_json(peers, replicas, consortium);
    if (query == "resolve_alias") {
      if (!peers || !params.contains("node") || !params.contains("alias"))
        return nlohmann::json{{"key", nullptr}};
      auto key = peers->resolve_alias(params["node"].get<std::string>(), params["alias"].get<std::string>());
      return nlohmann::json{{"key", key ? nlohmann::json(to_hex(*key)) : nlohmann::json()}};
    }
    return std::nullopt;
  };
}

}  // namespace cohours::net
