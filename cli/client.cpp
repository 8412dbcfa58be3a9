#include "client.h"

#include "cohours/app/clock_source.h"

namespace cohours::cli {

Client::Client(const GlobalOptions& options) {
  const std::filesystem::path dir = std::filesystem::path(options.data_dir);
  remote_ = check(control::RemoteNode::connect(dir));
  if (remote_) return;
  node_ = check(app::Node::open(dir, *check(app::process_clock()), passphrase_source(options)));
  node_->set_progress(terminal_progress());
}

app::PassphraseSource passphrase_source(const GlobalOptions& options) {
  return {options.passphrase_file, app::terminal_asker()};
}

app::Progress terminal_progress() {
  if (!err_is_terminal()) return {};
  return [](const char* verb, std::uint64_t done, std::uint64_t total) {
    err() << "\r" << verb << " " << done << " / " << total << " records" << (done == total ? "\n" : "")
          << std::flush;
  };
}

}  // namespace cohours::cli
