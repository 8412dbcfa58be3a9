// The control socket's transport (docs/control.md): a unix stream socket
// at DATA/control.sock; each message a u32 big-endian length then that
// many bytes of UTF-8 JSON. Plain POSIX, so the CLI needs no Asio.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace cohours::control {

inline constexpr const char* kSocketName = "control.sock";
inline constexpr std::size_t kMaxMessage = 16u * 1024 * 1024;  // bytes of JSON per message

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

enum class Connect { connected, no_daemon, failed };
// Connects to the unix socket at `path` (a path too long for sockaddr_un is
// reached through its directory's /proc/self/fd link). no_daemon when there
// is no socket file or nobody listens on it (a daemon that crashed);
// `error` gets errno on failure.
Connect connect_unix(const std::filesystem::path& path, Fd* socket, int* error);

// Blocking; retries on EINTR; never raises SIGPIPE. write: false on
// failure. read: false on EOF, failure, or a length over `max_bytes`.
bool write_message(int fd, const std::string& message);
bool read_message(int fd, std::string* message, std::size_t max_bytes = kMaxMessage);

}  // namespace cohours::control
