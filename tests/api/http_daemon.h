// A real cohoursd with its HTTP API on loopback, and requests to it (signed
// like a phone's, or not), for the tests that drive the daemon over HTTP.
#pragma once

#include <fcntl.h>
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
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "../app/app_support.h"
#include "../test_helpers.h"
#include "cohours/api/request_signature.h"
#include "cohours/crypto.h"

extern char** environ;

namespace cohours::test::http_daemon {

using json = nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using cohours::test::read_file;


// Polls `condition` until it holds or `limit` passes.
template <typename F>
inline bool wait_until(F condition, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

inline pid_t spawn(const std::vector<std::string>& argv, const fs::path& err_file) {
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
                const Phone* phone = nullptr, std::int64_t time_offset = 0, const std::string& content_type = "",
                const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
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
    for (const auto& [name, value] : extra_headers) req.set(name, value);
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
inline fs::path make_node(const fs::path& parent) {
  test::TestNode made(true);
  // Closed before the copy: an open store's background work may remove a
  // file between the copy's listing and its read (seen under TSan).
  made.node.reset();
  fs::path dir = parent / "node";
  fs::copy(made.dir, dir, fs::copy_options::recursive);
  return dir;
}

}  // namespace cohours::test::http_daemon
