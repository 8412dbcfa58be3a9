// The control socket (cli/CONTROL.md): while a daemon holds the store, each
// command runs in the `cohours` process and sends its use cases to the
// daemon as typed calls; it answers exactly as the same command run without
// a daemon; bad requests get an error and the server keeps serving; files
// stay with the caller.
//
// The daemon here is a stand-in: the store, ledger and copies held open and
// a ControlServer on a background io_context thread, with the handler
// cohoursd uses (control::serve_call).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // before the asio headers (g++ 12)

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "cohours/app/keyring.h"
#include "cohours/app/members.h"
#include "cohours/app/node.h"
#include "cohours/control/call_lanes.h"
#include "cohours/control/calls.h"
#include "cohours/control/client.h"
#include "cohours/control/server.h"
#include "cohours/control/socket.h"
#include "cohours/crypto.h"
#include "cohours/net/control_server.h"
#include "output.h"
#include "run.h"

namespace fs = std::filesystem;
using namespace cohours;
using namespace cohours::cli;
using namespace std::chrono_literals;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "cohours-control-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// Polls `done` until it holds or `limit` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);  // the polling interval
  }
  return true;
}

struct Run {
  int exit = -1;
  std::string out, err;
  bool operator==(const Run&) const = default;
};

doctest::String describe(const Run& run) {
  return ("exit " + std::to_string(run.exit) + "\nstdout: " + run.out + "\nstderr: " + run.err).c_str();
}

}  // namespace

namespace doctest {
template <>
struct StringMaker<Run> {
  static String convert(const Run& run) { return describe(run); }
};
}  // namespace doctest

namespace {

// The command run in this process, without a daemon.
Run direct(const std::vector<std::string>& args) {
  OutputCapture capture;
  int code = run_cli(args);
  return {code, capture.out_text(), capture.err_text()};
}

// The built `cohours` binary (COHOURS_BIN) run in `cwd`.
std::optional<Run> binary(const std::vector<std::string>& args, const fs::path& cwd,
                          const fs::path& scratch) {
  const char* bin = std::getenv("COHOURS_BIN");
  if (!bin) return std::nullopt;
  auto quote = [](const std::string& text) {
    std::string out = "'";
    for (char ch : text) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return out + "'";
  };
  std::string command = "cd " + quote(cwd.string()) + " && " + quote(bin);
  for (const auto& arg : args) command += " " + quote(arg);
  command += " >" + quote((scratch / "stdout").string()) + " 2>" + quote((scratch / "stderr").string());
  int status = std::system(command.c_str());
  auto slurp = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  return Run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(scratch / "stdout"),
             slurp(scratch / "stderr")};
}

// A raw connection to the socket (through its directory's /proc/self/fd
// link when the path is too long for sockaddr_un), or -1.
int connect_to(const fs::path& socket_path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = socket_path.string();
  int dir = -1;
  if (path.size() >= sizeof addr.sun_path) {
    dir = ::open(socket_path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    path = "/proc/self/fd/" + std::to_string(dir) + "/" + socket_path.filename().string();
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  if (dir >= 0) ::close(dir);
  if (rc != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends raw bytes on a fresh connection and returns the decoded answer
// (null if the server closed without one).
nlohmann::json raw_exchange(const fs::path& socket_path, const std::string& bytes) {
  int fd = connect_to(socket_path);
  REQUIRE(fd >= 0);
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string answer;
  bool got = control::read_message(fd, &answer);
  ::close(fd);
  if (!got) return nullptr;
  return nlohmann::json::parse(answer, nullptr, false);
}

std::string framed(const std::string& body) {
  std::uint32_t n = static_cast<std::uint32_t>(body.size());
  std::string out = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)};
  return out + body;
}

// A node made with `cohours init`, its path as typed relative to `parent`.
fs::path make_node(const fs::path& parent, const std::string& name = "node") {
  fs::path data = parent / name;
  Run init = direct({"--data", data.string(), "init", "--name", "Hilltop Care Co-op"});
  REQUIRE_MESSAGE(init.exit == 0, describe(init));
  return data;
}

// A daemon's peers as the use cases see them: one peer, never connected.
struct FakePeers final : app::PeerView {
  std::optional<PublicKey> resolve_alias(const std::string&, const std::string&) override {
    return std::nullopt;
  }
  app::SyncState sync_state() override {
    app::SyncState state;
    state.listen = "127.0.0.1:7199";
    state.peers.push_back({"riverside", PublicKey{}, false, 0, 0, "", {}});
    return state;
  }
};

// cohoursd in miniature: holds the node open and serves its control socket.
struct Daemon {
  fs::path dir;
  std::unique_ptr<Store> store;
  SystemClock clock;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<Replicas> replicas;
  std::unique_ptr<app::Node> node;
  FakePeers peers;
  boost::asio::io_context io;
  std::unique_ptr<net::ControlServer> server;
  std::thread thread;
  std::atomic<int> running{0}, most_at_once{0}, served{0};

  explicit Daemon(const fs::path& data, net::ControlServerOptions options = {}) : dir(data) {
    NodeIdentity node_identity;
    node_identity.secret_key = app::read_secret_key(dir / "node.key").value();
    node_identity.public_key = public_key_of(node_identity.secret_key);
    auto opened = open_rocks_store((dir / "store").string(), OpenMode::open_existing);
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    auto ledger_opened = Ledger::open(*store, node_identity, clock);
    REQUIRE(ledger_opened.ok());
    ledger = std::move(ledger_opened).value();
    auto replicas_opened = Replicas::open(*store, clock);
    REQUIRE(replicas_opened.ok());
    replicas = std::move(replicas_opened).value();
    node = std::make_unique<app::Node>(dir, node_identity.copy(), *store, *ledger, *replicas, clock);
    node->set_peers(&peers);
    server = std::make_unique<net::ControlServer>(
        io, dir / control::kSocketName,
        [this](const std::string& request, const net::ControlServer::Interim& interim) {
          int now = ++running;
          for (int seen = most_at_once.load();
               now > seen && !most_at_once.compare_exchange_weak(seen, now);) {
          }
          std::string response = control::serve_call(*node, request, interim);
          --running;
          ++served;
          return response;
        },
        options);
    server->start();
    thread = std::thread([this] { io.run(); });
    // The socket is bound and listening once start() returns; check that
    // it takes connections before any test relies on it.
    REQUIRE(wait_until([&] {
      int fd = connect_to(dir / control::kSocketName);
      if (fd < 0) return false;
      ::close(fd);
      return true;
    }));
  }
  ~Daemon() { stop(); }
  void stop() {
    if (!server) return;
    server->stop();
    server.reset();  // waits for a running command
    io.stop();
    thread.join();
    node.reset();
    replicas.reset();
    ledger.reset();
    store.reset();
  }
};

// Runs `args` in this process (run_cli): through the daemon if one serves
// `data`, else on the store it opens. Returns what it printed.
Run direct_at(const fs::path& data, std::vector<std::string> args) {
  args.insert(args.begin(), {"--data", data.string()});
  return direct(args);
}

// A framed call as the client sends it.
std::string call(const std::string& name, const nlohmann::json& request) {
  return framed(nlohmann::json{{"version", 2}, {"call", name}, {"request", request}}.dump());
}

bool refused(const nlohmann::json& answer, const std::string& code, const std::string& part) {
  return answer.is_object() && answer["ok"] == false && answer["code"] == code &&
         answer["message"].get<std::string>().find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("commands through the daemon answer as the same commands without one") {
  TempDir tmp;
  fs::path data = make_node(tmp.path);
  // Reads and errors, first with no daemon: the command opens the store.
  const std::vector<std::vector<std::string>> commands = {
      {"balance"},
      {"--json", "balance"},
      {"balance", "nobody"},
      {"--json", "balance", "nobody"},
      {"member", "add", "Bad!", "--role", "volunteer"},
      {"member", "add", "carol", "--role", "astronaut"},
      {"hours", "log", "--as", "nobody", "--to", "bob", "--minutes", "60", "--category", "befriending",
       "--date", "2026-01-05"},
      {"hours", "log", "--minutes", "60"},
      {"frobnicate"},
      {"policy", "show"},
      {"member", "list", "--json"},
      {"log", "show"},
  };
  std::vector<Run> expected;
  for (const auto& command : commands) expected.push_back(direct_at(data, command));
  CHECK(expected[2].exit == exit_unknown);
  CHECK(expected[4].exit == exit_invalid);
  CHECK(expected[7].exit == exit_usage);

  Daemon daemon(data);
  for (std::size_t i = 0; i < commands.size(); ++i) {
    CAPTURE(i);
    CHECK(direct_at(data, commands[i]) == expected[i]);
  }
  CHECK(daemon.served > 0);  // they went to the daemon

  // Commands that change the ledger, through the daemon.
  Run alice = direct_at(data, {"member", "add", "alice", "--role", "volunteer"});
  CHECK(alice.exit == 0);
  CHECK(alice.out.rfind("Added alice (volunteer), key kept in this node's keyring\nkey ", 0) == 0);
  CHECK(direct_at(data, {"member", "add", "bob", "--role", "carer"}).exit == 0);
  Run again = direct_at(data, {"member", "add", "bob", "--role", "carer"});
  CHECK(again.exit == exit_refused);
  CHECK(again.err == "error: 'bob' is already a member\n");
  Run logged = direct_at(data, {"hours", "log", "--as", "alice", "--to", "bob", "--minutes", "90",
                                "--category", "befriending", "--date", "2026-01-05"});
  CHECK_MESSAGE(logged.exit == 0, describe(logged));
  CHECK(logged.out.find("alice gave bob 1 hour 30 minutes of befriending") != std::string::npos);
  CHECK(daemon.ledger->log_size() >= 3);  // the daemon's own ledger took them

  const std::vector<std::vector<std::string>> reads = {{"balance"},
                                                       {"--json", "balance"},
                                                       {"statement", "bob"},
                                                       {"member", "list"},
                                                       {"balance", "alice", "--json"}};
  std::vector<Run> hosted;
  for (const auto& command : reads) hosted.push_back(direct_at(data, command));
  CHECK(hosted[0].out.find("bob") != std::string::npos);
  // The real `cohours` while the daemon holds the store.
  if (auto run = binary({"--data", data.string(), "balance"}, tmp.path, tmp.path)) CHECK(*run == hosted[0]);
  // Once the daemon is gone, the same reads open the store and answer the same.
  daemon.stop();
  CHECK_FALSE(fs::exists(data / control::kSocketName));
  for (std::size_t i = 0; i < reads.size(); ++i) {
    CAPTURE(i);
    CHECK(direct_at(data, reads[i]) == hosted[i]);
  }
}

TEST_CASE("bad requests get an error and the server keeps serving") {
  TempDir tmp;
  fs::path data = make_node(tmp.path);
  net::ControlServerOptions options;
  options.io_timeout = 300ms;
  Daemon daemon(data, options);
  const fs::path socket = data / control::kSocketName;
  CHECK(refused(raw_exchange(socket, framed("this is not JSON")), "malformed", "not a JSON object"));
  CHECK(refused(raw_exchange(socket, framed("[1,2,3]")), "malformed", "not a JSON object"));
  CHECK(
      refused(raw_exchange(socket, framed(R"({"argv":["balance"],"cwd":"/"})")), "malformed", "protocol 2"));
  CHECK(refused(raw_exchange(socket, framed(R"({"version":1,"argv":["balance"],"cwd":"/"})")), "malformed",
                "protocol 2"));
  CHECK(refused(raw_exchange(socket, framed(R"({"version":2,"request":{}})")), "malformed", "names no call"));
  CHECK(refused(raw_exchange(socket, call("frobnicate", nlohmann::json::object())), "malformed",
                "no call 'frobnicate'"));
  CHECK(refused(raw_exchange(socket, call("balance", nlohmann::json::object())), "malformed",
                "does not decode"));
  CHECK(refused(raw_exchange(socket, call("balance", {{"account", 7}})), "malformed", "does not decode"));
  CHECK(refused(raw_exchange(socket, call("log.show", {{"from_seq", -1}, {"to_seq", "x"}})), "malformed",
                "does not decode"));
  CHECK(refused(raw_exchange(socket, framed(std::string("\xff\xfe\x00\x01", 4))), "malformed",
                "not a JSON object"));
  CHECK(refused(raw_exchange(socket, framed("")), "malformed", "empty"));
  // A length over 16 MiB is refused before anything is read.
  CHECK(refused(raw_exchange(socket, std::string("\x01\x00\x00\x01", 4)), "malformed", "over the limit"));
  CHECK(refused(raw_exchange(socket, "\xff\xff\xff\xff"), "malformed", "over the limit"));
  // Half a header then nothing: closed once the read timeout passes.
  CHECK(raw_exchange(socket, std::string("\x00\x00", 2)).is_null());
  // Silence, while another client is served meanwhile.
  int idle = connect_to(socket);
  REQUIRE(idle >= 0);
  CHECK(direct_at(data, {"balance"}).exit == 0);
  CHECK(wait_until([&] {
    char byte;
    return ::recv(idle, &byte, 1, MSG_DONTWAIT) == 0;  // EOF: the server gave up on it
  }));
  ::close(idle);
  // A well-formed call on a raw connection.
  nlohmann::json answer = raw_exchange(socket, call("balance", {{"account", ""}}));
  CHECK(answer["ok"] == true);
  CHECK(answer["reply"]["sum_minutes"] == 0);
}

TEST_CASE("the real cohours under a daemon: files stay with the caller") {
  if (!std::getenv("COHOURS_BIN")) return;  // run by ctest, which names the binary
  TempDir tmp;
  fs::path data = make_node(tmp.path);
  fs::path client = tmp.path / "client";
  fs::create_directories(client);
  const std::string receipt("\x89PNG\r\n\x1a\n\x00\xff receipt", 19);  // bytes, not text
  std::ofstream(client / "ticket.png", std::ios::binary) << receipt;
  Daemon daemon(data);
  const std::string d = "../node";  // relative to the client's directory
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", d});
    auto result = binary(args, client, tmp.path);
    REQUIRE(result.has_value());
    return *result;
  };
  CHECK(run({"member", "add", "alice", "--role", "volunteer"}).exit == 0);
  CHECK(run({"member", "add", "dave", "--role", "admin"}).exit == 0);
  Run claim = run({"expense", "claim", "--as", "alice", "--pence", "1240", "--category", "travel", "--date",
                   "2026-01-05", "--receipt", "ticket.png"});
  REQUIRE_MESSAGE(claim.exit == 0, describe(claim));
  Blake2bStream digest;
  digest.update(receipt);
  const fs::path kept = data / "receipts" / to_hex(digest.finish());
  CHECK(fs::exists(kept));
  std::ifstream in(kept, std::ios::binary);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == receipt);
  const std::string id = claim.out.substr(claim.out.rfind('\n', claim.out.size() - 2) + 1, 64);
  CHECK(run({"expense", "approve", id, "--as", "dave"}).exit == 0);
  Run paid = run({"expense", "pay", id, "--as", "dave", "--date", "2026-01-06"});
  CHECK(paid.out.rfind("Paid: alice's claim of 12.40 GBP for travel on 2026-01-06.\n", 0) == 0);
  Run list = run({"expense", "list"});
  CHECK(list.out.find("2026-01-06  kept") != std::string::npos);
  // A missing receipt is the caller's file that is not there.
  Run missing = run({"expense", "claim", "--as", "alice", "--pence", "100", "--category", "travel", "--date",
                     "2026-01-05", "--receipt", "nothere.png"});
  CHECK(missing.exit == exit_invalid);
  CHECK(missing.err == "error: receipt file 'nothere.png' does not exist or is not a file\n");

  Run exported = run({"export", "--format", "json", "out"});
  CHECK_MESSAGE(exported.exit == 0, describe(exported));
  CHECK(fs::exists(client / "out" / "records.json"));
  Run verified = run({"audit", "verify", "--export", "out"});
  CHECK_MESSAGE(verified.exit == 0, describe(verified));
  Run report = run(
      {"audit", "report", "--from", "2026-01-01", "--to", "2026-01-31", "--csv", "csv", "--html", "r.html"});
  CHECK_MESSAGE(report.exit == 0, describe(report));
  CHECK(fs::exists(client / "csv" / "payments.csv"));
  CHECK(fs::exists(client / "r.html"));
  Run head = run({"log", "head"});
  std::ofstream(client / "heads.txt") << head.out;
  Run audit = run({"audit", "verify", "--known-head", "heads.txt"});
  CHECK_MESSAGE(audit.exit == 0, describe(audit));
  CHECK(audit.out.find("kept heads             1 matched") != std::string::npos);
  Run reindex = run({"reindex"});
  CHECK(reindex.exit == exit_refused);
  CHECK(reindex.err == "error: the daemon is running for ../node; stop it first\n");
  Run init = run({"init", "--name", "Again"});
  CHECK(init.exit == exit_refused);
  CHECK(init.err.find("already") != std::string::npos);
  CHECK(run({"frobnicate"}).exit == exit_usage);
  // What only the daemon knows reaches the use cases.
  Run status = run({"--json", "sync", "status"});
  CHECK_MESSAGE(status.exit == 0, describe(status));
  nlohmann::json json = nlohmann::json::parse(status.out);
  CHECK(json["running"] == true);
  CHECK(json["listen"] == "127.0.0.1:7199");
  CHECK(json["peers"][0]["name"] == "riverside");
}

TEST_CASE("calls run one at a time") {
  TempDir tmp;
  fs::path data = make_node(tmp.path);
  Daemon daemon(data);
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0; i < 3; ++i) {
        auto remote = control::RemoteNode::connect(data);
        if (!remote.ok() || !remote.value()) {
          ++failures;
          continue;
        }
        auto added =
            remote.value()->call(app::AddMember{"m" + std::to_string(c * 10 + i), {"volunteer"}, "", "", ""});
        if (!added.ok()) ++failures;
      }
    });
  for (auto& client : clients) client.join();
  CHECK(failures == 0);
  CHECK(daemon.served == 12);
  CHECK(daemon.most_at_once == 1);
}

TEST_CASE("a long call through the daemon reports its progress as it runs, when asked") {
  TempDir tmp;
  fs::path data = make_node(tmp.path);
  Daemon daemon(data);
  CHECK(direct_at(data, {"member", "add", "dave", "--role", "coordinator"}).exit == 0);
  CHECK(direct_at(data, {"member", "add", "alice", "--role", "volunteer"}).exit == 0);
  CHECK(direct_at(data, {"member", "add", "bob", "--role", "carer"}).exit == 0);
  std::string csv = "volunteer,recipient,date,duration,category,note\n";
  for (int day = 0; day < 250; ++day) {  // 250 different days of 2026
    char date[16];
    std::snprintf(date, sizeof date, "2026-%02d-%02d", 1 + day / 28, 1 + day % 28);
    csv += std::string("alice,bob,") + date + ",60,befriending,\n";
  }
  auto remote = control::RemoteNode::connect(data);
  REQUIRE((remote.ok() && remote.value()));
  std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> seen;
  auto imported = remote.value()->call(app::ImportHours{"dave", csv, "sheet.csv", true, false},
                                       [&](const char* verb, std::uint64_t done, std::uint64_t total) {
                                         seen.emplace_back(verb, done, total);
                                       });
  REQUIRE_MESSAGE(imported.ok(), imported.status().message());
  CHECK(imported.value().refused == 0);
  CHECK(imported.value().rows.size() == 250);
  // Thinned to about one for every hundredth of the rows, the last one always.
  REQUIRE(seen.size() >= 2);
  CHECK(seen.size() <= 101);
  CHECK(seen.back() == std::make_tuple(std::string("checked"), std::uint64_t{250}, std::uint64_t{250}));
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(std::get<1>(seen[i - 1]) < std::get<1>(seen[i]));
  // The same call without a watcher gets its answer alone.
  auto quiet = control::RemoteNode::connect(data).value()->call(app::ImportHours{"dave", csv, "sheet.csv", true, false});
  REQUIRE(quiet.ok());
  CHECK(quiet.value().rows.size() == 250);
}

TEST_CASE("no daemon, a stale socket, a daemon that does not answer") {
  TempDir tmp;
  fs::path data = make_node(tmp.path);
  const fs::path socket_path = data / control::kSocketName;
  // No socket file: the command opens the store itself.
  auto none = control::RemoteNode::connect(data);
  REQUIRE(none.ok());
  CHECK_FALSE(none.value().has_value());
  CHECK_FALSE(control::RemoteNode::connect(tmp.path / "absent").value().has_value());

  // A socket file nobody listens on, as a crashed daemon leaves it.
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, socket_path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
  REQUIRE(fs::is_socket(socket_path));
  CHECK_FALSE(control::RemoteNode::connect(data).value().has_value());
  CHECK(direct_at(data, {"balance"}).exit == 0);

  // A daemon that takes the request and closes without answering.
  {
    int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    fs::remove(socket_path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, socket_path.c_str());
    REQUIRE(::bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    std::thread silent([listener] {
      int fd = ::accept(listener, nullptr, nullptr);
      std::string request;
      (void)control::read_message(fd, &request);
      ::close(fd);
    });
    Run run = direct_at(data, {"balance"});
    silent.join();
    ::close(listener);
    CHECK(run.exit == exit_operational);
    CHECK(run.out.empty());
    CHECK(run.err == "error: the daemon at " + data.string() + " did not answer (see its log)\n");
  }

  // The daemon replaces the stale socket file left above.
  REQUIRE(fs::is_socket(socket_path));
  {
    Daemon daemon(data);
    CHECK(direct_at(data, {"balance"}).exit == 0);
    // A second server on the same socket refuses to start.
    boost::asio::io_context io;
    net::ControlServer second(io, socket_path, [](const std::string&, const net::ControlServer::Interim&) { return std::string("{}"); });
    CHECK_THROWS_AS(second.start(), std::system_error);
    CHECK(direct_at(data, {"balance"}).exit == 0);
    // Mode 0600: only the daemon's user.
    CHECK((fs::status(socket_path).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
  }
  CHECK_FALSE(fs::exists(socket_path));
  // A path that is not a socket is left alone.
  std::ofstream(socket_path) << "not a socket";
  boost::asio::io_context io;
  net::ControlServer server(io, socket_path, [](const std::string&, const net::ControlServer::Interim&) { return std::string("{}"); });
  CHECK_THROWS_AS(server.start(), std::system_error);
  CHECK(fs::is_regular_file(socket_path));
}

TEST_CASE("a data directory whose socket path is too long for sockaddr_un") {
  TempDir tmp;
  fs::path parent = tmp.path / std::string(60, 'a') / std::string(60, 'b');
  fs::create_directories(parent);
  fs::path data = make_node(parent);
  REQUIRE((data / control::kSocketName).string().size() >= sizeof(sockaddr_un{}.sun_path));
  Daemon daemon(data);
  Run balance = direct_at(data, {"balance"});
  CHECK_MESSAGE(balance.exit == 0, describe(balance));
  CHECK(daemon.served == 1);
}

TEST_CASE("output capture nests and stays on its thread") {
  std::ostringstream outer_out, outer_err;
  {
    OutputCapture outer(outer_out, outer_err);
    out() << "a";
    {
      OutputCapture inner;
      out() << "b";
      err() << "c";
      CHECK(inner.out_text() == "b");
      CHECK(inner.err_text() == "c");
    }
    err() << "d";
    std::thread other([] { CHECK(&out() == &std::cout); });
    other.join();
  }
  CHECK(outer_out.str() == "a");
  CHECK(outer_err.str() == "d");
  CHECK(&out() == &std::cout);
  CHECK(&err() == &std::cerr);
}

int main(int argc, char** argv) {
  if (!cohours::crypto_init()) return 1;
  doctest::Context context(argc, argv);
  return context.run();
}

// cohoursd runs these beside other calls (cli/CONTROL.md "Calls at once").
template <typename... Requests>
std::set<std::string> lanes_call_names(control::CallList<Requests...>) {
  return {control::Call<Requests>::name...};
}

TEST_CASE("which calls run beside others: reads only, each a real call") {
  const std::set<std::string> every = lanes_call_names(control::AllCalls{});
  for (std::string_view name : control::read_only_call_names()) {
    CAPTURE(name);
    CHECK(every.count(std::string(name)) == 1);
    CHECK(control::call_traits(name).read_only);
  }
  CHECK(control::call_traits("balance").read_only);
  CHECK(control::call_traits("audit.verify").long_snapshot);
  CHECK_FALSE(control::call_traits("member.add").read_only);
  CHECK_FALSE(control::call_traits("hours.import").read_only);
  CHECK_FALSE(control::call_traits("a.call.added.later").read_only);
  CHECK(control::call_traits("member.forget").erases);
  CHECK_FALSE(control::call_traits("member.forget").read_only);
  // The name, from a request as the client encodes it, whatever it carries.
  const nlohmann::json request = {{"version", control::kProtocolVersion},
                                  {"call", "balance"},
                                  {"request", {{"account", "alice"}, {"rows", {1, 2, {{"deep", true}}}}}}};
  CHECK(control::call_name_of(request.dump()) == "balance");
  CHECK(control::call_name_of("not json").empty());
  CHECK(control::call_name_of(R"({"call": 7})").empty());
}
