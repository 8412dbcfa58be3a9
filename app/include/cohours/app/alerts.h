// Alerts of new matches (docs/offers.md): a member turns them on or off and
// gives an email address for the digest (kept in the erasable directory,
// never the log); digests are sent through the node's Mailer to the relay
// the co-op configured in DATA/mail.conf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/mailer.h"
#include "cohours/app/node.h"

namespace cohours::app {

// alerts on|off|email: `as` changes their own settings, or a coordinator or
// admin those of `member` (a member without a phone). Unset fields stay as
// they are; an empty `email` given clears it. malformed for an address that
// is not one; not_permitted for another member's settings.
struct SetAlerts {
  std::string as;
  std::string member;  // empty: `as`
  std::optional<bool> on;
  std::optional<std::string> email;
};
struct AlertsView {
  std::string member;
  bool on = false;
  std::string email;
  std::int64_t last_digest_ms = 0;
};
Result<AlertsView> set_alerts(Node& node, const SetAlerts& request);
struct ShowAlerts {
  std::string as;
};
Result<AlertsView> show_alerts(Node& node, const ShowAlerts& request);

// The relay, from DATA/mail.conf; nullopt if the co-op configured none.
// malformed, naming the line, for a file that does not read.
Result<std::optional<MailRelay>> read_mail_relay(Node& node);
// alerts relay: an admin writes DATA/mail.conf. malformed for an empty
// host, port 0, a from address that is not one or an interval under 5
// minutes.
struct SetMailRelay {
  std::string as;
  MailRelay relay;
};
Result<MailRelay> set_mail_relay(Node& node, const SetMailRelay& request);

// alerts send-digest: mails every member who has alerts on and an address
// the notices (offers.h my_matches) that came since their last digest; a
// member with nothing new gets no mail. `as` is a coordinator or admin;
// empty `as` is the daemon's timer, which sends only to members whose last
// digest is at least the relay's interval old. not_found if no relay is
// configured; not_permitted if this process has no mailer (the daemon
// sends; the CLI asks it). A relay that fails for one member is reported
// and that member is tried again next time.
struct SendDigests {
  std::string as;
};
struct DigestsSent {
  std::uint32_t sent = 0;
  std::uint32_t nothing_new = 0;
  std::vector<std::string> failures;  // "alice: the relay refused ..."
};
Result<DigestsSent> send_digests(Node& node, const SendDigests& request);

// The text of one member's digest, as send_digests mails it (for tests and
// docs): a count and one line per notice, with no free text and no names
// of other members: the phone shows those to a signed-in member.
MailMessage digest_message(Node& node, const MailRelay& relay, const std::string& to, std::size_t count,
                           const std::vector<std::string>& lines);

}  // namespace cohours::app
