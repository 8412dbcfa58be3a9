// cohoursd: runs one co-op's node (docs/operations.md).
//
//   cohoursd --data DIR [--listen HOST:PORT] [--log-level debug|info|warn|error]
//            [--passphrase-file FILE (or COHOURS_PASSPHRASE_FILE), for an encrypted node.key]
//            [--group NAME: its members may use the control socket too]
//
// Holds the node's store open, serves `cohours` commands on DIR/control.sock
// (the CLI never opens the store while the daemon runs), and syncs with the
// peers of the consortium the node joined (`cohours consortium join`).
// SIGTERM or SIGINT: stops taking commands, says goodbye to the peers, and
// closes the store; every acknowledged entry was already synced to disk.
#include <utility>  // before asio's awaitable headers (g++ 12)

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

#include "cohours/api/client_api.h"
#include "cohours/api/metrics.h"
#include "cohours/app/monitoring.h"
#include "cohours/app/clock_source.h"
#include "cohours/app/node.h"
#include "cohours/version.h"
#include "cohours/app/node_key_rotation.h"
#include "cohours/control/call_lanes.h"
#include "cohours/control/server.h"
#include "cohours/crypto.h"
#include "cohours/directory.h"
#include "cohours/ledger.h"
#include "cohours/net/consortium.h"
#include "cohours/net/control_server.h"
#include "cohours/net/http_server.h"
#include "cohours/net/logger.h"
#include "cohours/net/peer_service.h"
#include "cohours/replicas.h"
#include "daemon_peers.h"
#include "digests.h"
#include "memory.h"

namespace fs = std::filesystem;
using namespace cohours;
using namespace cohours::net;
using cohours::daemon::DaemonPeers;

namespace {

api::ApiRequest to_api(const HttpRequest& r) {
  return {r.method,
          r.target,
          r.content_type,
          r.header("x-cohours-key"),
          r.header("x-cohours-time"),
          r.header("x-cohours-signature"),
          r.body,
          r.peer};
}

HttpResponse to_http(api::ApiResponse r) {
  return {r.status,        std::move(r.content_type),   std::move(r.body),         std::move(r.headers),
          std::move(r.refusal_kind), std::move(r.refusal), std::move(r.route)};
}

// GET /metrics: the figures of the node, its ledger and the HTTP server,
// rendered by api/metrics.h, to those it lets in.
HttpResponse metrics_response(app::Node& node, const Ledger& ledger, const HttpServer& http,
                              const api::MetricsAccess& access, const HttpRequest& request) {
  const api::MetricsRequest asking{request.remote,
                                   !request.header("x-forwarded-for").empty() || !request.header("forwarded").empty(),
                                   request.header("authorization")};
  if (std::string why = api::metrics_refusal(access, asking); !why.empty())
    return {403, "text/plain; charset=utf-8", why + "\n", {}, "403 metrics", "403 " + why, {}};
  api::MetricsInput input;
  input.version = version_text();
  {
    // The store's figures from one snapshot.
    const ReadSnapshot snapshot(node.store());
    auto figures = app::node_figures(node, {});
    if (!figures.ok())
      return {500, "text/plain; charset=utf-8", "the node's figures cannot be read: " + figures.status().message() + "\n",
              {}, "500 metrics", "500 " + figures.status().message(), {}};
    input.node = std::move(figures).value();
  }
  input.commits = ledger.commit_stats();
  for (const auto& count : http.request_counts()) input.requests.push_back({count.route, count.status, count.count});
  return {200, std::string(api::kMetricsContentType), api::render_metrics(input), {}, {}, {}, {}};
}

// An installed cohoursd (PREFIX/bin) serves the web app installed beside
// it (PREFIX/share/cohours/web); one run from a build serves its web/dist.
std::string default_web_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && exe.parent_path().filename() == "bin") {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "cohours" / "web";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return COHOURS_DEFAULT_WEB_DIR;
}

struct DaemonOptions {
  std::string listen;  // peers
  std::string passphrase_file;  // for an encrypted node.key; empty: none
  std::int64_t ban_seconds = 600;
  HttpServerOptions http;  // listen empty: no HTTP
  api::ApiOptions api;
  std::int64_t digest_check_seconds = 300;  // how often due alert digests are looked for
  std::optional<ControlGroup> control_group;  // members may use the control socket; none: the daemon's user only
  api::MetricsAccess metrics;                 // who may GET /metrics
  bool i_am_alone = false;                  // release a held signing without the peers' word
};

int serve(const fs::path& dir, const DaemonOptions& daemon_options) {
  const std::string& listen = daemon_options.listen;
  const std::int64_t ban_seconds = daemon_options.ban_seconds;
  HttpServerOptions http_options = daemon_options.http;
  const api::ApiOptions& api_options = daemon_options.api;
  auto chosen_clock = app::process_clock();
  if (!chosen_clock.ok()) {
    log_error("daemon", chosen_clock.status().message());
    return 1;
  }
  const Clock& clock = *chosen_clock.value();
  if (!fs::exists(dir / "node.key")) {
    log_error("daemon", "no node in " + dir.string() + ": run `cohours --data " + dir.string() + " init` first");
    return 1;
  }
  // An encrypted node.key opens with the passphrase file (systemd's
  // LoadCredential), else one typed on a terminal; the same unlocker then
  // opens the keyring keys the node signs with for members.
  auto unlocker =
      std::make_shared<app::KeyUnlocker>(app::PassphraseSource{daemon_options.passphrase_file, app::terminal_asker()});
  const auto unlock_start = std::chrono::steady_clock::now();
  auto read = app::read_node_key(dir, *unlocker);
  if (!read.ok()) {
    log_error("daemon", read.status().message());
    if (read.code() == Code::not_permitted && daemon_options.passphrase_file.empty())
      log_info("daemon", "as a systemd service: LoadCredential=cohours-passphrase:/etc/cohours/passphrase and "
               "Environment=COHOURS_PASSPHRASE_FILE=%d/cohours-passphrase (docs/operations.md, \"Protecting the "
               "keys\")");
    return 1;
  }
  NodeIdentity identity = std::move(read).value();
  if (unlocker->sealing()) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                          unlock_start);
    log_info("daemon", "node.key is encrypted: opened with the passphrase in " + std::to_string(ms.count()) + " ms");
  }
  // A `cohours` command run just as the daemon starts may hold the store for
  // a moment: wait for it (up to 10 s) rather than fail.
  // RocksDB's own warnings and errors (a full disk, say) go to this log.
  auto store_warning = [](std::string_view line) { log_warn("store", line); };
  auto store = open_rocks_store((dir / "store").string(), OpenMode::open_existing, store_warning);
  for (int tries = 0;
       !store.ok() && store.status().message().find("in use") != std::string::npos && tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    store = open_rocks_store((dir / "store").string(), OpenMode::open_existing, store_warning);
  }
  if (!store.ok()) {
    log_error("daemon", "cannot open the store: " + store.status().message());
    return 1;
  }
  auto ledger = app::open_node_ledger(dir, *store.value(), identity, *unlocker, clock);
  if (!ledger.ok()) {
    log_error("daemon", "cannot open the ledger: " + ledger.status().message());
    return 1;
  }
  if (auto held = ledger.value()->signing_hold()) {
    if (daemon_options.i_am_alone) {
      if (Status s = ledger.value()->release_signing(); !s.ok()) {
        log_error("daemon", "cannot release signing: " + s.message());
        return 1;
      }
      log_warn("daemon", "--i-am-alone: signing resumes without the peers' word (it was held: " + *held +
               "); if a peer holds more of this node's log, the next entry forks it");
    } else {
      log_warn("daemon", "signing is held: " + *held +
               "; it resumes once every peer has shown how far this node's log goes (or see --i-am-alone)");
    }
  }
  auto replicas = Replicas::open(*store.value(), clock);
  if (!replicas.ok()) {
    log_error("daemon", "cannot open the log copies: " + replicas.status().message());
    return 1;
  }
  auto consortium = installed_consortium(*store.value());
  if (!consortium.ok() && consortium.code() != Code::not_found) {
    log_error("daemon", "the installed consortium file is unreadable: " + consortium.status().message());
    return 1;
  }
  if (consortium.ok())
    for (const auto& node : consortium->nodes)
      if (node.key != replicas.value()->self())
        if (Status s = replicas.value()->follow(node.key, node.name, node.currency); !s.ok()) {
          log_error("daemon", "cannot follow " + node.name + ": " + s.message());
          return 1;
        }

  boost::asio::io_context io;
  Directory directory(*store.value());
  std::unique_ptr<PeerService> peers;
  if (consortium.ok()) {
    LocalNode local;
    Ledger* own = ledger.value().get();
    local.submit = [own](std::span<const Bytes> entries) { return own->submit(entries); };
    local.lookup_alias = [&directory](const std::string& alias) -> std::optional<PublicKey> {
      auto key = directory.key_for(alias);
      if (!key.ok()) return std::nullopt;
      return key.value();
    };
    // Only this node's own members: the directory's member rows, never the
    // names it learnt of other nodes' members.
    local.alias_of = [&directory](const PublicKey& member) -> std::optional<std::string> {
      auto entry = directory.find(member);
      if (!entry) return std::nullopt;
      return entry->alias;
    };
    // This node's own history: fetched back from the peers after a restore.
    local.recover_own = [own](const LogBatch& batch) { return own->recover_own(batch); };
    local.signing_hold = [own] { return own->signing_hold(); };
    local.hold_signing = [own](const std::string& why) { return own->hold_signing(why); };
    local.release_signing = [own] { return own->release_signing(); };
    PeerServiceOptions options;
    options.listen_address = listen;
    options.sync.ban_ms = ban_seconds * 1000;
    peers = std::make_unique<PeerService>(io, *replicas.value(), *ledger.value(), identity, clock,
                                          consortium.value(), local, options);
  } else {
    log_warn("daemon", "this node has joined no consortium: serving its control socket only");
  }

  DaemonPeers peer_view(peers.get(), *replicas.value(), consortium.ok() ? consortium->name : "");
  app::Node node(dir, identity.copy(), *store.value(), *ledger.value(), *replicas.value(), clock, unlocker);
  node.set_peers(&peer_view);
  // Alert digests go out through the relay in DATA/mail.conf (docs/offers.md).
  daemon::SmtpMailer mailer("localhost");
  node.set_mailer(&mailer);
  daemon::DigestTimer digests(node, std::chrono::seconds(daemon_options.digest_check_seconds));
  Ledger* own = ledger.value().get();
  // Read-only calls run beside others (a balance never waits behind an
  // audit); a call that erases personal data waits for an audit or report
  // under way, whose snapshot would keep the erased rows on disk
  // (docs/decisions.md "Commands through the daemon at once").
  std::shared_mutex long_snapshots;
  ControlServerOptions control_options;
  control_options.group = daemon_options.control_group;
  control_options.runs_beside_others = [](const std::string& request) {
    return control::call_traits(control::call_name_of(request)).read_only;
  };
  ControlServer control(
      io, dir / "control.sock",
      [&](const std::string& request, const ControlServer::Interim& interim) {
        const std::string call = control::call_name_of(request);
        const control::CallTraits traits = control::call_traits(call);
        const auto started = std::chrono::steady_clock::now();
        std::shared_lock<std::shared_mutex> reading(long_snapshots, std::defer_lock);
        std::unique_lock<std::shared_mutex> erasing(long_snapshots, std::defer_lock);
        if (traits.long_snapshot) reading.lock();
        if (traits.erases) erasing.lock();
        const std::uint64_t before = own->log_size();
        std::string response = control::serve_call(node, request, interim);
        if (peers && own->log_size() != before) peers->notify_local_append();
        // The call's name only: its request holds aliases and notes.
        log_debug("control", "call " + (call.empty() ? std::string("(none)") : call) + " answered in " +
                                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::steady_clock::now() - started)
                                                    .count()) +
                                 " ms" + (traits.read_only ? " (beside others)" : ""));
        return response;
      },
      control_options);
  // The client API for phones, and the web app's files, when asked for.
  std::unique_ptr<api::ClientApi> client_api;
  std::unique_ptr<HttpServer> http;
  if (!http_options.listen.empty()) {
    client_api = std::make_unique<api::ClientApi>(node, api_options);
    http_options.route_of = [](std::string_view target) -> std::string {
      if (target.rfind("/v1", 0) == 0) return api::ClientApi::route_template(target);
      return target.substr(0, target.find('?')) == "/metrics" ? "/metrics" : "static";
    };
    http_options.metrics = [&](const HttpRequest& request) {
      return metrics_response(node, *own, *http, daemon_options.metrics, request);
    };
    http = std::make_unique<HttpServer>(
        io,
        [&](const HttpRequest& request) {
          const std::uint64_t before = own->log_size();
          HttpResponse response = to_http(client_api->handle(to_api(request)));
          if (peers && own->log_size() != before) peers->notify_local_append();
          return response;
        },
        &api::ClientApi::body_limit, http_options);
  }
  try {
    control.start();
    if (peers) peers->start();
    if (http) {
      http->start();
      log_info("http", "serving the client API" +
               std::string(http_options.web_root.empty() ? "" : " and the web app") + " on " +
               http->local_address());
    }
  } catch (const std::exception& e) {
    log_error("daemon", std::string("cannot start: ") + e.what());
    return 1;
  }
  log_info("daemon", "node " + ledger.value()->node_name() + " (" + to_hex(ledger.value()->node_key()).substr(0, 12) +
           ") running; log size " + std::to_string(ledger.value()->log_size()));

  // Refusals a stranger can cause are logged a few per kind and window
  // (logger.h log_limited); this writes the count of the rest once a flood
  // stops, not only when the next line of its kind comes.
  boost::asio::steady_timer log_summaries(io);
  std::function<void()> summarise = [&] {
    log_summaries.expires_after(std::chrono::seconds(10));
    log_summaries.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      flush_limited_logs();
      summarise();
    });
  };
  summarise();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_info("daemon", std::string("stopping on ") + (signal == SIGTERM ? "SIGTERM" : "SIGINT"));
    control.stop();
    digests.stop();
    log_summaries.cancel();
    if (http) http->stop();
    if (peers)
      peers->stop([&io] { io.stop(); });
    else
      io.stop();
  });
  trim_malloc_periodically(io);
  io.run();
  // The control server's destructor waits for a command still running;
  // then the ledger and the store close in order.
  control.stop();
  log_info("daemon", "stopped; log size " + std::to_string(ledger.value()->log_size()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  limit_malloc_retention();
  if (!crypto_init()) {
    std::cerr << "error: libsodium could not initialise\n";
    return 1;
  }
  std::string data = "./cohours-data";
  std::string level = "info";
  DaemonOptions options;
  options.http.listen.clear();
  std::string web = default_web_dir();
  CLI::App app{"cohoursd: a co-op's node: control socket for `cohours`, sync with the consortium"};
  app.set_version_flag("--version", "cohoursd " + version_text());
  app.add_option("--data", data, "The node's data directory")->capture_default_str();
  app.add_option("--listen", options.listen,
                 "host:port for peers (default: this node's address in the consortium file)");
  app.add_option("--http", options.http.listen,
                 "host:port for the client API and the phone web app, e.g. 127.0.0.1:8080 (loopback: put a "
                 "TLS proxy in front, docs/operations.md)");
  app.add_option("--web", web, "The phone web app's files (the build's web/dist)")->capture_default_str();
  app.add_option("--http-requests-per-minute", options.api.requests_per_minute,
                 "Client API requests allowed per member key per minute")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  std::string metrics_token_file;
  app.add_option("--metrics-token-file", metrics_token_file,
                 "A file holding a token (16 characters or more): GET /metrics then answers, from any address, "
                 "only requests with Authorization: Bearer TOKEN; without it, only loopback requests no proxy "
                 "forwarded (docs/operations.md, \"Monitoring\")");
  app.add_option("--log-level", level, "debug, info, warn or error")->capture_default_str();
  app.add_option("--passphrase-file", options.passphrase_file,
                 "A file holding the passphrase of an encrypted node.key (systemd: LoadCredential, "
                 "docs/operations.md)")
      ->envname("COHOURS_PASSPHRASE_FILE");
  app.add_option("--ban-seconds", options.ban_seconds, "How long a peer that sent forged data is kept out")
      ->capture_default_str()
      ->check(CLI::Range(1, 7 * 24 * 3600));
  app.add_flag("--i-am-alone", options.i_am_alone,
               "Sign again after a restore without the peers' word, when no peer will ever answer (a risk: "
               "docs/operations.md \"After a restore\")");
  app.add_option("--digest-check-seconds", options.digest_check_seconds,
                 "How often to look for alert digests that are due (each member's at most once per the "
                 "relay's interval, `cohours alerts relay --every`)")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 3600));
  std::string group;
  app.add_option("--group", group,
                 "Members of this group may use the control socket too, without sudo (the packaged unit: "
                 "cohours; docs/operations.md \"Install from the package\")");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    std::cout << "cohoursd " << version_text() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  LogLevel parsed;
  if (!parse_log_level(level, &parsed)) {
    std::cerr << "error: --log-level must be debug, info, warn or error\n";
    return 2;
  }
  set_log_level(parsed);
  if (!group.empty()) {
    std::string why;
    options.control_group = find_control_group(group, &why);
    if (!options.control_group) {
      log_error("daemon", "--group " + group + ": " + why);
      return 1;
    }
  }
  if (!metrics_token_file.empty()) {
    std::ifstream in(metrics_token_file);
    std::getline(in, options.metrics.token);
    while (!options.metrics.token.empty() && std::isspace(static_cast<unsigned char>(options.metrics.token.back())))
      options.metrics.token.pop_back();
    if (!in && !in.eof()) {
      std::cerr << "error: cannot read --metrics-token-file " << metrics_token_file << "\n";
      return 2;
    }
    if (options.metrics.token.size() < 16) {
      std::cerr << "error: the token in " << metrics_token_file
                << " is shorter than 16 characters; write a long random one, e.g. `openssl rand -hex 24 > FILE`\n";
      return 2;
    }
  }
  try {
    std::error_code ec;
    if (!web.empty() && fs::is_directory(web, ec)) options.http.web_root = fs::absolute(web);
    return serve(fs::absolute(data), options);
  } catch (const std::exception& e) {
    log_error("daemon", e.what());
    return 1;
  }
}
