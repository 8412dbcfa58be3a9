#include "client.h"

#include "cohours/app/clock_source.h"
#include "host.h"

namespace cohours::cli {

Client::Client(const GlobalOptions& options) {
  if (const HostedNode* host = host_for(options.data_dir)) {
    // A command line sent over the control socket in protocol 1 runs inside
    // the daemon: use its open store (until every command sends typed calls).
    const Clock& clock = host->clock ? *host->clock : *check(app::process_clock());
    hosted_replicas_ = check(Replicas::open(*host->store, clock));
    node_ = std::make_unique<app::Node>(host->data_dir, host->node, *host->store, *host->ledger,
                                        *hosted_replicas_, clock);
    node_->set_peers(host->peers);
    return;
  }
  const std::filesystem::path dir = resolve_user_path(options.data_dir);
  remote_ = check(control::RemoteNode::connect(dir));
  if (remote_) return;
  node_ = check(app::Node::open(dir, *check(app::process_clock())));
  node_->set_progress(terminal_progress());
}

app::Progress terminal_progress() {
  if (!err_is_terminal()) return {};
  return [](const char* verb, std::uint64_t done, std::uint64_t total) {
    err() << "\r" << verb << " " << done << " / " << total << " records" << (done == total ? "\n" : "")
          << std::flush;
  };
}

}  // namespace cohours::cli
