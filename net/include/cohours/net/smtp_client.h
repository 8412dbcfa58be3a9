// A small SMTP client (RFC 5321) for the alert digests: one plain-text
// message to a relay the co-op runs or trusts, without authentication or
// TLS (a local relay: docs/operations.md "Email alerts"). The dialogue:
// greeting, EHLO (HELO if EHLO is refused), MAIL FROM, RCPT TO, DATA with
// dot-stuffing, QUIT. Every step has a deadline; a failure says which step
// and what the relay answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "cohours/result.h"

namespace cohours::net {

struct SmtpRelay {
  std::string host;
  std::uint16_t port = 25;
  std::string helo_name = "cohours.invalid";  // the name we give in EHLO/HELO
  std::chrono::milliseconds step_timeout{10'000};  // per connect, reply or write
};

struct SmtpMessage {
  std::string from;     // envelope and From: header; an address, no brackets
  std::string to;       // one recipient
  std::string subject;  // one line
  std::string date;     // an RFC 5322 date, e.g. format_http_date_ms (GMT)
  std::string body;     // text; '\n' or "\r\n" line ends
};

// Sends `message` through `relay`. io_error naming the step and the relay's
// reply ("the mail relay 127.0.0.1:2525 refused RCPT TO: 550 no such user")
// or the timeout; malformed for an address or header with a line break or
// angle bracket (it would forge a command or a header).
Status send_smtp(const SmtpRelay& relay, const SmtpMessage& message);

// The DATA payload as sent: headers, a blank line and the body with CRLF
// line ends, every line that starts with '.' doubled, ending "\r\n.\r\n".
std::string smtp_data(const SmtpMessage& message);

}  // namespace cohours::net
