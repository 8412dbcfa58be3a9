#include "control_client.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

namespace cohours::cli {

namespace {

constexpr const char* kDefaultDataDir = "./cohours-data";

// The first word that is not an option or the value of --data: the command.
std::optional<std::string> command_word(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--data") {
      ++i;
      continue;
    }
    if (args[i].rfind("-", 0) == 0) continue;
    return args[i];
  }
  return std::nullopt;
}

// A file descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int fd) : fd(fd) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

enum class Connect { connected, no_daemon, failed };

// Connects `sock` to the unix socket at `path`. A path too long for
// sockaddr_un is reached through its directory's /proc/self/fd link.
Connect connect_unix(int sock, const std::filesystem::path& path, int* error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string target = path.string();
  Fd dir(-1);
  if (target.size() >= sizeof addr.sun_path) {
    std::string parent = path.parent_path().empty() ? "." : path.parent_path().string();
    dir.fd = ::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir.fd < 0) {
      *error = errno;
      return (errno == ENOENT || errno == ENOTDIR) ? Connect::no_daemon : Connect::failed;
    }
    target = "/proc/self/fd/" + std::to_string(dir.fd) + "/" + path.filename().string();
    if (target.size() >= sizeof addr.sun_path) {
      *error = ENAMETOOLONG;
      return Connect::failed;
    }
  }
  std::memcpy(addr.sun_path, target.c_str(), target.size() + 1);
  int rc;
  do rc = ::connect(sock, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  while (rc != 0 && errno == EINTR);
  if (rc == 0) return Connect::connected;
  *error = errno;
  // No socket file, or one nobody listens on (a daemon that crashed).
  if (errno == ENOENT || errno == ENOTDIR || errno == ECONNREFUSED) return Connect::no_daemon;
  return Connect::failed;
}

ControlResponse failure(const std::string& message) {
  return {1, "", "error: " + message + "\n"};
}

}  // namespace

std::string data_dir_of(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--data") return i + 1 < args.size() ? args[i + 1] : kDefaultDataDir;
    if (args[i].rfind("--data=", 0) == 0) return args[i].substr(7);
  }
  return kDefaultDataDir;
}

bool runs_locally(const std::vector<std::string>& args) {
  for (const auto& word : args)
    if (word == "-h" || word == "--help" || word == "--help-all") return true;
  auto command = command_word(args);
  if (!command || *command == "init") return true;
  // Every command is built on app/: it runs here and sends each use case to
  // the daemon as a typed call itself (cli/client.h). `sync wait` asks the
  // daemon again and again from the client, so the daemon's one command
  // thread is never held up waiting; `reindex` refuses while a daemon runs
  // and `audit verify --export` needs no node.
  for (const char* typed :
       {"hours", "respite", "transfer", "reverse", "balance", "statement", "log", "member", "policy",
        "consortium", "sync", "clearing", "expense", "audit", "reindex", "export"})
    if (*command == typed) return true;
  return false;
}

std::string encode_control_request(const std::vector<std::string>& args, const std::string& cwd) {
  nlohmann::json request = {{"version", kControlProtocolVersion}, {"argv", args}, {"cwd", cwd}};
  // Arguments are bytes; anything that is not UTF-8 is replaced.
  return request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool write_control_message(int fd, const std::string& message) {
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

bool read_control_message(int fd, std::string* message, std::size_t max_bytes) {
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

std::optional<ControlResponse> send_to_daemon(const std::string& data_dir,
                                              const std::vector<std::string>& args, const std::string& cwd) {
  // A relative --data names a directory under the client's cwd.
  std::filesystem::path dir = data_dir;
  if (dir.is_relative() && !cwd.empty()) dir = std::filesystem::path(cwd) / dir;
  const std::filesystem::path socket_path = dir / kControlSocketName;
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.fd < 0) return failure(std::string("cannot create a socket: ") + std::strerror(errno));
  int error = 0;
  switch (connect_unix(sock.fd, socket_path, &error)) {
    case Connect::no_daemon:
      return std::nullopt;
    case Connect::failed:
      return failure("cannot reach the daemon at " + data_dir + " through " + socket_path.string() + ": " +
                     std::strerror(error));
    case Connect::connected:
      break;
  }
  const std::string no_answer = "the daemon at " + data_dir + " did not answer (see its log)";
  // Even if sending fails, the daemon may have refused the request with an
  // answer before closing: read it either way.
  (void)write_control_message(sock.fd, encode_control_request(args, cwd));
  std::string text;
  if (!read_control_message(sock.fd, &text)) return failure(no_answer);
  nlohmann::json response = nlohmann::json::parse(text, nullptr, false);
  if (response.is_discarded() || !response.is_object() || !response["exit"].is_number_integer() ||
      !response["stdout"].is_string() || !response["stderr"].is_string())
    return failure(no_answer);
  int code = response["exit"].get<int>();
  if (code < 0 || code > 255) code = 1;
  return ControlResponse{code, response["stdout"].get<std::string>(), response["stderr"].get<std::string>()};
}

std::optional<int> forward_to_daemon(const std::vector<std::string>& args) {
  if (runs_locally(args)) return std::nullopt;
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  // Without a cwd (it was deleted) the daemon could not resolve relative
  // paths: run here, as with no daemon.
  if (ec) return std::nullopt;
  auto response = send_to_daemon(data_dir_of(args), args, cwd.string());
  if (!response) return std::nullopt;
  std::cout << response->out << std::flush;
  std::cerr << response->err << std::flush;
  return response->exit;
}

}  // namespace cohours::cli
