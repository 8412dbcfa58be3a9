// cohours: the command line of a co-op's time-credit ledger (docs/cli.md).
// Every command runs here: while the node's daemon runs it holds the store,
// and a command sends each of its use cases to the daemon over the control
// socket as a typed call (cli/client.h, cli/CONTROL.md); otherwise it opens
// the store itself.
#include "run.h"

int main(int argc, char** argv) {
  return cohours::cli::run_cli(argc, argv);
}
