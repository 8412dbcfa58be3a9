#include "digests.h"

#include "cohours/app/alerts.h"
#include "cohours/dates.h"
#include "cohours/net/logger.h"
#include "cohours/net/smtp_client.h"

namespace cohours::daemon {

Status SmtpMailer::send(const app::MailRelay& relay, const app::MailMessage& message) {
  net::SmtpRelay smtp;
  smtp.host = relay.host;
  smtp.port = relay.port;
  smtp.helo_name = helo_name_;
  net::SmtpMessage mail;
  mail.from = message.from;
  mail.to = message.to;
  mail.subject = message.subject;
  mail.date = format_http_date_ms(message.date_ms);
  mail.body = message.body;
  return net::send_smtp(smtp, mail);
}

DigestTimer::DigestTimer(app::Node& node, std::chrono::seconds period)
    : node_(node), period_(period), thread_([this] { run(); }) {}

DigestTimer::~DigestTimer() {
  stop();
}

void DigestTimer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DigestTimer::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    auto sent = app::send_digests(node_, {});
    if (!sent.ok()) {
      // No relay configured is the usual case for a co-op without email.
      if (sent.code() != Code::not_found) net::log_warn("alerts", sent.status().message());
    } else {
      if (sent->sent > 0) net::log_info("alerts", "sent " + std::to_string(sent->sent) + " digests");
      // Each failure names the member and may quote the relay (an email
      // address): the log says only how many; the command says which.
      if (!sent->failures.empty())
        net::log_warn("alerts", std::to_string(sent->failures.size()) +
                                    " digests not sent; `cohours alerts send-digest --as ADMIN` says to whom and why");
    }
    lock.lock();
  }
}

}  // namespace cohours::daemon
