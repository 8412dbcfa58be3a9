#include "scratch_dir.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

// The pid in a name WHAT-PID-N, or 0.
pid_t pid_in(const std::string& name) {
  const auto first = name.find('-'), last = name.rfind('-');
  if (first == std::string::npos || last <= first + 1) return 0;
  try {
    return static_cast<pid_t>(std::stol(name.substr(first + 1, last - first - 1)));
  } catch (...) {
    return 0;
  }
}

}  // namespace

std::string new_scratch_dir(const fs::path& data_dir, const std::string& what) {
  static std::atomic<unsigned> counter{0};
  const fs::path root = data_dir / "scratch";
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(root, ignored)) {
    const pid_t pid = pid_in(entry.path().filename().string());
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ignored);
  }
  return (root / (what + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++))).string();
}

}  // namespace cohours::app
