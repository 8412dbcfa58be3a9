// `cohours` as a client of the daemon's control socket (cli/CONTROL.md).
// Plain POSIX sockets: the CLI does not use Asio.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cohours::cli {

// The protocol (cli/CONTROL.md). net/ has its own copy of the limit.
inline constexpr const char* kControlSocketName = "control.sock";
inline constexpr int kControlProtocolVersion = 1;
inline constexpr std::size_t kControlMaxMessage = 16u * 1024 * 1024;  // bytes of JSON per message

// The --data directory that `args` (everything after the program name)
// name, as typed: `--data DIR` or `--data=DIR`, default ./cohours-data.
std::string data_dir_of(const std::vector<std::string>& args);
// True for commands that run in the cohours process even while a daemon
// serves the data directory: `init`, commands built on app/ (which send
// typed calls, cli/client.h; `sync wait` among them asks the daemon
// itself), any --help, and a command line with no command word (which only
// prints a usage error). Every command is built on app/ now, so `cohours`
// forwards nothing (main.cpp): this and the protocol-1 client below are
// kept only for the control tests, until protocol 1 is removed.
bool runs_locally(const std::vector<std::string>& args);

// {"version":1,"argv":args,"cwd":cwd}
std::string encode_control_request(const std::vector<std::string>& args, const std::string& cwd);

// What the daemon answered (or what to tell the user when it did not).
struct ControlResponse {
  int exit = 0;
  std::string out;  // the command's stdout
  std::string err;  // the command's stderr
};

// Sends the command to the daemon serving `data_dir` and waits for its
// answer. nullopt when no daemon serves it: no DATA/control.sock, or a
// stale one that refuses connections (left by a daemon that crashed); the
// caller then runs the command itself. A daemon that closes the connection
// without a valid answer gives exit 1 and "error: the daemon at DATA did not
// answer (see its log)" on err. `cwd` is the client's absolute working
// directory, against which the daemon resolves relative paths in `args`.
std::optional<ControlResponse> send_to_daemon(const std::string& data_dir,
                                              const std::vector<std::string>& args, const std::string& cwd);

// main's first step: unless runs_locally(args), sends the command to the
// daemon serving data_dir_of(args), prints its stdout and stderr on
// std::cout and std::cerr and returns its exit code; nullopt when there is
// no daemon (run the command locally).
std::optional<int> forward_to_daemon(const std::vector<std::string>& args);

// Framing shared with the daemon: a u32 big-endian length, then the bytes.
// Blocking; retries on EINTR; never raises SIGPIPE. write: false on failure.
// read: false on EOF, failure, or a length over `max_bytes`.
bool write_control_message(int fd, const std::string& message);
bool read_control_message(int fd, std::string* message, std::size_t max_bytes = kControlMaxMessage);

}  // namespace cohours::cli
