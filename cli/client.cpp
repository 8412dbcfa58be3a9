#include "client.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "cohours/app/clock_source.h"

namespace cohours::cli {

namespace {

Status client_may_open_without_daemon(const std::filesystem::path& dir) {
  // Another user's node (an installed one: its group reaches the socket,
  // never the store or keys) is used through its daemon only. Root too:
  // files root added to the store would keep the daemon from opening it.
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || st.st_uid == ::geteuid()) return Status();
  std::string owner = std::to_string(st.st_uid);
  if (const passwd* p = ::getpwuid(st.st_uid)) owner = p->pw_name;
  return Status(Code::io_error, "the daemon of the node at " + dir.string() +
                                    " is not running, and only its user, " + owner +
                                    ", may use the node without it: start the daemon (sudo systemctl start "
                                    "cohoursd) or run the command as " + owner + " (sudo -u " + owner +
                                    " cohours ...)");
}

}  // namespace

Client::Client(const GlobalOptions& options) {
  const std::filesystem::path dir = std::filesystem::path(options.data_dir);
  remote_ = check(control::RemoteNode::connect(dir));
  progress_ = terminal_progress();
  if (remote_) return;
  check(client_may_open_without_daemon(dir));
  node_ = check(app::Node::open(dir, *check(app::process_clock()), passphrase_source(options)));
  node_->set_progress(progress_);
}

app::PassphraseSource passphrase_source(const GlobalOptions& options) {
  return {options.passphrase_file, app::terminal_asker()};
}

app::Progress terminal_progress() {
  if (!err_is_terminal()) return {};
  return [](const char* verb, std::uint64_t done, std::uint64_t total) {
    // An import checks the rows of a file; the rest walk the log's records.
    const char* unit = std::string_view(verb) == "checked" ? " rows" : " records";
    err() << "\r" << verb << " " << done << " / " << total << unit << (done == total ? "\n" : "") << std::flush;
  };
}

}  // namespace cohours::cli
