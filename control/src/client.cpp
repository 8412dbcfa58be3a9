#include "cohours/control/client.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cohours::control {

namespace {

// Why the socket cannot be reached when its directory keeps the caller out
// (EACCES): an installed node's directory is 0710 for its group, so say
// which group to join. The words are the daemon's own when it refuses a
// caller (net/src/control_access.cpp join_group_message).
std::string socket_permission_denied(const std::filesystem::path& data_dir, const std::filesystem::path& socket) {
  struct stat st {};
  if (::stat(data_dir.c_str(), &st) != 0 || (st.st_mode & S_IXGRP) == 0 || st.st_gid == ::getgid())
    return "permission denied on " + socket.string() + ": only the node's user may use it";
  std::string group_name = std::to_string(st.st_gid);
  if (const group* g = ::getgrgid(st.st_gid)) group_name = g->gr_name;
  std::string user = std::to_string(::getuid());
  if (const passwd* p = ::getpwuid(::getuid())) user = p->pw_name;
  return "permission denied on " + socket.string() + ": join the group '" + group_name + "' (sudo adduser " +
         user + " " + group_name + ") and log in again";
}

}  // namespace

Result<std::optional<RemoteNode>> RemoteNode::connect(const std::filesystem::path& data_dir) {
  Fd sock;
  int error = 0;
  switch (connect_unix(data_dir / kSocketName, &sock, &error)) {
    case Connect::no_daemon:
      return std::optional<RemoteNode>();
    case Connect::failed:
      if (error == EACCES)
        return Result<std::optional<RemoteNode>>(Code::not_permitted,
                                                 socket_permission_denied(data_dir, data_dir / kSocketName));
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

namespace {

// A progress message ({"progress": {"verb", "done", "total"}}, control/server.h)
// passed to `progress`; false if `text` is none (the response).
bool take_progress(const std::string& text, const app::Progress& progress) {
  if (text.rfind("{\"progress\":", 0) != 0) return false;
  nlohmann::json message = nlohmann::json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object() || message.contains("ok")) return false;
  const nlohmann::json& p = message["progress"];
  if (!p.is_object() || !p.contains("verb") || !p["verb"].is_string() || !p.contains("done") ||
      !p["done"].is_number_unsigned() || !p.contains("total") || !p["total"].is_number_unsigned())
    return false;
  if (progress) {
    const std::string verb = p["verb"].get<std::string>();
    progress(verb.c_str(), p["done"].get<std::uint64_t>(), p["total"].get<std::uint64_t>());
  }
  return true;
}

}  // namespace

Result<std::string> RemoteNode::exchange(const std::string& request, const app::Progress& progress) {
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
  do {
    if (!read_message(sock.get(), &text)) return Result<std::string>(Code::io_error, no_answer());
  } while (take_progress(text, progress));
  return text;
}

}  // namespace cohours::control
