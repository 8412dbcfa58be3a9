#include "cohours/net/smtp_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <istream>
#include <optional>

namespace cohours::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// A reply: its code and text (the lines joined by spaces).
struct SmtpReply {
  int code = 0;
  std::string text;
};

// One connection, run step by step on its own io_context: each step is
// started, then run with a deadline; a step still running at its deadline
// is cancelled by closing the socket.
class SmtpSession {
 public:
  SmtpSession(const SmtpRelay& relay) : relay_(relay), name_(relay.host + ":" + std::to_string(relay.port)) {}

  Status connect() {
    tcp::resolver resolver(io_);
    tcp::resolver::results_type endpoints;
    boost::system::error_code ec;
    bool done = false;
    resolver.async_resolve(relay_.host, std::to_string(relay_.port),
                           [&](const boost::system::error_code& e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                             done = true;
                           });
    if (!wait(done, [&] { resolver.cancel(); }))
      return fail("looking up the relay's address took longer than " + seconds());
    if (ec) return fail("cannot find the relay's address: " + ec.message());
    done = false;
    asio::async_connect(socket_, endpoints, [&](const boost::system::error_code& e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!wait(done, [&] { close(); })) return fail("connecting took longer than " + seconds());
    if (ec) return fail("cannot connect: " + ec.message());
    return Status();
  }

  // Reads one reply; a multi-line reply has "NNN-" on every line but its last.
  Result<SmtpReply> reply(const char* step) {
    SmtpReply out;
    for (int lines = 0; lines < 100; ++lines) {
      boost::system::error_code ec;
      bool done = false;
      asio::async_read_until(socket_, buffer_, "\r\n", [&](const boost::system::error_code& e, std::size_t) {
        ec = e;
        done = true;
      });
      if (!wait(done, [&] { close(); }))
        return fail(std::string("no answer to ") + step + " within " + seconds());
      if (ec) return fail(std::string("the connection failed waiting for the answer to ") + step + ": " + ec.message());
      std::istream in(&buffer_);
      std::string line;
      std::getline(in, line);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
          !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])))
        return fail(std::string("the answer to ") + step + " is not SMTP: " + printable(line));
      out.code = std::stoi(line.substr(0, 3));
      if (!out.text.empty()) out.text += ' ';
      out.text += line.size() > 4 ? line.substr(4) : "";
      if (line.size() < 4 || line[3] != '-') return out;
    }
    return fail(std::string("the answer to ") + step + " has too many lines");
  }

  Status write(const std::string& bytes, const char* step) {
    boost::system::error_code ec;
    bool done = false;
    asio::async_write(socket_, asio::buffer(bytes), [&](const boost::system::error_code& e, std::size_t) {
      ec = e;
      done = true;
    });
    if (!wait(done, [&] { close(); })) return fail(std::string("sending ") + step + " took longer than " + seconds());
    if (ec) return fail(std::string("the connection failed sending ") + step + ": " + ec.message());
    return Status();
  }

  // Sends `command` and wants a reply in [low, high].
  Result<SmtpReply> command(const std::string& command, const char* step, int low, int high) {
    if (Status s = write(command + "\r\n", step); !s.ok()) return s;
    return expect(step, low, high);
  }

  Result<SmtpReply> expect(const char* step, int low, int high) {
    auto answer = reply(step);
    if (!answer.ok()) return answer.status();
    if (answer->code < low || answer->code > high)
      return fail(std::string("refused ") + step + ": " + std::to_string(answer->code) + " " +
                  printable(answer->text));
    return answer;
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  // Runs the io_context until `done` or the step's deadline; on the
  // deadline, `cancel` and then lets the cancelled handler run.
  template <typename Cancel>
  bool wait(bool& done, Cancel cancel) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + relay_.step_timeout;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      if (io_.run_one_until(deadline) == 0 && io_.stopped()) break;
    }
    if (done) return true;
    cancel();
    io_.restart();
    io_.run();
    return false;
  }

  Status fail(const std::string& what) const { return Status(Code::io_error, "the mail relay " + name_ + " " + what); }

  std::string seconds() const {
    return std::to_string(relay_.step_timeout.count() / 1000) + "." +
           std::to_string(relay_.step_timeout.count() % 1000 / 100) + "s";
  }

  static std::string printable(const std::string& text) {
    std::string out;
    for (char ch : text.substr(0, 200)) out += (static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f) ? ch : '?';
    return out;
  }

  const SmtpRelay& relay_;
  std::string name_;
  asio::io_context io_;
  tcp::socket socket_{io_};
  asio::streambuf buffer_{64 * 1024};
};

// True if `text` could end a command or header early or open another.
bool smtp_unsafe(const std::string& text) {
  return text.find_first_of("\r\n<>") != std::string::npos;
}

}  // namespace

std::string smtp_data(const SmtpMessage& m) {
  std::string text = "From: " + m.from + "\r\nTo: " + m.to + "\r\nSubject: " + m.subject + "\r\nDate: " + m.date +
                     "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n\r\n";
  std::size_t start = 0;
  while (start < m.body.size()) {
    std::size_t end = m.body.find('\n', start);
    std::string line = m.body.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // A line of a lone '.' would end the message: RFC 5321 4.5.2.
    if (!line.empty() && line[0] == '.') line.insert(line.begin(), '.');
    text += line + "\r\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return text + ".\r\n";
}

Status send_smtp(const SmtpRelay& relay, const SmtpMessage& m) {
  if (smtp_unsafe(m.from) || smtp_unsafe(m.to) || m.from.empty() || m.to.empty())
    return Status(Code::malformed, "a mail address must be one line without angle brackets");
  if (m.subject.find_first_of("\r\n") != std::string::npos || m.date.find_first_of("\r\n") != std::string::npos)
    return Status(Code::malformed, "a mail header must be one line");
  SmtpSession session(relay);
  if (Status s = session.connect(); !s.ok()) return s;
  auto run = [&]() -> Status {
    if (auto r = session.expect("the greeting", 220, 220); !r.ok()) return r.status();
    auto ehlo = session.command("EHLO " + relay.helo_name, "EHLO", 200, 599);
    if (!ehlo.ok()) return ehlo.status();
    if (ehlo->code != 250) {
      // An old relay that knows only HELO.
      if (auto r = session.command("HELO " + relay.helo_name, "HELO", 250, 250); !r.ok()) return r.status();
    }
    if (auto r = session.command("MAIL FROM:<" + m.from + ">", "MAIL FROM", 250, 250); !r.ok()) return r.status();
    if (auto r = session.command("RCPT TO:<" + m.to + ">", "RCPT TO", 250, 251); !r.ok()) return r.status();
    if (auto r = session.command("DATA", "DATA", 354, 354); !r.ok()) return r.status();
    if (Status s = session.write(smtp_data(m), "the message"); !s.ok()) return s;
    if (auto r = session.expect("the message", 250, 250); !r.ok()) return r.status();
    // The message is accepted; a relay that hangs up without a 221 loses nothing.
    (void)session.command("QUIT", "QUIT", 221, 221);
    return Status();
  };
  Status outcome = run();
  session.close();
  return outcome;
}

}  // namespace cohours::net
