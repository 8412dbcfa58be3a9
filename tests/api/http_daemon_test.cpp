// The client API over real HTTP: a real cohoursd on loopback, signed
// requests from "phones" made here, every endpoint and every error of
// docs/api.md, the web app's files, and a clean stop.
//   http_daemon_test (COHOURS_BIN and COHOURSD_BIN name the binaries)
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "../app/app_support.h"
#include "cohours/api/request_signature.h"
#include "cohours/app/invitations.h"
#include "cohours/app/policy.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "../test_helpers.h"

extern char** environ;

using namespace cohours;
using cohours::test::read_file;
using json = nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;

namespace {

// Polls `condition` until it holds or `limit` passes.
template <typename F>
bool wait_until(F condition, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& err_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

struct Reply {
  int status = 0;
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::map<std::string, std::string> headers;
  json parsed() const { return json::parse(body); }
};

struct Phone {
  KeyPair key = generate_keypair();
  std::uint64_t nonce = 0;
};

// cohoursd with its HTTP API on a free loopback port, for the node in `dir`.
struct Daemon {
  fs::path dir;
  pid_t pid = -1;
  std::string host;
  unsigned short port = 0;

  explicit Daemon(const fs::path& data, std::vector<std::string> extra = {}) : dir(data) {
    std::vector<std::string> argv = {std::getenv("COHOURSD_BIN"), "--data", dir.string(), "--http", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid = spawn(argv, dir / "daemon.log");
    // The daemon says where it listens once it serves.
    REQUIRE_MESSAGE(wait_until([&] { return read_file(dir / "daemon.log").find("http: serving") != std::string::npos; }),
                    read_file(dir / "daemon.log"));
    const std::string log = read_file(dir / "daemon.log");
    auto at = log.find(" on ", log.find("http: serving"));
    auto colon = log.find(':', at + 4);
    host = log.substr(at + 4, colon - at - 4);
    port = static_cast<unsigned short>(std::stoi(log.substr(colon + 1)));
  }
  ~Daemon() { stop(); }
  int stop() {
    if (pid < 0) return 0;
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }

  int sent = 0;
  Reply request(const std::string& method, std::string target, const std::string& body = "",
                const Phone* phone = nullptr, std::int64_t time_offset = 0, const std::string& content_type = "") {
    // Two equal signed requests in one second would sign the same; a phone
    // adds a nonce to tell them apart (docs/api.md).
    if (phone && target.find("nonce=") == std::string::npos)
      target += (target.find('?') == std::string::npos ? "?nonce=" : "&nonce=") + std::to_string(++sent);
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host);
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    if (phone) {
      const std::int64_t time = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count() +
                                time_offset;
      req.set("X-Cohours-Key", to_hex(phone->key.public_key));
      req.set("X-Cohours-Time", std::to_string(time));
      req.set("X-Cohours-Signature", to_hex(api::sign_request(phone->key.secret_key, method, target, time, body)));
    }
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    beast::error_code ec;
    http::read(stream, buffer, res, ec);
    Reply out;
    out.status = ec ? -1 : static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) out.headers[std::string(field.name_string())] = std::string(field.value());
    return out;
  }

  // Sends `bytes` as they are and reads until the daemon closes: what a
  // client that does not speak HTTP gets back.
  std::string raw(const std::string& bytes) {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(host, std::to_string(port)));
    asio::write(stream, asio::buffer(bytes));
    std::string answer;
    beast::error_code ec;
    char chunk[4096];
    stream.expires_after(std::chrono::seconds(20));
    for (;;) {
      const std::size_t n = stream.read_some(asio::buffer(chunk), ec);
      answer.append(chunk, n);
      if (ec) break;
    }
    return answer;
  }
};

// A node with dave (coordinator, admin), alice (volunteer), bob (service
// user), carol (carer) in its keyring; closed again so the daemon can open it.
fs::path make_node(const fs::path& parent) {
  test::TestNode made(true);
  fs::path dir = parent / "node";
  fs::copy(made.dir, dir, fs::copy_options::recursive);
  return dir;
}

}  // namespace

TEST_CASE("the client API through a real cohoursd") {
  if (!std::getenv("COHOURSD_BIN") || !std::getenv("COHOURS_BIN")) {
    MESSAGE("COHOURSD_BIN / COHOURS_BIN not set: skipped");
    return;
  }
  test::TempDir tmp;
  // The node is made at the fixed test instant, but the daemon runs on the
  // wall clock here, as a phone's requests are signed with the phone's own.
  fs::path dir = make_node(tmp.path);
  ::unsetenv("COHOURS_NOW");
  Daemon daemon(dir, {"--http-requests-per-minute", "40"});

  // Open to anyone.
  Reply health = daemon.request("GET", "/v1/health");
  CHECK(health.status == 200);
  CHECK(health.parsed()["node"] == "Hilltop Care Co-op");
  CHECK(health.header("X-Content-Type-Options") == "nosniff");
  CHECK(daemon.request("GET", "/v1/schema/me").status == 200);
  CHECK(daemon.request("GET", "/nothing-here").status == 404);
  CHECK(daemon.request("GET", "/../node.key").status == 404);
  CHECK(daemon.request("DELETE", "/v1/health").status == 405);

  // A coordinator invites through the CLI, which hands the call to the daemon.
  fs::path out_file = tmp.path / "invite.json";
  const std::string invite = std::string(std::getenv("COHOURS_BIN")) + " --data " + dir.string() +
                             " --json member invite erin --role volunteer --as dave >" + out_file.string();
  REQUIRE(std::system(invite.c_str()) == 0);
  const std::string code = json::parse(read_file(out_file))["code"];
  Phone erin;
  Reply enrolled = daemon.request("POST", "/v1/enrol",
                                  json{{"code", code}, {"public_key", to_hex(erin.key.public_key)}}.dump());
  REQUIRE_MESSAGE(enrolled.status == 200, enrolled.body);
  CHECK(enrolled.parsed()["alias"] == "erin");
  CHECK(daemon.request("POST", "/v1/enrol", json{{"code", code}, {"public_key", to_hex(Phone().key.public_key)}}.dump())
            .parsed()["error"] == "bad_code");
  Reply bad_schema = daemon.request("POST", "/v1/enrol", R"({"code": "x", "public_key": 1})");
  CHECK(bad_schema.status == 400);
  CHECK(bad_schema.parsed()["field"] == "code");

  // Signed reads; and every way a signature can be wrong.
  Reply me = daemon.request("GET", "/v1/me", "", &erin);
  REQUIRE_MESSAGE(me.status == 200, me.body);
  CHECK(me.parsed()["alias"] == "erin");
  CHECK(daemon.request("GET", "/v1/me").status == 401);
  CHECK(daemon.request("GET", "/v1/me", "", &erin, -600).status == 401);
  Phone stranger;
  CHECK(daemon.request("GET", "/v1/me", "", &stranger).status == 401);
  CHECK(daemon.request("GET", "/v1/members/alice/statement", "", &erin).status == 403);

  // An hours entry signed on the phone, sent twice; one for another node.
  const PublicKey node_key = *fixed_from_hex<PublicKey>(health.parsed()["node_key"].get<std::string>());
  auto members = daemon.request("GET", "/v1/members", "", &erin).parsed()["members"];
  PublicKey carol;
  for (const auto& m : members)
    if (m["alias"] == "carol") carol = *fixed_from_hex<PublicKey>(m["key"].get<std::string>());
  auto entry_for = [&](const PublicKey& node) {
    HoursLog h;
    h.recipient = carol;
    h.minutes = 60;
    h.category = "shopping";
    h.date_days = days_from_ms(SystemClock().now_ms()) - 1;
    Entry e{kEntryFormatVersion, node, erin.key.public_key, {}, SystemClock().now_ms(), ++erin.nonce, h};
    return to_hex(sign_entry(e, erin.key.secret_key).bytes);
  };
  const std::string body = json{{"entries", {entry_for(node_key)}}}.dump();
  Reply first = daemon.request("POST", "/v1/entries", body, &erin);
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.parsed()["results"][0]["status"] == "stored");
  Reply again = daemon.request("POST", "/v1/entries", body, &erin);
  CHECK(again.parsed()["results"][0]["status"] == "duplicate");
  CHECK(again.parsed()["results"][0]["seq"] == first.parsed()["results"][0]["seq"]);
  Reply other = daemon.request("POST", "/v1/entries", json{{"entries", {entry_for(generate_keypair().public_key)}}}.dump(),
                               &erin);
  CHECK(other.parsed()["results"][0]["error"] == "wrong_node");
  CHECK(daemon.request("POST", "/v1/entries", R"({"entries": []})", &erin).status == 400);

  // A receipt photo: kept in DATA/receipts under its digest, which a claim
  // then names (docs/api.md "POST /v1/receipts").
  const std::string photo("\x89PNG\r\n\x1a\n\x00\x01\xff a bus ticket", 24);
  Reply receipt = daemon.request("POST", "/v1/receipts", photo, &erin, 0, "image/png");
  REQUIRE_MESSAGE(receipt.status == 200, receipt.body);
  const std::string digest = receipt.parsed()["digest"];
  CHECK(digest == to_hex(blake2b_256(photo)));
  CHECK(read_file(dir / "receipts" / digest) == photo);
  CHECK(daemon.request("POST", "/v1/receipts", photo, &erin, 0, "text/plain").status == 415);
  CHECK(daemon.request("POST", "/v1/receipts", "", &erin, 0, "image/png").status == 400);
  CHECK(daemon.request("POST", "/v1/receipts", photo, nullptr, 0, "image/png").status == 401);
  Phone forger;  // erin's key in the header, signed with another
  forger.key.public_key = erin.key.public_key;
  CHECK(daemon.request("POST", "/v1/receipts", photo, &forger, 0, "image/png").status == 401);
  // 8 MiB is read and kept; a byte more is refused from its Content-Length.
  const std::string biggest(8 * 1024 * 1024, 'r');
  Reply big = daemon.request("POST", "/v1/receipts", biggest, &erin, 0, "image/jpeg");
  CHECK_MESSAGE(big.status == 200, big.body);
  CHECK(fs::file_size(dir / "receipts" / to_hex(blake2b_256(biggest))) == biggest.size());
  Reply over = daemon.request("POST", "/v1/receipts", biggest + "r", &erin, 0, "image/jpeg");
  CHECK(over.status == 413);
  CHECK(over.parsed()["error"] == "too_large");
  auto claim_naming = [&](const Hash32& receipt_digest) {
    ExpenseClaim c;
    c.pence = 1240;
    c.currency = *Currency::parse("GBP");
    c.category = ExpenseCategory::travel;
    c.date_days = days_from_ms(SystemClock().now_ms()) - 1;
    c.receipt_digest = receipt_digest;
    Entry e{kEntryFormatVersion, node_key, erin.key.public_key, {}, SystemClock().now_ms(), ++erin.nonce, c};
    return json{{"entries", {to_hex(sign_entry(e, erin.key.secret_key).bytes)}}}.dump();
  };
  Reply claimed = daemon.request("POST", "/v1/entries", claim_naming(*fixed_from_hex<Hash32>(digest)), &erin);
  CHECK_MESSAGE(claimed.parsed()["results"][0]["status"] == "stored", claimed.body);
  Reply unknown = daemon.request("POST", "/v1/entries", claim_naming(blake2b_256("never sent")), &erin);
  CHECK(unknown.parsed()["results"][0]["status"] == "refused");
  CHECK(unknown.parsed()["results"][0]["error"] == "not_found");

  // Every claim: for an auditor, not for a volunteer.
  CHECK(daemon.request("GET", "/v1/coop/expenses", "", &erin).status == 403);
  const std::string invite_auditor = std::string(std::getenv("COHOURS_BIN")) + " --data " + dir.string() +
                                     " --json member invite hana --role auditor --as dave >" + out_file.string();
  REQUIRE(std::system(invite_auditor.c_str()) == 0);
  Phone hana;
  REQUIRE(daemon.request("POST", "/v1/enrol",
                         json{{"code", json::parse(read_file(out_file))["code"]},
                              {"public_key", to_hex(hana.key.public_key)}}.dump())
              .status == 200);
  Reply expenses = daemon.request("GET", "/v1/coop/expenses", "", &hana);
  REQUIRE_MESSAGE(expenses.status == 200, expenses.body);
  REQUIRE(expenses.parsed()["claims"].size() == 1);
  json row = expenses.parsed()["claims"][0];
  CHECK(row["member"] == "erin");
  CHECK(row["id"] == claimed.parsed()["results"][0]["id"]);
  CHECK(row["pence"] == 1240);
  CHECK(row["status"] == "claimed");
  CHECK(row["receipt"] == digest);
  // Over the cap: refused from its Content-Length, before the body is read.
  Reply huge = daemon.request("POST", "/v1/entries", std::string(2 * 1024 * 1024, 'x'), &erin);
  CHECK(huge.status == 413);

  // Not HTTP, or a header over 16 KiB: told so, then the connection closes;
  // the daemon goes on serving.
  const std::string garbage = daemon.raw(std::string("GARBAGE\0\xff\r\n\r\n", 13));
  CHECK_MESSAGE(garbage.rfind("HTTP/1.1 400", 0) == 0, garbage);
  CHECK(garbage.find("bad_request") != std::string::npos);
  const std::string big_header =
      daemon.raw("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  CHECK_MESSAGE(big_header.rfind("HTTP/1.1 431", 0) == 0, big_header.substr(0, 200));
  CHECK(daemon.request("GET", "/v1/health").status == 200);

  // The request limit (40 a minute for this daemon): the rest get 429.
  int limited = 0;
  for (int i = 0; i < 45; ++i)
    if (daemon.request("GET", "/v1/me?nonce=" + std::to_string(i), "", &erin).status == 429) ++limited;
  CHECK(limited >= 5);

  // SIGTERM: a clean stop.
  int status = daemon.stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(read_file(dir / "daemon.log").find("stopped") != std::string::npos);
}
