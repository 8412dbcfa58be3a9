#include "cohours/api/metrics.h"

#include "prometheus_text.h"

namespace cohours::api {

namespace {

PromLabels metrics_log_labels(const app::LogFigures& log) {
  return {{"node", log.node_name}, {"log", to_hex(log.log)}};
}

void metrics_commits(PromText& out, const CommitStatsSnapshot& c) {
  out.family("cohours_commits_total", "counter",
             "Commit groups the ledger wrote to disk (one synced write and one signed head each) since the daemon "
             "started.");
  out.sample({}, c.groups);
  out.family("cohours_committed_entries_total", "counter",
             "Entries appended to this node's log by those commit groups since the daemon started.");
  out.sample({}, c.entries);
  out.family("cohours_commit_failures_total", "counter",
             "Commit groups whose write failed (none of their entries acknowledged) since the daemon started.");
  out.sample({}, c.failures);
  out.family("cohours_commit_duration_seconds", "histogram",
             "Time from a commit group forming to its synced write returning.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kCommitLatencyBoundsUs.size(); ++i) {
    cumulative += c.buckets[i];
    out.sample("_bucket", {{"le", prom_seconds(kCommitLatencyBoundsUs[i])}}, std::to_string(cumulative));
  }
  cumulative += c.buckets.back();
  out.sample("_bucket", {{"le", "+Inf"}}, std::to_string(cumulative));
  out.sample("_sum", {}, prom_seconds(c.latency_sum_us));
  // The count is the buckets' own total, so the series agree whatever
  // commits while they are read.
  out.sample("_count", {}, std::to_string(cumulative));
}

void metrics_logs(PromText& out, const app::NodeFigures& node) {
  out.family("cohours_log_records", "gauge",
             "Records held of each log: this node's own (own=\"true\") and its copies of the other nodes' logs.");
  for (const auto& log : node.logs) {
    PromLabels labels = metrics_log_labels(log);
    labels.emplace_back("own", log.own ? "true" : "false");
    out.sample(labels, log.size);
  }
  out.family("cohours_log_frozen", "gauge",
             "1 for a log this node holds evidence of rewritten history against (frozen: no longer fetched), else 0.");
  for (const auto& log : node.logs) out.sample(metrics_log_labels(log), log.frozen ? 1 : 0);
  std::uint64_t frozen = 0;
  for (const auto& log : node.logs) frozen += log.frozen ? 1 : 0;
  out.family("cohours_frozen_logs", "gauge", "Logs frozen here (evidence of rewritten history is held).");
  out.sample({}, frozen);
  out.family("cohours_sync_behind_records", "gauge",
             "Records the copy here is behind the largest size a connected peer announced for the log (0: caught "
             "up); logs no connected peer announced are left out.");
  for (const auto& log : node.logs)
    if (log.behind) out.sample(metrics_log_labels(log), *log.behind);
}

}  // namespace

std::string render_metrics(const MetricsInput& in) {
  PromText out;
  out.family("cohours_build_info", "gauge", "Always 1; the version label says which build and formats run.");
  out.sample({{"version", in.version}}, 1);
  metrics_logs(out, in.node);
  out.family("cohours_peers", "gauge", "Peers in the consortium file this daemon follows.");
  out.sample({}, in.node.peers);
  out.family("cohours_peers_connected", "gauge", "Peers connected now.");
  out.sample({}, in.node.peers_connected);
  out.family("cohours_peers_banned", "gauge", "Peers banned now for sending forged data.");
  out.sample({}, in.node.peers_banned);
  metrics_commits(out, in.commits);
  out.family("cohours_http_requests_total", "counter",
             "HTTP responses sent since the daemon started, by route template and status code (route=\"none\": "
             "refused before any route, e.g. a body over its cap).");
  for (const auto& r : in.requests) out.sample({{"route", r.route}, {"status", std::to_string(r.status)}}, r.count);
  out.family("cohours_vettings_current", "gauge", "Vetting checks current today.");
  out.sample({}, in.node.vettings_current);
  out.family("cohours_vettings_expiring", "gauge",
             "Vetting checks current today that expire within 30 days (`cohours vetting list --expiring 30`).");
  out.sample({}, in.node.vettings_expiring);
  out.family("cohours_store_bytes", "gauge",
             "Bytes on disk of the node's store directory (RocksDB's tables, write-ahead log and manifest).");
  out.sample({}, in.node.store_bytes);
  out.family("cohours_receipts_bytes", "gauge", "Bytes on disk of the expense receipts the node keeps.");
  out.sample({}, in.node.receipts_bytes);
  return out.text();
}

std::string metrics_refusal(const MetricsAccess& access, const MetricsRequest& request) {
  if (!access.token.empty()) {
    const std::string expected = "Bearer " + access.token;
    // Compared in time independent of where they differ.
    unsigned char differ = expected.size() != request.authorization.size();
    for (std::size_t i = 0; i < expected.size(); ++i)
      differ |= static_cast<unsigned char>(expected[i] ^
                                           (i < request.authorization.size() ? request.authorization[i] : 0));
    return differ ? "/metrics needs the header Authorization: Bearer and the token in cohoursd's "
                    "--metrics-token-file"
                  : "";
  }
  const bool loopback = request.remote == "::1" || request.remote.rfind("127.", 0) == 0 ||
                        request.remote.rfind("::ffff:127.", 0) == 0;
  if (!loopback || request.forwarded)
    return "/metrics is answered only to this machine (loopback, not through a proxy) unless cohoursd runs with "
           "--metrics-token-file";
  return "";
}

}  // namespace cohours::api
