// Where alert digests go: an interface the daemon implements with its SMTP
// client (net/smtp_client.h) and tests implement by keeping the messages.
#pragma once

#include <cstdint>
#include <string>

#include "cohours/result.h"

namespace cohours::app {

// The co-op's mail relay (DATA/mail.conf, docs/operations.md).
struct MailRelay {
  std::string host;
  std::uint16_t port = 25;
  std::string from;  // the co-op's sending address
  std::int64_t every_minutes = 24 * 60;  // how often the daemon sends digests
};

// One plain-text message to one address.
struct MailMessage {
  std::string from;
  std::string to;
  std::string subject;  // one line of ASCII
  std::int64_t date_ms = 0;
  std::string body;  // lines separated by '\n'
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // Delivers `message` to the relay, or says why not (io_error).
  virtual Status send(const MailRelay& relay, const MailMessage& message) = 0;
};

}  // namespace cohours::app
