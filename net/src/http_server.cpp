#include "cohours/net/http_server.h"

// g++ 12 sees asio's coroutine frames allocated and freed by a matching,
// but differently declared, pair: a false positive (as in peer_link.cpp).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <fstream>
#include <limits>
#include <mutex>
#include <map>
#include <sstream>
#include <system_error>

#include "cohours/net/consortium.h"
#include "cohours/net/logger.h"

namespace cohours::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

std::string HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return "";
}

namespace {

constexpr std::size_t kUncountedBodyBytes = 64 * 1024;

HttpResponse json_error(int status, std::string_view code, std::string_view message) {
  HttpResponse out;
  out.status = status;
  std::string text;
  for (char ch : message) text += (ch == '"' || ch == '\\') ? std::string("\\") + ch : std::string(1, ch);
  out.body = "{\"error\":\"" + std::string(code) + "\",\"message\":\"" + text + "\"}";
  return out;
}

const char* content_type_of(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// A file of the web app: only plain names under the root (no "..", no
// hidden files), "/" is index.html. 404 otherwise.
HttpResponse static_file(const std::filesystem::path& root, const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  if (path == "/") path = "/index.html";
  if (root.empty() || path.find("..") != std::string::npos || path.find("/.") != std::string::npos ||
      path.find('\\') != std::string::npos)
    return json_error(404, "not_found", "no such file");
  std::filesystem::path file = root / path.substr(1);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return json_error(404, "not_found", "no such file");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  if (!in && !in.eof()) return json_error(500, "internal", "cannot read the file");
  HttpResponse out;
  out.content_type = content_type_of(file);
  out.body = data.str();
  // The shell and the service worker are checked for updates on every
  // load; the rest is named by the build and may be cached.
  const bool always_fresh = path == "/index.html" || path == "/sw.js" || path == "/manifest.webmanifest";
  out.headers.emplace_back("Cache-Control", always_fresh ? "no-cache" : "max-age=3600");
  return out;
}

// The client's address: a reverse proxy on this machine (docs/operations.md
// "Phones") says whom it forwards for in X-Forwarded-For, and its last
// entry is the one the proxy itself added. From anyone else the header is
// ignored, since a client could write anything in it.
std::string client_address(const std::string& peer, const std::string& forwarded_for) {
  beast::error_code ec;
  auto address = asio::ip::make_address(peer, ec);
  if (ec || !address.is_loopback() || forwarded_for.empty()) return peer;
  std::string last = forwarded_for.substr(forwarded_for.rfind(',') + 1);
  last.erase(0, last.find_first_not_of(' '));
  last.erase(last.find_last_not_of(' ') + 1);
  return last.empty() ? peer : last;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& io;
  Handler api;
  BodyLimit body_limit;
  HttpServerOptions options;
  tcp::acceptor acceptor;
  asio::thread_pool workers;
  std::atomic<std::size_t> connections{0};
  // Body bytes reserved by requests being read or answered (io thread).
  std::size_t body_bytes_in_flight = 0;
  std::atomic<bool> stopping{false};
  // Every open connection, and since when it has waited for its client's
  // bytes (a request's header or body); a connection whose request is being
  // answered does not wait. At the cap the one waiting longest is closed.
  struct Connection {
    std::string peer;
    bool waiting = true;
    bool evicted = false;
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  };
  std::mutex sockets_mutex;
  std::map<beast::tcp_stream*, Connection> streams;
  // Responses sent, by (route, status): a few dozen series at most, since
  // routes are templates and statuses few.
  mutable std::mutex counts_mutex;
  std::map<std::pair<std::string, int>, std::uint64_t> counts;

  void count(const HttpResponse& r) {
    std::lock_guard<std::mutex> lock(counts_mutex);
    ++counts[{r.route.empty() ? std::string("none") : r.route, r.status}];
  }

  Impl(asio::io_context& io_context, Handler handler, BodyLimit limit, HttpServerOptions opts)
      : io(io_context),
        api(std::move(handler)),
        body_limit(std::move(limit)),
        options(std::move(opts)),
        acceptor(io_context),
        workers(options.worker_threads) {}

  HttpResponse answer(const HttpRequest& request) {
    try {
      if (request.target.rfind("/v1/", 0) == 0 || request.target == "/v1") return api(request);
      const std::string path = request.target.substr(0, request.target.find('?'));
      if (path == "/metrics" && options.metrics) {
        HttpResponse out = request.method == "GET" || request.method == "HEAD"
                               ? options.metrics(request)
                               : json_error(405, "method_not_allowed", "/metrics is read with GET");
        out.route = "/metrics";
        return out;
      }
      HttpResponse out = request.method != "GET" && request.method != "HEAD"
                             ? json_error(405, "method_not_allowed", "the web app's files are read with GET")
                             : static_file(options.web_root, request.target);
      out.route = "static";
      return out;
    } catch (const std::exception& e) {
      return json_error(500, "internal", e.what());
    }
  }

  static http::response<http::string_body> to_beast(const HttpResponse& r, unsigned version,
                                                    bool keep_alive) {
    http::response<http::string_body> out{static_cast<http::status>(r.status), version};
    out.set(http::field::server, "cohoursd");
    out.set(http::field::content_type, r.content_type);
    out.set("X-Content-Type-Options", "nosniff");
    out.set("Referrer-Policy", "no-referrer");
    // connect-src: the phone may call the API of another co-op it is a
    // member of (docs/phone.md "Several co-ops"): over https, or plain http
    // on this machine only, as the app itself accepts.
    out.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline'; object-src "
            "'none'; "
            "connect-src 'self' https: http://127.0.0.1:* http://localhost:*; "
            "base-uri 'none'; frame-ancestors 'none'");
    for (const auto& [name, value] : r.headers) out.set(name, value);
    out.keep_alive(keep_alive);
    out.body() = r.body;
    out.prepare_payload();
    return out;
  }

  awaitable<void> write(beast::tcp_stream& stream, const HttpResponse& r, unsigned version, bool keep_alive,
                        beast::error_code& ec) {
    count(r);
    auto message = to_beast(r, version, keep_alive);
    stream.expires_after(options.read_timeout);
    co_await http::async_write(stream, message, asio::redirect_error(use_awaitable, ec));
  }

  // After refusing a request whose body is still coming, read and drop the
  // rest for a moment before closing: a client (or a proxy) that is still
  // sending would otherwise get a reset instead of the answer.
  awaitable<void> linger(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 64 * 1024> sink;
    std::size_t dropped = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (!ec && dropped < 16 * 1024 * 1024)
      dropped += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
  }

  void set_waiting(beast::tcp_stream* stream, bool waiting) {
    std::lock_guard<std::mutex> lock(sockets_mutex);
    auto it = streams.find(stream);
    if (it == streams.end() || it->second.evicted) return;
    it->second.waiting = waiting;
    if (waiting) it->second.since = std::chrono::steady_clock::now();
  }

  // Makes room for `newcomer` by closing the connection that has waited
  // longest for its client's bytes; false if every other one is busy with
  // a request. Runs on the io thread, as every session does, so closing
  // the socket ends the wait it is in with operation_aborted.
  bool evict_for(beast::tcp_stream* newcomer) {
    std::lock_guard<std::mutex> lock(sockets_mutex);
    auto victim = streams.end();
    for (auto it = streams.begin(); it != streams.end(); ++it)
      if (it->first != newcomer && it->second.waiting && !it->second.evicted &&
          (victim == streams.end() || it->second.since < victim->second.since))
        victim = it;
    if (victim == streams.end()) return false;
    victim->second.evicted = true;
    victim->second.waiting = false;
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                              victim->second.since);
    log_limited(LogLevel::warn, "http evicted",
                "closed a connection from " + victim->second.peer + " that had waited " +
                    std::to_string(waited.count()) + " ms for its request, to make room (" +
                    std::to_string(options.max_connections) + " connections open)");
    beast::error_code ec;
    victim->first->socket().close(ec);
    return true;
  }

  // Why a read ended without a request, for the log: a client that sent
  // nothing or too little in time, or bytes that are not HTTP.
  void log_read_end(const std::string& peer, const beast::error_code& ec, bool header, std::size_t buffered,
                    unsigned served) {
    if (ec != beast::error::timeout) return;  // closed by the client, or evicted (logged then)
    if (!header)
      log_limited(LogLevel::warn, "http body timeout",
                  "closed a connection from " + peer + ": the request's body was not complete within " +
                      std::to_string(options.read_timeout.count() / 1000) + " s of its header");
    else if (buffered > 0)
      log_limited(LogLevel::warn, "http header timeout",
                  "closed a connection from " + peer + ": the request's header was not complete within " +
                      std::to_string(options.idle_timeout.count() / 1000) + " s");
    else if (served == 0)
      log_limited(LogLevel::warn, "http silent",
                  "closed a connection from " + peer + ": it sent nothing within " +
                      std::to_string(options.idle_timeout.count() / 1000) + " s");
    // An idle keep-alive connection after its requests is normal: not logged.
  }

  void log_refusal(const std::string& peer, const std::string& method, const std::string& target, int status,
                   const std::string& kind, const std::string& why) {
    if (why.empty()) return;
    // The route's template (no alias from a path), else the target as
    // sent, cut short: it is the client's text.
    const std::string shown = options.route_of ? options.route_of(target)
                              : target.size() > 120 ? target.substr(0, 120) + "..."
                                                    : target;
    log_limited(LogLevel::warn, "http " + kind,
                "refused " + method + " " + shown + " from " + peer + ": " + why +
                    (why.rfind(std::to_string(status), 0) == 0 ? "" : " (" + std::to_string(status) + ")"));
  }

  awaitable<void> session(tcp::socket socket) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    beast::error_code ec;
    const std::string peer = stream.socket().remote_endpoint(ec).address().to_string();
    {
      std::lock_guard<std::mutex> lock(sockets_mutex);
      streams[&stream].peer = peer;
    }
    beast::flat_buffer buffer;
    unsigned served = 0;
    if (connections.fetch_add(1) >= options.max_connections && !evict_for(&stream)) {
      log_limited(LogLevel::warn, "http busy",
                  "refused a connection from " + peer + ": 503 busy, " +
                      std::to_string(options.max_connections) + " connections are all answering requests");
      co_await write(stream, json_error(503, "busy", "too many connections; try again shortly"), 11, false,
                     ec);
    } else {
      for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        // The cap depends on the target, known only once the header is in:
        // none while the header is read (Beast 1.74 compares a Content-Length
        // with an unset limit as over it, so "none" is the largest value),
        // then this request's own.
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        set_waiting(&stream, true);
        stream.expires_after(options.idle_timeout);
        co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
        // A client that sent something that is not HTTP, or too large a
        // header, is told why before the connection closes; a closed or
        // idle connection just ends.
        if (ec == http::error::header_limit) {
          log_limited(LogLevel::warn, "http 431", "refused a request from " + peer + ": 431 header over 16 KiB");
          co_await write(stream, json_error(431, "too_large", "the request's header is over 16 KiB"), 11, false,
                         ec);
          break;
        }
        if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
          log_limited(LogLevel::warn, "http not http",
                      "refused a request from " + peer + ": 400 not HTTP/1.1 (" + ec.message() + ")");
          co_await write(stream, json_error(400, "bad_request", "this is not an HTTP/1.1 request"), 11, false, ec);
          break;
        }
        if (ec) {
          log_read_end(peer, ec, true, buffer.size(), served);
          break;
        }
        auto& header = parser.get();
        const std::string method(header.method_string());
        const std::string target(header.target());
        const std::size_t limit = body_limit ? body_limit(method, target) : 0;
        if (parser.content_length() && *parser.content_length() > limit) {
          log_refusal(peer, method, target, 413, "413 from Content-Length",
                      "413 too_large: Content-Length " + std::to_string(*parser.content_length()) + " is over " +
                          std::to_string(limit));
          co_await write(stream, json_error(413, "too_large", "the body is over this request's limit"),
                         header.version(), false, ec);
          co_await linger(stream);
          break;
        }
        // Bodies are read whole before the request is checked (a receipt's
        // signature covers its bytes), so all of them together are capped:
        // each reserves its Content-Length (a chunked one its cap) first.
        // Bodies of 64 KiB or less (a phone's entries, any JSON) are not
        // counted: 256 connections hold at most 16 MiB of them, and uploads
        // must not keep them out.
        const std::size_t length =
            parser.content_length() ? static_cast<std::size_t>(*parser.content_length()) : limit;
        const std::size_t reserved = length > kUncountedBodyBytes ? length : 0;
        if (reserved > 0 && body_bytes_in_flight + reserved > options.max_body_bytes_in_flight) {
          log_refusal(peer, method, target, 503, "503 bodies in flight",
                      "503 busy: " + std::to_string(body_bytes_in_flight) +
                          " bytes of other bodies are being read or answered");
          HttpResponse busy = json_error(503, "busy", "too many uploads at once; try again shortly");
          busy.headers.emplace_back("Retry-After", "5");
          co_await write(stream, busy, header.version(), false, ec);
          co_await linger(stream);
          break;
        }
        body_bytes_in_flight += reserved;
        struct Release {
          std::size_t& in_flight;
          std::size_t bytes;
          ~Release() { in_flight -= bytes; }
        } release{body_bytes_in_flight, reserved};
        parser.body_limit(limit);
        stream.expires_after(options.read_timeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
        if (ec == http::error::body_limit) {
          log_refusal(peer, method, target, 413, "413 body over its cap",
                      "413 too_large: the body grew over " + std::to_string(limit));
          co_await write(stream, json_error(413, "too_large", "the body is over this request's limit"),
                         header.version(), false, ec);
          co_await linger(stream);
          break;
        }
        if (ec) {
          log_read_end(peer, ec, false, buffer.size(), served);
          break;
        }
        set_waiting(&stream, false);
        HttpRequest request;
        request.method = method;
        request.target = target;
        request.peer = peer;
        for (const auto& field : header) {
          std::string name(field.name_string());
          for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          request.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        request.content_type = request.header("content-type");
        request.peer = client_address(peer, request.header("x-forwarded-for"));
        request.remote = peer;
        request.body = std::move(parser.get().body());
        const bool keep_alive = header.keep_alive();
        const unsigned version = header.version();
        // The work runs on a worker; this coroutine resumes on the io thread.
        HttpResponse response = co_await asio::co_spawn(
            workers, [this, &request]() -> awaitable<HttpResponse> { co_return answer(request); },
            use_awaitable);
        if (method == "HEAD") response.body.clear();
        log_refusal(request.peer, method, target, response.status, response.refusal_kind, response.refusal);
        ++served;
        co_await write(stream, response, version, keep_alive && !stopping, ec);
        if (ec || !keep_alive || stopping) break;
      }
    }
    connections.fetch_sub(1);
    {
      std::lock_guard<std::mutex> lock(sockets_mutex);
      streams.erase(&stream);
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  awaitable<void> listen() {
    auto self = shared_from_this();
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (stopping) co_return;
      if (ec) {
        // Out of descriptors and the like: pause rather than spin.
        log_warn("http", "accept failed: " + ec.message());
        asio::steady_timer pause(io, std::chrono::milliseconds(100));
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }
};

HttpServer::HttpServer(asio::io_context& io, Handler api, BodyLimit body_limit, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(api), std::move(body_limit), std::move(options))) {}

HttpServer::~HttpServer() {
  stop();
  impl_->workers.join();
}

void HttpServer::start() {
  // Port 0 picks a free port (tests); split_address refuses it for peers.
  std::string listen = impl_->options.listen;
  const bool any_port = listen.size() > 2 && listen.compare(listen.size() - 2, 2, ":0") == 0;
  auto address = split_address(any_port ? listen.substr(0, listen.size() - 1) + "1" : listen);
  if (address && any_port) address->second = 0;
  if (!address)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "--http takes host:port, not '" + impl_->options.listen + "'");
  tcp::endpoint endpoint(asio::ip::make_address(address->first), address->second);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  asio::co_spawn(impl_->io, impl_->listen(), asio::detached);
}

void HttpServer::stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    std::lock_guard<std::mutex> lock(impl->sockets_mutex);
    for (auto& [stream, connection] : impl->streams) stream->socket().close(ec);
  });
}

std::vector<HttpRequestCount> HttpServer::request_counts() const {
  std::lock_guard<std::mutex> lock(impl_->counts_mutex);
  std::vector<HttpRequestCount> out;
  for (const auto& [series, n] : impl_->counts) out.push_back({series.first, series.second, n});
  return out;
}

std::string HttpServer::local_address() const {
  beast::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace cohours::net
