#include "cohours/control/socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cohours::control {

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

Connect connect_unix(const std::filesystem::path& path, Fd* socket, int* error) {
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) {
    *error = errno;
    return Connect::failed;
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string target = path.string();
  Fd dir;
  if (target.size() >= sizeof addr.sun_path) {
    std::string parent = path.parent_path().empty() ? "." : path.parent_path().string();
    dir = Fd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
      *error = errno;
      return (errno == ENOENT || errno == ENOTDIR) ? Connect::no_daemon : Connect::failed;
    }
    target = "/proc/self/fd/" + std::to_string(dir.get()) + "/" + path.filename().string();
    if (target.size() >= sizeof addr.sun_path) {
      *error = ENAMETOOLONG;
      return Connect::failed;
    }
  }
  std::memcpy(addr.sun_path, target.c_str(), target.size() + 1);
  int rc;
  do rc = ::connect(sock.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  while (rc != 0 && errno == EINTR);
  if (rc == 0) {
    *socket = std::move(sock);
    return Connect::connected;
  }
  *error = errno;
  // No socket file, or one nobody listens on (a daemon that crashed).
  if (errno == ENOENT || errno == ENOTDIR || errno == ECONNREFUSED) return Connect::no_daemon;
  return Connect::failed;
}

bool write_message(int fd, const std::string& message) {
  if (message.size() > 0xffffffffu) return false;
  std::uint32_t length = static_cast<std::uint32_t>(message.size());
  unsigned char header[4] = {static_cast<unsigned char>(length >> 24),
                             static_cast<unsigned char>(length >> 16),
                             static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length)};
  std::string bytes(reinterpret_cast<const char*>(header), 4);
  bytes += message;
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool read_message(int fd, std::string* message, std::size_t max_bytes) {
  auto read_exactly = [fd](char* data, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      ssize_t n = ::recv(fd, data + done, size - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  };
  unsigned char header[4];
  if (!read_exactly(reinterpret_cast<char*>(header), 4)) return false;
  std::size_t length = (std::size_t{header[0]} << 24) | (std::size_t{header[1]} << 16) |
                       (std::size_t{header[2]} << 8) | std::size_t{header[3]};
  if (length > max_bytes) return false;
  message->assign(length, '\0');
  return read_exactly(message->data(), length);
}

}  // namespace cohours::control
