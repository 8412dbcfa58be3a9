// cohours: the command line of a co-op's time-credit ledger (docs/cli.md).
// While the node's daemon runs it holds the store, so the command goes to
// the daemon over its control socket (cli/CONTROL.md); otherwise it runs here.
#include "control_client.h"
#include "run.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto code = cohours::cli::forward_to_daemon(args)) return *code;
  return cohours::cli::run_cli(argc, argv);
}
