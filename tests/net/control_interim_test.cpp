// Interim messages on the control socket (progress before the response,
// net/control_server.h): they arrive in order and before the response, the
// last one sent is never lost, and a client that reads nothing while the
// command runs never holds up the command: only the newest message waits.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <doctest/doctest.h>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cohours/net/control_server.h"
#include "quiet_logs.h"

using namespace cohours;
using namespace cohours::net;
namespace fs = std::filesystem;

namespace {

// A client connection: sends one framed request, reads framed messages.
class FramedClient {
 public:
  explicit FramedClient(const fs::path& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
    timeval limit{20, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~FramedClient() { ::close(fd_); }
  bool send(const std::string& message) {
    const auto size = static_cast<std::uint32_t>(message.size());
    std::string bytes = {static_cast<char>(size >> 24), static_cast<char>(size >> 16),
                         static_cast<char>(size >> 8), static_cast<char>(size)};
    bytes += message;
    return connected_ && all(true, bytes.data(), bytes.size());
  }
  std::optional<std::string> read() {
    unsigned char length[4];
    if (!all(false, reinterpret_cast<char*>(length), 4)) return std::nullopt;
    std::string body((std::size_t{length[0]} << 24) | (std::size_t{length[1]} << 16) |
                         (std::size_t{length[2]} << 8) | std::size_t{length[3]},
                     '\0');
    if (!all(false, body.data(), body.size())) return std::nullopt;
    return body;
  }

 private:
  bool all(bool writing, char* data, std::size_t size) {
    for (std::size_t done = 0; done < size;) {
      ssize_t n = writing ? ::write(fd_, data + done, size - done) : ::read(fd_, data + done, size - done);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }
  int fd_;
  bool connected_ = false;
};

// Interim messages are "step N" padded to `bytes`; the response is "done".
struct Steps {
  int count = 0;
  std::size_t bytes = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool returned = false;

  std::string handle(const ControlServer::Interim& interim) {
    for (int i = 1; i <= count; ++i) {
      std::string message = "step " + std::to_string(i) + " ";
      message.resize(std::max(bytes, message.size()), '.');
      interim(std::move(message));
    }
    std::lock_guard lock(mu);
    returned = true;
    cv.notify_all();
    return "done";
  }
  bool wait_returned() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(20), [&] { return returned; });
  }
};

// The steps of the interim messages read before "done"; nullopt if none came.
std::optional<std::vector<int>> read_steps(FramedClient& client) {
  std::vector<int> steps;
  for (;;) {
    auto message = client.read();
    if (!message) return std::nullopt;
    if (*message == "done") return steps;
    REQUIRE(message->rfind("step ", 0) == 0);
    steps.push_back(std::stoi(message->substr(5)));
  }
}

struct Served {
  explicit Served(Steps& steps) {
    std::string pattern = (fs::temp_directory_path() / "cohours-interim-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    control = std::make_unique<ControlServer>(
        io, dir / "control.sock",
        [&steps](const std::string&, const ControlServer::Interim& interim) { return steps.handle(interim); });
    control->start();
    thread = std::thread([this] { io.run(); });
  }
  ~Served() {
    control.reset();
    io.stop();
    thread.join();
    fs::remove_all(dir);
  }
  test::QuietLogs quiet;
  fs::path dir;
  boost::asio::io_context io;
  std::unique_ptr<ControlServer> control;
  std::thread thread;
};

}  // namespace

TEST_CASE("control socket: interim messages come in order before the response, the last one always") {
  Steps steps;
  steps.count = 500;
  Served served(steps);
  FramedClient client(served.dir / "control.sock");
  REQUIRE(client.send("go"));
  auto read = read_steps(client);
  REQUIRE(read.has_value());
  REQUIRE_FALSE(read->empty());
  for (std::size_t i = 1; i < read->size(); ++i) CHECK((*read)[i - 1] < (*read)[i]);
  CHECK(read->back() == 500);
}

TEST_CASE("control socket: a client that reads nothing while the command runs does not hold it up") {
  Steps steps;
  steps.count = 2000;
  steps.bytes = 64 * 1024;  // 125 MiB in all: far more than the socket buffers hold
  Served served(steps);
  FramedClient client(served.dir / "control.sock");
  REQUIRE(client.send("go"));
  // The handler returns while nothing has been read.
  REQUIRE(steps.wait_returned());
  auto read = read_steps(client);
  REQUIRE(read.has_value());
  CHECK(read->size() < 2000);  // the ones that found the newest waiting were replaced
  CHECK(read->back() == 2000);
  for (std::size_t i = 1; i < read->size(); ++i) CHECK((*read)[i - 1] < (*read)[i]);
}

TEST_CASE("control socket: a client gone while its command sends progress leaves the daemon serving") {
  Steps steps;
  steps.count = 200;
  steps.bytes = 64 * 1024;
  Served served(steps);
  {
    FramedClient gone(served.dir / "control.sock");
    REQUIRE(gone.send("go"));
    REQUIRE(gone.read().has_value());  // the command is under way
  }
  REQUIRE(steps.wait_returned());
  FramedClient next(served.dir / "control.sock");
  REQUIRE(next.send("go"));
  auto read = read_steps(next);
  REQUIRE(read.has_value());
  CHECK(read->back() == 200);
}
