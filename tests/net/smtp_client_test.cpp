// The SMTP client against a real SMTP server on loopback: Debian's
// python3-aiosmtpd run by tests/net/smtp_sink.py, which keeps each message
// it accepts in a file. Also a listener that never answers (the timeout).
#include "cohours/net/smtp_client.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

using namespace cohours;

namespace {

// The sink as a child process; stopped when this goes.
struct SmtpSink {
  std::filesystem::path dir;
  FILE* pipe = nullptr;
  int port = 0;
  int pid = 0;
  bool missing = false;

  SmtpSink() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cohours-smtp-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    // Debian's own python3, where apt put python3-aiosmtpd (a python3 first
    // on PATH, e.g. pyenv's, may not have it).
    const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    const std::string command = python + " " + COHOURS_SMTP_SINK + " " + dir.string();
    pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char line[128] = {0};
    if (::fgets(line, sizeof line, pipe) == nullptr || std::string(line).rfind("MISSING", 0) == 0) {
      missing = true;
      return;
    }
    std::istringstream(line) >> port >> pid;
  }
  ~SmtpSink() {
    if (pid > 0) ::kill(pid, SIGTERM);
    if (pipe) ::pclose(pipe);
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  // The Nth message the sink accepted, waiting for it up to 10 seconds.
  std::string message(int n) {
    const auto path = dir / (std::to_string(n) + ".eml");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!std::filesystem::exists(path) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polls a condition, with a deadline
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  net::SmtpRelay relay() const {
    net::SmtpRelay r;
    r.host = "127.0.0.1";
    r.port = static_cast<std::uint16_t>(port);
    r.helo_name = "hilltop.test";
    return r;
  }
};

net::SmtpMessage digest_mail(const std::string& to) {
  net::SmtpMessage m;
  m.from = "timebank@hilltop.example";
  m.to = to;
  m.subject = "Hilltop: 1 new match for you";
  m.date = "Wed, 18 Nov 2026 09:00:00 GMT";
  m.body = "Hello,\n.\n.a line that starts with a dot\n..two dots\nlast line";
  return m;
}

#define REQUIRE_SINK(sink)                                                                                   \
  if ((sink).missing) {                                                                                      \
    WARN_MESSAGE(false, "SKIPPED: python3-aiosmtpd is missing, so the SMTP test did not run; install it "   \
                        "(apt-get install python3-aiosmtpd, scripts/install-deps.sh --test)");               \
    return;                                                                                                  \
  }                                                                                                          \
  REQUIRE((sink).port > 0)

}  // namespace

TEST_CASE("smtp: a message reaches the sink whole, dots and all") {
  SmtpSink sink;
  REQUIRE_SINK(sink);
  Status sent = net::send_smtp(sink.relay(), digest_mail("alice@example.org"));
  REQUIRE_MESSAGE(sent.ok(), sent.message());
  const std::string got = sink.message(1);
  CHECK(got.find("MAIL FROM: timebank@hilltop.example\n") != std::string::npos);
  CHECK(got.find("RCPT TO: alice@example.org\n") != std::string::npos);
  CHECK(got.find("HELO: hilltop.test\n") != std::string::npos);
  CHECK(got.find("Subject: Hilltop: 1 new match for you\r\n") != std::string::npos);
  CHECK(got.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
  // A lone '.' did not end the message early; stuffed dots came back as sent.
  CHECK(got.find("\r\nHello,\r\n.\r\n.a line that starts with a dot\r\n..two dots\r\nlast line\r\n") !=
        std::string::npos);
}

TEST_CASE("smtp: a refused recipient is an error that names the step and the answer") {
  SmtpSink sink;
  REQUIRE_SINK(sink);
  Status sent = net::send_smtp(sink.relay(), digest_mail("nobody@example.org"));
  CHECK(sent.code() == Code::io_error);
  CHECK(sent.message().find("refused RCPT TO: 550") != std::string::npos);
  CHECK(sent.message().find("127.0.0.1:" + std::to_string(sink.port)) != std::string::npos);
  // The next message goes through: the refusal left nothing behind.
  CHECK(net::send_smtp(sink.relay(), digest_mail("alice@example.org")).ok());
  CHECK(sink.message(1).find("RCPT TO: alice@example.org") != std::string::npos);
}

TEST_CASE("smtp: a line break in an address or subject is refused before connecting") {
  net::SmtpRelay relay;
  relay.host = "127.0.0.1";
  relay.port = 9;  // nothing is sent: the check comes first
  auto m = digest_mail("alice@example.org\r\nRCPT TO:<mallory@example.org>");
  CHECK(net::send_smtp(relay, m).code() == Code::malformed);
  m = digest_mail("alice@example.org");
  m.subject = "hi\r\nBcc: mallory@example.org";
  CHECK(net::send_smtp(relay, m).code() == Code::malformed);
}

TEST_CASE("smtp: a relay that never greets times out; one that is not there is refused") {
  // A listening socket nobody accepts on: the connection completes in the
  // backlog and the greeting never comes.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(fd, 4) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  net::SmtpRelay relay;
  relay.host = "127.0.0.1";
  relay.port = ntohs(address.sin_port);
  relay.step_timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  Status silent = net::send_smtp(relay, digest_mail("alice@example.org"));
  CHECK(silent.code() == Code::io_error);
  CHECK(silent.message().find("no answer to the greeting within 0.3s") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  ::close(fd);
  // Closed now: nothing listens on that port.
  Status refused = net::send_smtp(relay, digest_mail("alice@example.org"));
  CHECK(refused.code() == Code::io_error);
  CHECK(refused.message().find("cannot connect") != std::string::npos);
}

TEST_CASE("smtp: the DATA payload ends in CRLF.CRLF and stuffs leading dots") {
  auto data = net::smtp_data(digest_mail("alice@example.org"));
  CHECK(data.size() > 5);
  CHECK(data.compare(data.size() - 5, 5, "\r\n.\r\n") == 0);
  CHECK(data.find("\r\n..\r\n") != std::string::npos);
  CHECK(data.find("\r\n...two dots\r\n") != std::string::npos);
}
