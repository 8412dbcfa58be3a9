// The daemon's HTTP/1.1 server (Boost.Beast) for phones: the client API
// under /v1/ and the phone web app's files at /. It only carries bytes:
// what a request means is up to the handler (the daemon gives it the
// client API, api/client_api.h), which runs on the server's worker threads,
// never on the io_context's, so a slow request never stalls peers, other
// connections or the control socket; several run at once.
//
// Limits (docs/api.md "Limits"): connections at once, the header within
// `idle_timeout` of the connection being idle, the body within
// `read_timeout` after the header, a body cap per request from `body_limit`
// (413 beyond, without reading the body). At the connection cap, the
// connection that has waited longest for its request's bytes is closed to
// make room (a flood of silent or slow clients cannot keep phones out);
// only when every connection is busy with a request is a new one answered
// 503. Every refusal is logged, limited per kind (logger.h log_limited).
#pragma once

#include <utility>  // before the asio headers (g++ 12)

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cohours::net {

struct HttpRequest {
  std::string method;  // upper case
  std::string target;  // path and query, as sent
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // every header, names in lower case
  std::string body;
  std::string peer;  // the client's address
  // The address the connection itself comes from (a proxy's, when `peer`
  // came from its X-Forwarded-For).
  std::string remote;
  std::string header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Why the request was refused, for the daemon's log (never sent): empty
  // for an answer that is not a refusal. `refusal_kind` is fixed text (no
  // bytes of the request), which the log limits lines by.
  std::string refusal_kind;
  std::string refusal;
  // The route the request matched, as a template with no bytes of the
  // request (e.g. /v1/members/{alias}/statement), for the request counts;
  // empty: "none" (refused before any handler, or no such route).
  std::string route;
};

// Responses sent, by route and status (HttpServer::request_counts).
struct HttpRequestCount {
  std::string route;
  int status = 0;
  std::uint64_t count = 0;
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  std::filesystem::path web_root;         // the phone web app's files; empty: none
  std::size_t max_connections = 256;
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds read_timeout{10'000};
  // Request bodies over 64 KiB being read or answered, all connections
  // together (a receipt is 8 MiB): a request whose body would go over it is
  // answered 503 before its body is read. Smaller bodies are not counted.
  std::size_t max_body_bytes_in_flight = 64 * 1024 * 1024;
  std::size_t worker_threads = 16;  // requests wait on synced commits: enough to fill a commit group
  // The route a target names, as a template holding no bytes of the request
  // (the daemon gives the client API's), for the log's refusal lines: a
  // path can hold an alias. Empty: the target as sent, cut to 120 bytes.
  std::function<std::string(std::string_view target)> route_of;
  // Answers GET /metrics (on a worker thread, like the API); empty: 404.
  std::function<HttpResponse(const HttpRequest&)> metrics;
};

class HttpServer {
 public:
  // Answers one request. Runs on a worker thread; must be thread-safe and
  // must not throw (an exception is answered with 500).
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // The most body bytes a request may carry, from its method and target.
  using BodyLimit = std::function<std::size_t(std::string_view method, std::string_view target)>;

  HttpServer(boost::asio::io_context& io, Handler api, BodyLimit body_limit, HttpServerOptions options);
  // stop(), then waits for requests already running on the workers.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens. Throws std::system_error if it cannot.
  void start();
  // Stops accepting and closes every connection. Thread-safe; idempotent.
  void stop();
  // host:port actually bound (after start).
  std::string local_address() const;
  // Every response sent so far (refusals by the server itself too), by
  // route and status, in that order. Thread-safe.
  std::vector<HttpRequestCount> request_counts() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cohours::net
