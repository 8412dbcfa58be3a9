#include "cohours/control/client.h"

#include <cstring>

namespace cohours::control {

Result<std::optional<RemoteNode>> RemoteNode::connect(const std::filesystem::path& data_dir) {
  Fd sock;
  int error = 0;
  switch (connect_unix(data_dir / kSocketName, &sock, &error)) {
    case Connect::no_daemon:
      return std::optional<RemoteNode>();
    case Connect::failed:
      return Result<std::optional<RemoteNode>>(
          Code::io_error, "cannot reach the daemon at " + data_dir.string() + " through " +
                              (data_dir / kSocketName).string() + ": " + std::strerror(error));
    case Connect::connected:
      break;
  }
  return std::optional<RemoteNode>(RemoteNode(data_dir, std::move(sock)));
}

std::string RemoteNode::no_answer() const {
  return "the daemon at " + data_dir_.string() + " did not answer (see its log)";
}

Result<std::string> RemoteNode::exchange(const std::string& request) {
  Fd sock = std::move(next_);
  if (sock.get() < 0) {
    int error = 0;
    if (connect_unix(data_dir_ / kSocketName, &sock, &error) != Connect::connected)
      return Result<std::string>(Code::io_error, "the daemon at " + data_dir_.string() +
                                                     " stopped answering: " + std::strerror(error));
  }
  // Even if sending fails, the daemon may have refused the request with an
  // answer before closing: read it either way.
  (void)write_message(sock.get(), request);
  std::string text;
  if (!read_message(sock.get(), &text)) return Result<std::string>(Code::io_error, no_answer());
  return text;
}

}  // namespace cohours::control
