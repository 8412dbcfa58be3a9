// The control socket runs commands at once where it may (cli/CONTROL.md
// "Calls at once"): a read-only command answers while another one runs,
// however long that takes; commands that change the node still run one at
// a time. The handler here stands for serve_call: "slow" holds its worker
// until the test lets it go, as an audit of a large store would.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "cohours/net/control_server.h"
#include "quiet_logs.h"

using namespace cohours;
using namespace cohours::net;
namespace fs = std::filesystem;

namespace {

// One framed request and its answer (u32 big-endian length, then bytes).
std::optional<std::string> cs_call(const fs::path& path, const std::string& request) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval limit{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
  auto all = [&](bool writing, char* data, std::size_t size) {
    for (std::size_t done = 0; done < size;) {
      ssize_t n = writing ? ::write(fd, data + done, size - done) : ::read(fd, data + done, size - done);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  };
  std::string out = request;
  const auto size = static_cast<std::uint32_t>(out.size());
  char header[4] = {static_cast<char>(size >> 24), static_cast<char>(size >> 16), static_cast<char>(size >> 8),
                    static_cast<char>(size)};
  std::optional<std::string> answer;
  char length[4];
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 && all(true, header, 4) &&
      all(true, out.data(), out.size()) && all(false, length, 4)) {
    std::string body((static_cast<std::uint8_t>(length[0]) << 24) | (static_cast<std::uint8_t>(length[1]) << 16) |
                         (static_cast<std::uint8_t>(length[2]) << 8) | static_cast<std::uint8_t>(length[3]),
                     '\0');
    if (all(false, body.data(), body.size())) answer = std::move(body);
  }
  ::close(fd);
  return answer;
}

// Holds "slow" commands until released; counts commands that change.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool slow_started = false;
  bool released = false;
  bool slow_finished = false;
  int changing_now = 0;
  int changing_most = 0;

  std::string handle(const std::string& request) {
    std::unique_lock lock(mu);
    if (request.rfind("slow", 0) == 0) {
      slow_started = true;
      cv.notify_all();
      // A deadline, so a failing test ends rather than hangs.
      cv.wait_for(lock, std::chrono::seconds(20), [&] { return released; });
      slow_finished = true;
      return "slow done";
    }
    if (request.rfind("change", 0) == 0) {
      changing_most = std::max(changing_most, ++changing_now);
      lock.unlock();
      std::this_thread::yield();
      lock.lock();
      --changing_now;
      return "changed";
    }
    return "quick";
  }
  void release() {
    std::lock_guard lock(mu);
    released = true;
    cv.notify_all();
  }
  bool wait_slow_started() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return slow_started; });
  }
  bool is_finished() {
    std::lock_guard lock(mu);
    return slow_finished;
  }
};

}  // namespace

TEST_CASE("control socket: a read-only command answers while a long one runs; changes stay one at a time") {
  test::QuietLogs quiet;
  std::string pattern = (fs::temp_directory_path() / "cohours-control-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  const fs::path dir = pattern;
  Gate gate;
  boost::asio::io_context io;
  ControlServerOptions options;
  // "change…" as a call that changes the node; the rest read.
  options.runs_beside_others = [](const std::string& request) { return request.rfind("change", 0) != 0; };
  auto control = std::make_unique<ControlServer>(
      io, dir / "control.sock", [&gate](const std::string& request, const ControlServer::Interim&) { return gate.handle(request); }, options);
  control->start();
  std::thread io_thread([&] { io.run(); });

  auto slow = std::async(std::launch::async, [&] { return cs_call(dir / "control.sock", "slow audit"); });
  REQUIRE(gate.wait_slow_started());
  // The balance is answered, and the audit is still held when it is.
  auto balance = cs_call(dir / "control.sock", "balance");
  CHECK(balance == std::optional<std::string>("quick"));
  CHECK_FALSE(gate.is_finished());
  // A change does not wait behind the audit either; several changes never overlap.
  std::vector<std::future<std::optional<std::string>>> changes;
  for (int i = 0; i < 8; ++i)
    changes.push_back(std::async(std::launch::async, [&] { return cs_call(dir / "control.sock", "change"); }));
  for (auto& change : changes) CHECK(change.get() == std::optional<std::string>("changed"));
  CHECK_FALSE(gate.is_finished());
  CHECK(gate.changing_most == 1);

  gate.release();
  CHECK(slow.get() == std::optional<std::string>("slow done"));
  control.reset();
  io.stop();
  io_thread.join();
  fs::remove_all(dir);
}
