#include "cohours/net/control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <utility>  // before the asio headers (g++ 12)

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <system_error>

#include "cohours/net/logger.h"

namespace cohours::net {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using stream = asio::local::stream_protocol;

namespace {

std::string json_escape(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

// A name for the socket that fits in sockaddr_un (108 bytes): the path
// itself, or, when that is too long, the path through /proc/self/fd/N of
// its directory, which stays open while this object lives.
class UnixAddress {
 public:
  explicit UnixAddress(const fs::path& path) {
    name_ = path.string();
    if (name_.size() < sizeof(sockaddr_un{}.sun_path)) return;
    fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    dir_fd_ = ::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd_ < 0)
      throw std::system_error(errno, std::generic_category(), "cannot open " + parent.string());
    name_ = "/proc/self/fd/" + std::to_string(dir_fd_) + "/" + path.filename().string();
    if (name_.size() >= sizeof(sockaddr_un{}.sun_path))
      throw std::system_error(ENAMETOOLONG, std::generic_category(),
                              "socket name " + path.filename().string());
  }
  ~UnixAddress() {
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }
  UnixAddress(const UnixAddress&) = delete;
  UnixAddress& operator=(const UnixAddress&) = delete;
  stream::endpoint endpoint() const { return stream::endpoint(name_); }

 private:
  std::string name_;
  int dir_fd_ = -1;
};

// One client connection, with the deadline that closes it when it is slow,
// and the interim messages (progress) written while its command runs. All
// of it is used on the connection's strand only.
struct Connection {
  Connection(stream::socket s, const asio::any_io_executor& executor)
      : socket(std::move(s)), timer(executor), interim_written(executor) {}
  stream::socket socket;
  asio::steady_timer timer;
  bool timed_out = false;
  // The interim message being written (with its length header) and the
  // newest one waiting behind it.
  std::array<unsigned char, 4> writing_header{};
  std::string writing;
  bool is_writing = false;
  std::optional<std::string> waiting;
  bool answered = false;  // the command has returned: no more interim messages
  bool broken = false;    // writing an interim message failed
  // Cancelled when the interim write under way ends, for the response waiting for it.
  asio::steady_timer interim_written;
};

// Closes the connection if the next I/O step takes longer than `timeout`.
// The timer runs on the connection's strand, as does its coroutine.
void arm_deadline(const std::shared_ptr<Connection>& connection, std::chrono::milliseconds timeout) {
  connection->timer.expires_after(timeout);
  connection->timer.async_wait([weak = std::weak_ptr<Connection>(connection)](boost::system::error_code ec) {
    if (ec) return;  // cancelled: the step finished in time
    if (auto c = weak.lock()) {
      c->timed_out = true;
      boost::system::error_code ignored;
      c->socket.close(ignored);
    }
  });
}

// Empty if the peer may send commands (control_access.h), else why not.
std::string peer_refusal(stream::socket& socket, const ControlServerOptions& options, const fs::path& path) {
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0)
    return "cannot tell which user connected to the control socket";
  return control_refusal(peer.uid, peer.gid, ::geteuid(), options.group, path.string(), user_in_group);
}

std::array<unsigned char, 4> length_header(std::size_t size) {
  return {static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
          static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
}

// Writes the waiting interim message, if any and none is being written.
// Once the command has returned, the one still waiting goes out before the
// response (the last progress message says the work is done).
void write_interim(const std::shared_ptr<Connection>& c) {
  if (c->is_writing || !c->waiting || c->broken) return;
  c->writing = std::move(*c->waiting);
  c->waiting.reset();
  c->writing_header = length_header(c->writing.size());
  c->is_writing = true;
  std::array<asio::const_buffer, 2> buffers{asio::buffer(c->writing_header), asio::buffer(c->writing)};
  asio::async_write(c->socket, buffers, [c](boost::system::error_code ec, std::size_t) {
    c->is_writing = false;
    if (ec) c->broken = true;
    write_interim(c);
    if (!c->is_writing && c->answered) c->interim_written.cancel();  // the response waits for these writes
  });
}

}  // namespace

std::string control_error_response(std::string_view code, std::string_view message) {
  return "{\"ok\":false,\"code\":\"" + json_escape(code) + "\",\"message\":\"" + json_escape(message) + "\"}";
}

struct ControlServer::Impl {
  Impl(asio::io_context& io, fs::path path, Handler handler, ControlServerOptions options)
      : io(io),
        path(std::move(path)),
        handler(std::make_shared<const Handler>(std::move(handler))),
        options(options),
        accept_strand(asio::make_strand(io)),
        acceptor(accept_strand),
        beside(std::max<std::size_t>(options.beside_threads, 1)) {}

  asio::io_context& io;
  const fs::path path;
  // Shared with the worker's tasks, which must not keep the Impl alive: its
  // last owner could then be the worker thread, which cannot join itself.
  const std::shared_ptr<const Handler> handler;
  const std::shared_ptr<std::atomic<bool>> stopping = std::make_shared<std::atomic<bool>>(false);
  const ControlServerOptions options;
  asio::strand<asio::io_context::executor_type> accept_strand;
  stream::acceptor acceptor;
  // One thread: commands that change the node run one at a time, in order,
  // off the io_context's threads.
  asio::thread_pool worker{1};
  // Commands that may run beside others (read-only calls).
  asio::thread_pool beside;
  // The socket file bound by start(), so stop() unlinks only that one.
  bool bound = false;
  dev_t bound_dev = 0;
  ino_t bound_ino = 0;

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);
  static asio::awaitable<void> serve(std::shared_ptr<Impl> self, stream::socket socket);
  static asio::awaitable<std::string> run_command(std::shared_ptr<Impl> self, std::string request,
                                                  Interim interim);
};

namespace {

std::string call_handler(const ControlServer::Handler& handler, const std::atomic<bool>& stopping,
                         const std::string& request, const ControlServer::Interim& interim) {
  if (stopping.load())
    return control_error_response("io_error",
                                  "the daemon is stopping; run the command again once it has stopped");
  try {
    return handler(request, interim);
  } catch (const std::exception& e) {
    log_error("control", std::string("the command failed: ") + e.what());
    return control_error_response("io_error",
                                  std::string("the daemon could not run the command: ") + e.what());
  } catch (...) {
    log_error("control", "the command failed");
    return control_error_response("io_error", "the daemon could not run the command");
  }
}

}  // namespace

// Runs the handler on the worker thread; this coroutine waits without
// holding up its io_context thread.
asio::awaitable<std::string> ControlServer::Impl::run_command(std::shared_ptr<Impl> self,
                                                              std::string request, Interim interim) {
  if (self->stopping->load())
    co_return control_error_response("io_error",
                                     "the daemon is stopping; run the command again once it has stopped");
  // g++ 12 may destroy twice a temporary with a destructor in a full
  // expression holding co_await: every such object here is a named local.
  const bool beside = self->options.runs_beside_others && self->options.runs_beside_others(request);
  auto task = [handler = self->handler, stopping = self->stopping, request = std::move(request),
               interim = std::move(interim)]() -> asio::awaitable<std::string> {
    co_return call_handler(*handler, *stopping, request, interim);
  };
  auto worker = beside ? self->beside.get_executor() : self->worker.get_executor();
  std::string response = co_await asio::co_spawn(worker, std::move(task), asio::use_awaitable);
  co_return response;
}

asio::awaitable<void> ControlServer::Impl::serve(std::shared_ptr<Impl> self, stream::socket socket) {
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto connection = std::make_shared<Connection>(std::move(socket), executor);
  const auto timeout = self->options.io_timeout;
  const std::size_t limit = self->options.max_message_bytes;
  try {
    boost::system::error_code ec;
    std::string response;
    std::string refusal = peer_refusal(connection->socket, self->options, self->path);
    if (!refusal.empty()) {
      log_warn("control", "refused a connection: " + refusal);
      response = control_error_response("not_permitted", refusal);
    } else {
      arm_deadline(connection, timeout);
      std::array<unsigned char, 4> header{};
      co_await asio::async_read(connection->socket, asio::buffer(header),
                                asio::redirect_error(asio::use_awaitable, ec));
      std::size_t length = (std::size_t{header[0]} << 24) | (std::size_t{header[1]} << 16) |
                           (std::size_t{header[2]} << 8) | std::size_t{header[3]};
      std::string request;
      if (!ec && length > 0 && length <= limit) {
        request.resize(length);
        co_await asio::async_read(connection->socket, asio::buffer(request),
                                  asio::redirect_error(asio::use_awaitable, ec));
      }
      connection->timer.cancel();
      if (ec) {
        if (connection->timed_out)
          log_warn("control", "no whole request within " + std::to_string(timeout.count()) +
                   " ms; connection closed");
        else if (ec != asio::error::eof)
          log_warn("control", "reading a request failed: " + ec.message());
        co_return;  // no one to answer
      }
      if (length == 0) {
        log_warn("control", "an empty request");
        response = control_error_response("malformed", "the control request is empty");
      } else if (length > limit) {
        log_warn("control", "a request of " + std::to_string(length) + " bytes, over the limit");
        response =
            control_error_response("malformed", "the control request is " + std::to_string(length) +
                                                    " bytes, over the limit of " + std::to_string(limit));
      } else {
        // Interim messages go out on this connection's strand while the
        // command runs on a worker.
        Interim interim = [connection, executor](std::string message) {
          asio::post(executor, [connection, message = std::move(message)]() mutable {
            if (connection->answered) return;
            connection->waiting = std::move(message);
            write_interim(connection);
          });
        };
        asio::awaitable<std::string> command = run_command(self, std::move(request), std::move(interim));
        response = co_await std::move(command);
        connection->answered = true;
        if (connection->is_writing) {
          // The response follows the interim messages being written and
          // waiting, which have as long as the response would to be taken.
          arm_deadline(connection, timeout);
          connection->interim_written.expires_at(asio::steady_timer::time_point::max());
          co_await connection->interim_written.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          connection->timer.cancel();
        }
        if (connection->broken)
          log_warn("control", "the client did not take a progress message: " +
                   (connection->timed_out ? "timed out after " + std::to_string(timeout.count()) + " ms"
                                          : std::string("connection lost")));
        if (response.size() > limit)
          response = control_error_response("io_error", "the answer is " + std::to_string(response.size()) +
                                                            " bytes, over the control socket's limit of " +
                                                            std::to_string(limit));
      }
    }
    if (!connection->broken) {
      auto header = length_header(response.size());
      std::array<asio::const_buffer, 2> buffers{asio::buffer(header), asio::buffer(response)};
      arm_deadline(connection, timeout);
      co_await asio::async_write(connection->socket, buffers, asio::redirect_error(asio::use_awaitable, ec));
      connection->timer.cancel();
      if (ec)
        log_warn("control", "the client did not take its answer: " +
                 (connection->timed_out ? "timed out after " + std::to_string(timeout.count()) + " ms"
                                        : ec.message()));
    }
  } catch (const std::exception& e) {
    log_error("control", e.what());
  }
  boost::system::error_code ignored;
  connection->socket.shutdown(stream::socket::shutdown_both, ignored);
  connection->socket.close(ignored);
}

asio::awaitable<void> ControlServer::Impl::accept_loop(std::shared_ptr<Impl> self) {
  for (;;) {
    auto strand = asio::make_strand(self->io);
    boost::system::error_code ec;
    stream::socket socket =
        co_await self->acceptor.async_accept(strand, asio::redirect_error(asio::use_awaitable, ec));
    if (self->stopping->load() || ec == asio::error::operation_aborted || !self->acceptor.is_open())
      co_return;
    if (ec) {
      // E.g. out of file descriptors: pause rather than spin.
      log_warn("control", "cannot accept a connection: " + ec.message());
      asio::any_io_executor executor = co_await asio::this_coro::executor;
      asio::steady_timer pause(executor, std::chrono::milliseconds(200));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    asio::co_spawn(strand, serve(self, std::move(socket)), asio::detached);
  }
}

ControlServer::ControlServer(asio::io_context& io, fs::path socket_path, Handler handler,
                             ControlServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(socket_path), std::move(handler), options)) {}

ControlServer::~ControlServer() {
  stop();
  // Commands still running use the daemon's store: let them finish.
  impl_->worker.join();
  impl_->beside.join();
}

const fs::path& ControlServer::socket_path() const {
  return impl_->path;
}

void ControlServer::start() {
  Impl& s = *impl_;
  const std::string where = s.path.string();
  UnixAddress address(s.path);
  struct stat st {};
  if (::lstat(s.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw std::system_error(EEXIST, std::generic_category(), where + " exists and is not a socket");
    // A socket file nobody answers on was left by a daemon that crashed.
    stream::socket probe(s.io);
    boost::system::error_code ec;
    probe.connect(address.endpoint(), ec);
    if (!ec)
      throw std::system_error(EADDRINUSE, std::generic_category(),
                              "another process answers on " + where + " (is cohoursd already running?)");
    if (ec != asio::error::connection_refused)
      throw std::system_error(ec.value(), std::generic_category(), "cannot check " + where);
    if (::unlink(s.path.c_str()) != 0 && errno != ENOENT)
      throw std::system_error(errno, std::generic_category(), "cannot remove the stale " + where);
    log_info("control", "removed a stale " + where);
  }
  if (s.options.group) {
    // The group passes through the directory to the socket, and lists and
    // reads nothing: every file in it is its owner's alone.
    const fs::path dir = s.path.parent_path().empty() ? fs::path(".") : s.path.parent_path();
    std::error_code dir_error;
    if (::chown(dir.c_str(), static_cast<uid_t>(-1), s.options.group->gid) != 0)
      dir_error = std::error_code(errno, std::generic_category());
    if (!dir_error)
      fs::permissions(dir, fs::perms::owner_all | fs::perms::group_exec, fs::perm_options::replace, dir_error);
    if (dir_error)
      throw std::system_error(dir_error, "cannot open " + dir.string() + " to the group '" +
                                             s.options.group->name + "'");
  }
  boost::system::error_code ec;
  s.acceptor.open(stream(), ec);
  if (!ec) s.acceptor.bind(address.endpoint(), ec);
  if (ec) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    throw std::system_error(ec.value(), std::generic_category(), "cannot bind " + where);
  }
  // Only the daemon's user may send commands, or with a group its members
  // too. The data directory is 0700 (or 0710 with the group), so no one
  // else could reach the socket between bind and chmod.
  std::error_code chmod_error;
  if (s.options.group) {
    if (::chown(s.path.c_str(), static_cast<uid_t>(-1), s.options.group->gid) != 0)
      chmod_error = std::error_code(errno, std::generic_category());
  }
  if (!chmod_error)
    fs::permissions(s.path,
                    s.options.group ? fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                          fs::perms::group_write
                                    : fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, chmod_error);
  if (!chmod_error) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (chmod_error || ec) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    ::unlink(s.path.c_str());
    throw std::system_error(chmod_error ? chmod_error : std::error_code(ec.value(), std::generic_category()),
                            "cannot listen on " + where);
  }
  if (::lstat(s.path.c_str(), &st) == 0) {
    s.bound = true;
    s.bound_dev = st.st_dev;
    s.bound_ino = st.st_ino;
  }
  log_info("control", "listening on " + where);
  asio::co_spawn(s.accept_strand, Impl::accept_loop(impl_), asio::detached);
}

void ControlServer::stop() {
  std::shared_ptr<Impl> self = impl_;
  if (self->stopping->exchange(true)) return;
  asio::dispatch(self->accept_strand, [self] {
    boost::system::error_code ignored;
    self->acceptor.close(ignored);
  });
  struct stat st {};
  if (self->bound && ::lstat(self->path.c_str(), &st) == 0 && st.st_dev == self->bound_dev &&
      st.st_ino == self->bound_ino)
    ::unlink(self->path.c_str());
}

}  // namespace cohours::net
