// The daemon's control socket (cli/CONTROL.md): a unix domain stream socket
// in the data directory through which `cohours` runs use cases in the
// running daemon, which holds the store open.
//
// Each connection carries one request and one response, each a u32
// big-endian length and then that many bytes of JSON; before the response
// the handler may send interim messages (progress) in the same framing,
// which a slow reader never lets pile up: only the newest waits. The server only
// frames: what a request means is up to the handler, which the daemon
// makes from control::serve_call (control/server.h) so that net/ needs no
// JSON library and knows no use case.
//
// Commands run on worker threads of the server, never on the io_context's
// threads, which go on serving peers and other connections: those the
// daemon says may run beside others (read-only calls) on a pool of their
// own, the rest one at a time, in the order they came, on one thread. A
// balance thus never waits behind an audit or an export.
#pragma once

#include <utility>  // before the asio headers (g++ 12)

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cohours/net/control_access.h"

namespace cohours::net {

// The largest request or response, in bytes of JSON (CONTROL.md).
inline constexpr std::size_t kControlMaxMessage = 16u * 1024 * 1024;

struct ControlServerOptions {
  std::size_t max_message_bytes = kControlMaxMessage;
  // Time allowed to send a whole request after connecting, and to take the
  // whole response once the command has run. Not a limit on the command.
  std::chrono::milliseconds io_timeout{10'000};
  // Also let this group's members in (control_access.h); none: the
  // daemon's user and root only.
  std::optional<ControlGroup> group;
  // Whether a request may run beside others (on the pool); empty or false:
  // on the one thread that runs the rest in turn.
  std::function<bool(const std::string& request_json)> runs_beside_others;
  std::size_t beside_threads = 4;
};

class ControlServer {
 public:
  // Sends a message to the client before the response (progress). Never
  // blocks: while one is being written, a newer one replaces the one
  // waiting. Messages sent after the handler returned are dropped.
  using Interim = std::function<void(std::string message_json)>;
  // Gets a request's JSON text, returns the response's JSON text. Runs on
  // a worker thread of the server: several at once for requests that
  // options.runs_beside_others lets, else one at a time. An exception it
  // throws is answered with control_error_response.
  using Handler = std::function<std::string(const std::string& request_json, const Interim& interim)>;

  // Serves `socket_path` (normally DATA/control.sock) on `io` once started.
  ControlServer(boost::asio::io_context& io, std::filesystem::path socket_path, Handler handler,
                ControlServerOptions options = {});
  // stop(), then waits for the commands already running to finish, so that
  // the store they use may be closed next. Destroy it before the io_context.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Removes a stale socket file (one nobody answers on), binds, sets the
  // mode to 0600 (0660 with options.group, which then owns the socket and
  // its directory, made 0710), listens and starts accepting on the io_context. Throws
  // std::system_error if it cannot, e.g. when another process answers on
  // the socket or the path is there but not a socket.
  void start();
  // Stops accepting, unlinks the socket file (if it is still the one bound
  // here) and answers requests not yet started with an error. A command
  // already running finishes and its client gets its answer. Thread-safe;
  // idempotent.
  void stop();

  const std::filesystem::path& socket_path() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A response for a request that could not be run, in the shape of a
// refused call: {"ok":false,"code":CODE,"message":MESSAGE}, CODE one of
// Code's names (malformed, not_permitted, io_error).
std::string control_error_response(std::string_view code, std::string_view message);

}  // namespace cohours::net
