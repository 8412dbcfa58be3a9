// How a command runs its use cases: in the daemon that serves the data
// directory (over the control socket), or, when none runs, on the store
// this process opens itself. Either way the same app/ code runs.
#pragma once

#include <memory>
#include <optional>

#include "cohours/app/node.h"
#include "cohours/control/client.h"
#include "output.h"
#include "session.h"

namespace cohours::cli {

// Progress lines ("verified 4096 / 10000 records") on stderr when it is a
// terminal, for use cases run in this process; empty otherwise.
app::Progress terminal_progress();

// Where this process gets the passphrase of encrypted key files: the file
// --passphrase-file or COHOURS_PASSPHRASE_FILE names, else the terminal.
app::PassphraseSource passphrase_source(const GlobalOptions& options);

class Client {
 public:
  // Finds the daemon or opens the node; failures are CliErrors. Long use
  // cases report progress on a terminal (terminal_progress), in the daemon
  // as in a node opened here.
  explicit Client(const GlobalOptions& options);

  // Runs one use case; a refusal becomes a CliError with its code.
  template <typename Request>
  typename control::Call<Request>::ReplyType call(const Request& request) {
    if (remote_) return check(remote_->call(request, progress_));
    return check(control::Call<Request>::run(*node_, request));
  }

 private:
  std::optional<control::RemoteNode> remote_;
  app::Progress progress_;  // shown for calls in the daemon, as for a node opened here
  std::unique_ptr<app::Node> node_;
};

}  // namespace cohours::cli
