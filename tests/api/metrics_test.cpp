// GET /metrics of a real cohoursd (docs/operations.md "Monitoring"): the
// Prometheus text format (every sample under a HELP and a TYPE, no series
// twice, label values quoted), figures that move with what the node does
// (responses by route and status, commits, vettings expiring), who may
// scrape; and the daemon's log after that activity: every line in the
// documented format, no member's name, contact or note in it.
#include <regex>
#include <set>
#include <sstream>

#include <cstring>

#include "cohours/api/metrics.h"
#include "cohours/dates.h"
#include "cohours/version.h"
#include "http_daemon.h"

using namespace cohours;
using namespace cohours::test::http_daemon;

namespace {

// Samples by series (name and labels as written), after checking the text
// is well formed: each family's # HELP and # TYPE come before its samples,
// and no series appears twice.
std::map<std::string, std::string> parse_exposition(const std::string& text) {
  std::map<std::string, std::string> samples;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::istringstream in(text);
  std::string line;
  const std::regex sample_line(R"(([a-z_]+)(\{([a-z_]+="([^"\\]|\\.)*")(,[a-z_]+="([^"\\]|\\.)*")*\})? (\S+))");
  while (std::getline(in, line)) {
    CAPTURE(line);
    if (line.rfind("# HELP ", 0) == 0) {
      helped.insert(line.substr(7, line.find(' ', 7) - 7));
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      CHECK(helped.count(name) == 1);
      CHECK((type == "counter" || type == "gauge" || type == "histogram"));
      CHECK(types.emplace(name, type).second);  // one TYPE per family
      continue;
    }
    std::smatch m;
    REQUIRE(std::regex_match(line, m, sample_line));
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!types.count(family) && family.size() > std::strlen(suffix) &&
          family.compare(family.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
        family.resize(family.size() - std::strlen(suffix));
    CHECK_MESSAGE(types.count(family) == 1, (std::string("no TYPE before ") + line));
    if (types[family] == "counter") CHECK(family.size() > 6);
    if (types[family] == "counter") CHECK(family.compare(family.size() - 6, 6, "_total") == 0);
    const std::string series = line.substr(0, line.rfind(' '));
    CHECK_MESSAGE(samples.emplace(series, m[7]).second, (std::string("twice: ") + series));
  }
  return samples;
}

std::uint64_t value_of(const std::map<std::string, std::string>& samples, const std::string& series) {
  auto it = samples.find(series);
  if (it == samples.end()) return 0;
  return std::stoull(it->second);
}

int run_cli(const fs::path& dir, const std::string& args) {
  const std::string command =
      std::string(std::getenv("COHOURS_BIN")) + " --data " + dir.string() + " " + args + " >/dev/null 2>&1";
  return std::system(command.c_str());
}

}  // namespace

TEST_CASE("GET /metrics of a real cohoursd, and its log") {
  if (!std::getenv("COHOURSD_BIN") || !std::getenv("COHOURS_BIN")) {
    MESSAGE("COHOURSD_BIN / COHOURS_BIN not set: skipped");
    return;
  }
  test::TempDir tmp;
  fs::path dir = make_node(tmp.path);
  ::unsetenv("COHOURS_NOW");  // the daemon on the wall clock, as in production
  Daemon daemon(dir);

  Reply first = daemon.request("GET", "/metrics");
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.header("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  const auto before = parse_exposition(first.body);
  CHECK(value_of(before, "cohours_frozen_logs") == 0);
  CHECK(value_of(before, "cohours_vettings_expiring") == 0);
  // The store's bytes are its files' (a made node holds some); no receipts yet.
  CHECK(value_of(before, "cohours_store_bytes") > 0);
  CHECK(value_of(before, "cohours_receipts_bytes") == 0);
  CHECK(before.count("cohours_commit_duration_seconds_bucket{le=\"+Inf\"}") == 1);
  CHECK(before.count("cohours_build_info{version=\"" + version_text() + "\"}") == 1);
  const std::uint64_t health_before = value_of(before, R"(cohours_http_requests_total{route="/v1/health",status="200"})");

  // Activity: reads, a 404, a refused signed read, and commits through the
  // daemon (a member with contact details; a check that expires in 10 days).
  for (int i = 0; i < 3; ++i) CHECK(daemon.request("GET", "/v1/health").status == 200);
  CHECK(daemon.request("GET", "/v1/no-such-thing").status == 404);
  CHECK(daemon.request("GET", "/v1/members/zebedee/statement").status == 401);
  REQUIRE(run_cli(dir, "member add zebedee --role volunteer --contact 'Zebedee Quillfeather, zq@example.org'") == 0);
  const std::int32_t today = days_from_ms(SystemClock().now_ms());
  REQUIRE(run_cli(dir, "vetting record zebedee --as dave --kind pvg --issued " + format_date(today - 300) +
                           " --expires " + format_date(today + 10) + " --certificate QX-98765-Quill") == 0);

  Reply second = daemon.request("GET", "/metrics");
  REQUIRE(second.status == 200);
  const auto after = parse_exposition(second.body);
  CHECK(value_of(after, R"(cohours_http_requests_total{route="/v1/health",status="200"})") == health_before + 3);
  CHECK(value_of(after, R"(cohours_http_requests_total{route="unknown",status="404"})") == 1);
  CHECK(value_of(after, R"(cohours_http_requests_total{route="/v1/members/{alias}/statement",status="401"})") == 1);
  // The first scrape is counted by the second.
  CHECK(value_of(after, R"(cohours_http_requests_total{route="/metrics",status="200"})") >= 1);
  CHECK(value_of(after, "cohours_commits_total") >= value_of(before, "cohours_commits_total") + 2);
  CHECK(value_of(after, "cohours_committed_entries_total") == value_of(before, "cohours_committed_entries_total") + 2);
  CHECK(value_of(after, "cohours_commit_duration_seconds_count") == value_of(after, "cohours_commits_total"));
  CHECK(value_of(after, "cohours_vettings_expiring") == 1);
  CHECK(value_of(after, "cohours_vettings_current") == value_of(before, "cohours_vettings_current") + 1);
  bool own_log_grew = false;
  for (const auto& [series, value] : after)
    if (series.rfind("cohours_log_records{", 0) == 0 && series.find("own=\"true\"") != std::string::npos)
      own_log_grew = value_of(before, series) + 2 == std::stoull(value);
  CHECK(own_log_grew);
  // No raw path in a label: the alias asked for is not there.
  CHECK(second.body.find("zebedee") == std::string::npos);

  // Through a proxy, or with a token it does not ask for: refused.
  Reply proxied = daemon.request("GET", "/metrics", "", nullptr, 0, "", {{"X-Forwarded-For", "203.0.113.9"}});
  CHECK(proxied.status == 403);
  CHECK(proxied.body.find("--metrics-token-file") != std::string::npos);
  CHECK(daemon.request("POST", "/metrics").status == 405);

  // The log: every line "TIME LEVEL COMPONENT: message", and no personal
  // text of the member who was added, vetted and asked about.
  CHECK(daemon.stop() == 0);
  const std::string log = read_file(dir / "daemon.log");
  std::istringstream lines(log);
  std::string line;
  const std::regex format(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info|warn|error) (daemon|control|http|sync|store|alerts): .+)");
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    CHECK_MESSAGE(std::regex_match(line, format), line);
  }
  CHECK(count >= 3);
  for (const char* personal : {"Quillfeather", "zq@example.org", "QX-98765", "zebedee"})
    CHECK_MESSAGE(log.find(personal) == std::string::npos, personal);
}

TEST_CASE("who may scrape /metrics") {
  api::MetricsAccess loopback_only;
  CHECK(api::metrics_refusal(loopback_only, {"127.0.0.1", false, ""}).empty());
  CHECK(api::metrics_refusal(loopback_only, {"::1", false, ""}).empty());
  CHECK(!api::metrics_refusal(loopback_only, {"127.0.0.1", true, ""}).empty());
  CHECK(!api::metrics_refusal(loopback_only, {"192.0.2.7", false, ""}).empty());
  api::MetricsAccess token{"s3cret-s3cret-s3cret"};
  CHECK(api::metrics_refusal(token, {"192.0.2.7", true, "Bearer s3cret-s3cret-s3cret"}).empty());
  CHECK(!api::metrics_refusal(token, {"127.0.0.1", false, ""}).empty());
  CHECK(!api::metrics_refusal(token, {"192.0.2.7", false, "Bearer s3cret-s3cret-s3cre"}).empty());
  CHECK(!api::metrics_refusal(token, {"192.0.2.7", false, "Bearer s3cret-s3cret-s3cret!"}).empty());
}
