// Email alert digests from the daemon (docs/offers.md): the SMTP mailer the
// app's digest use case sends through, and the timer that runs it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "cohours/app/mailer.h"
#include "cohours/app/node.h"

namespace cohours::daemon {

// app::Mailer over net/smtp_client.h, naming this node in EHLO.
class SmtpMailer final : public app::Mailer {
 public:
  explicit SmtpMailer(std::string helo_name) : helo_name_(std::move(helo_name)) {}
  Status send(const app::MailRelay& relay, const app::MailMessage& message) override;

 private:
  std::string helo_name_;
};

// Every `period`, sends the digests that are due (app::send_digests with no
// `as`: each member's at most once per the relay's interval) on a thread of
// its own, so a slow relay holds up no request. stop() (or the destructor)
// wakes it and waits for a run in progress.
class DigestTimer {
 public:
  DigestTimer(app::Node& node, std::chrono::seconds period);
  ~DigestTimer();
  void stop();

 private:
  void run();

  app::Node& node_;
  std::chrono::seconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cohours::daemon
