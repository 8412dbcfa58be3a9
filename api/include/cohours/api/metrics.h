// GET /metrics: a node's figures in the Prometheus text exposition format
// 0.0.4 (docs/operations.md "Monitoring"), and who may read them. Only
// renders: each figure is counted by the layer that owns it (commits by
// the ledger, HTTP responses by the server, the rest by app).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cohours/app/monitoring.h"
#include "cohours/commit_stats.h"

namespace cohours::api {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

struct RequestCount {
  std::string route;  // a template, never a raw path
  int status = 0;
  std::uint64_t count = 0;
};

struct MetricsInput {
  std::string version;  // version_text()
  app::NodeFigures node;
  CommitStatsSnapshot commits;
  std::vector<RequestCount> requests;
};

std::string render_metrics(const MetricsInput& input);

// Who may scrape (docs/decisions.md "Watching a node"): with a token, only
// a request carrying `Authorization: Bearer TOKEN`, from anywhere; without
// one, only a request whose connection comes from this machine (loopback)
// and that no proxy forwarded (no X-Forwarded-For or Forwarded header).
struct MetricsAccess {
  std::string token;  // empty: loopback only
};
struct MetricsRequest {
  std::string remote;  // the connection's own address
  bool forwarded = false;
  std::string authorization;
};
// Empty if allowed, else why not (for the 403/401 answer).
std::string metrics_refusal(const MetricsAccess& access, const MetricsRequest& request);

}  // namespace cohours::api
