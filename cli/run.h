// One `cohours` invocation as a function: the CLI11 app, the unknown-command
// check, error printing and exit codes (docs/cli.md). `cohours` (main.cpp)
// calls it; the tests call it in-process.
#pragma once

#include <string>
#include <vector>

namespace cohours::cli {

// Runs the command given by `args` (everything after the program name),
// printing to out() / err() (output.h), and returns the exit code. Never
// throws. Safe to call from several threads at once, but commands on one
// node's store must not run concurrently with `reindex` or `init` of it.
int run_cli(const std::vector<std::string>& args);
int run_cli(int argc, char** argv);

}  // namespace cohours::cli
