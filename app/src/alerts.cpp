#include "cohours/app/alerts.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cohours/app/names.h"
#include "cohours/app/offers.h"
#include "cohours/dates.h"
#include "cohours/listings.h"
#include "try.h"

namespace cohours::app {

namespace {

constexpr std::uint32_t kAlertsStaff = role_coordinator | role_admin;
constexpr std::int64_t kMinDigestMinutes = 5;

std::filesystem::path mail_conf_path(Node& node) {
  return node.data_dir() / "mail.conf";
}

AlertsView alerts_view(Node& node, const AlertSettings& s) {
  return AlertsView{member_name(node, s.member), s.on, s.email, s.last_digest_ms};
}

Result<MemberInfo> alerts_member(Node& node, const std::string& who) {
  auto member = member_named(node, who);
  if (member.code() == Code::unknown_member)
    return Status(Code::not_permitted, "alerts are for members of this co-op only; '" + who + "' is not one");
  return member;
}

std::string alerts_when(const ListingView& l) {
  if (l.date_days) return "on " + format_date(*l.date_days);
  return l.days == "any day" ? std::string("any day") : "on " + l.days;
}

std::string alerts_where(const ListingView& l) {
  return l.district.empty() ? std::string() : " around " + l.district;
}

// One line per notice: category, day and district only. Names and free
// text stay in the app, where the member is signed in.
std::string alerts_line(const MatchNotice& n, const std::string& me) {
  if (n.what == "request_fits" && n.listing)
    return "A request for " + n.listing->category + " " + alerts_when(*n.listing) + alerts_where(*n.listing) +
           " fits your offer.";
  if (n.what == "respite_fits" && n.respite)
    return "A carer asks for respite on " + format_date(n.respite->date_days) + "; it fits your offer.";
  if (n.what == "volunteers_fit" && n.listing)
    return std::to_string(n.volunteers.size()) + (n.volunteers.size() == 1 ? " volunteer" : " volunteers") +
           " can help with your request for " + n.listing->category + " " + alerts_when(*n.listing) + ".";
  if (n.what == "matched" && n.listing) {
    if (n.listing->owner == me)
      return "A coordinator found a volunteer for your request for " + n.listing->category + " " +
             alerts_when(*n.listing) + ".";
    return "A coordinator put you with a request for " + n.listing->category + " " + alerts_when(*n.listing) +
           alerts_where(*n.listing) + ".";
  }
  if (n.what == "respite_matched" && n.respite) {
    if (n.respite->carer == me)
      return "A coordinator found a volunteer for your respite on " + format_date(n.respite->date_days) + ".";
    return "A coordinator put you with a carer's respite on " + format_date(n.respite->date_days) + ".";
  }
  return "There is news on your offers and requests.";
}

// Printable ASCII only: a header line must not carry a line break.
std::string alerts_ascii(const std::string& text) {
  std::string out;
  for (char ch : text) {
    auto u = static_cast<unsigned char>(ch);
    out += (u >= 0x20 && u < 0x7f) ? ch : '?';
  }
  return out;
}

std::string alerts_trim(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.pop_back();
  std::size_t start = text.find_first_not_of(" \t");
  return start == std::string::npos ? std::string() : text.substr(start);
}

Status check_relay(const MailRelay& relay) {
  if (relay.host.empty() || relay.host.find_first_of(" \t\r\n") != std::string::npos)
    return Status(Code::malformed, "give the relay's host name or address (--host)");
  if (relay.port == 0) return Status(Code::malformed, "give the relay's port, 1-65535 (--port; 25 usually)");
  if (!valid_email(relay.from))
    return Status(Code::malformed, "'" + relay.from + "' is not an address to send from (--from name@example.org)");
  if (relay.every_minutes < kMinDigestMinutes)
    return Status(Code::malformed, "digests go out at most every " + std::to_string(kMinDigestMinutes) +
                                       " minutes (--every)");
  return Status();
}

// One digest run at a time in a process: the timer and `send-digest`
// must not both mail the same news.
std::mutex& digest_mutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

Result<AlertsView> set_alerts(Node& node, const SetAlerts& r) {
  TRY_ASSIGN(MemberInfo as, alerts_member(node, r.as));
  TRY_ASSIGN(MemberInfo member, alerts_member(node, r.member.empty() ? r.as : r.member));
  if (member.key != as.key && !(as.roles & kAlertsStaff))
    return Status(Code::not_permitted, "a coordinator or an admin changes another member's alerts");
  if (!r.on && !r.email) return Status(Code::malformed, "nothing to change: turn alerts on or off, or give an email");
  Listings listings(node.store());
  TRY_ASSIGN(AlertSettings settings, listings.alerts(member.key));
  if (r.email) {
    std::string email = alerts_trim(*r.email);
    if (!email.empty() && !valid_email(email))
      return Status(Code::malformed, "'" + email + "' is not an email address such as name@example.org");
    settings.email = email;
  }
  if (r.on) settings.on = *r.on;
  TRY_STATUS(listings.put_alerts(settings));
  // An old address must not linger on disk.
  if (r.email) TRY_STATUS(node.store().compact(Column::directory));
  return alerts_view(node, settings);
}

Result<AlertsView> show_alerts(Node& node, const ShowAlerts& r) {
  TRY_ASSIGN(MemberInfo member, alerts_member(node, r.as));
  TRY_ASSIGN(AlertSettings settings, Listings(node.store()).alerts(member.key));
  return alerts_view(node, settings);
}

Result<std::optional<MailRelay>> read_mail_relay(Node& node) {
  const auto path = mail_conf_path(node);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<MailRelay>();
  std::ifstream in(path);
  if (!in) return Status(Code::io_error, "cannot read " + path.string());
  MailRelay relay;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = alerts_trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    const std::string where = path.string() + " line " + std::to_string(number);
    if (eq == std::string::npos) return Status(Code::malformed, where + ": expected NAME = VALUE");
    std::string name = alerts_trim(line.substr(0, eq)), value = alerts_trim(line.substr(eq + 1));
    try {
      if (name == "host")
        relay.host = value;
      else if (name == "port") {
        int port = std::stoi(value);
        if (port < 1 || port > 65535) throw std::out_of_range("port");
        relay.port = static_cast<std::uint16_t>(port);
      } else if (name == "from")
        relay.from = value;
      else if (name == "every_minutes")
        relay.every_minutes = std::stoll(value);
      else
        return Status(Code::malformed, where + ": unknown setting '" + name + "' (host, port, from, every_minutes)");
    } catch (const std::exception&) {
      return Status(Code::malformed, where + ": '" + value + "' is not a number in range");
    }
  }
  if (Status s = check_relay(relay); !s.ok()) return Status(Code::malformed, path.string() + ": " + s.message());
  return std::optional<MailRelay>(relay);
}

Result<MailRelay> set_mail_relay(Node& node, const SetMailRelay& r) {
  TRY_ASSIGN(MemberInfo as, alerts_member(node, r.as));
  if (!(as.roles & role_admin)) return Status(Code::not_permitted, "only an admin sets the co-op's mail relay");
  TRY_STATUS(check_relay(r.relay));
  const auto path = mail_conf_path(node);
  const auto temp = path.string() + ".new";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "# The co-op's mail relay for alert digests (docs/operations.md).\n"
        << "host = " << r.relay.host << "\n"
        << "port = " << r.relay.port << "\n"
        << "from = " << r.relay.from << "\n"
        << "every_minutes = " << r.relay.every_minutes << "\n";
    out.flush();
    if (!out) return Status(Code::io_error, "cannot write " + temp);
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Status(Code::io_error, "cannot replace " + path.string() + ": " + ec.message());
  return r.relay;
}

MailMessage digest_message(Node& node, const MailRelay& relay, const std::string& to, std::size_t count,
                           const std::vector<std::string>& lines) {
  MailMessage m;
  m.from = relay.from;
  m.to = to;
  m.date_ms = node.clock().now_ms();
  m.subject = alerts_ascii(node.ledger().node_name()) + ": " + std::to_string(count) +
              (count == 1 ? " new match" : " new matches") + " for you";
  std::ostringstream body;
  body << "Hello,\n\nNews on your co-op's offers and requests since your last digest:\n\n";
  for (const auto& line : lines) body << "- " << line << "\n";
  body << "\nSee who and the details in the cohours app, or ask your coordinator.\n"
       << "To stop these emails, turn alerts off in the app or ask your coordinator.\n";
  m.body = body.str();
  return m;
}

Result<DigestsSent> send_digests(Node& node, const SendDigests& r) {
  if (!r.as.empty()) {
    TRY_ASSIGN(MemberInfo as, alerts_member(node, r.as));
    if (!(as.roles & kAlertsStaff))
      return Status(Code::not_permitted, "a coordinator or an admin sends the alert digests");
  }
  TRY_ASSIGN(auto relay, read_mail_relay(node));
  if (!relay)
    return Status(Code::not_found, "no mail relay is set; an admin sets one with `cohours alerts relay --host HOST "
                                   "--port PORT --from ADDRESS --as ADMIN`");
  Mailer* mailer = node.mailer();
  if (mailer == nullptr)
    return Status(Code::not_permitted, "digests are sent by the daemon: start cohoursd for this data directory "
                                       "and run this again (it asks the daemon)");
  std::lock_guard lock(digest_mutex());
  Listings listings(node.store());
  TRY_ASSIGN(auto everyone, listings.all_alerts());
  DigestsSent out;
  const std::int64_t now = node.clock().now_ms();
  for (auto settings : everyone) {
    if (!settings.on || settings.email.empty() || !node.ledger().member(settings.member).ok()) continue;
    if (r.as.empty() && now - settings.last_digest_ms < relay->every_minutes * 60'000) continue;
    const std::string name = member_name(node, settings.member);
    auto matches = my_matches(node, {to_hex(settings.member)});
    if (!matches.ok()) {
      out.failures.push_back(name + ": " + matches.status().message());
      continue;
    }
    std::vector<std::string> lines;
    for (const auto& notice : matches->notices)
      if (notice.since_ms > settings.last_digest_ms) lines.push_back(alerts_line(notice, name));
    if (lines.empty()) {
      ++out.nothing_new;
      continue;
    }
    Status sent = mailer->send(*relay, digest_message(node, *relay, settings.email, lines.size(), lines));
    if (!sent.ok()) {
      out.failures.push_back(name + ": " + sent.message());
      continue;
    }
    settings.last_digest_ms = now;
    TRY_STATUS(listings.put_alerts(settings));
    ++out.sent;
  }
  return out;
}

}  // namespace cohours::app
