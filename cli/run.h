// One `cohours` invocation as a function: the CLI11 app, the unknown-command
// check, error printing and exit codes (docs/cli.md). `cohours` (main.cpp)
// calls it when no daemon serves the data directory; the daemon calls it,
// through run_control_request, for each command sent to its control socket.
#pragma once

#include <string>
#include <vector>

#include "host.h"

namespace cohours::cli {

// Runs the command given by `args` (everything after the program name),
// printing to out() / err() (output.h), and returns the exit code. Never
// throws. Safe to call from several threads at once, but commands on one
// node's store must not run concurrently with `reindex` or `init` of it.
int run_cli(const std::vector<std::string>& args);
int run_cli(int argc, char** argv);

// The daemon's side of the control socket (cli/CONTROL.md): parses a request
// {"version":1,"argv":[...],"cwd":"/abs"}, runs its argv with run_cli under
// `host` with the client's cwd and its output captured, and returns the
// response {"exit":N,"stdout":"...","stderr":"..."}. A request that is not
// valid gets a response with exit 1, the reason on stderr and in "error".
// Never throws. The response is at most kControlMaxMessage bytes.
std::string run_control_request(const HostedNode& host, const std::string& request_json);

}  // namespace cohours::cli
