// Offers and requests (`offers ...`) and alerts of new matches
// (`alerts ...`): docs/offers.md.
#include "client.h"
#include "cohours/app/alerts.h"
#include "cohours/app/offers.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

nlohmann::json offers_listing_json(const app::ListingView& l) {
  return {{"id", l.id},
          {"owner", l.owner},
          {"kind", listing_kind_name(l.kind)},
          {"category", l.category},
          {"text", l.text},
          {"days", l.date_days ? nlohmann::json(nullptr) : nlohmann::json(l.days)},
          {"date", l.date_days ? nlohmann::json(format_date(*l.date_days)) : nlohmann::json(nullptr)},
          {"district", l.district},
          {"status", listing_status_name(l.status)},
          {"created", format_time_ms(l.created_ms)},
          {"matched_with", l.matched_with}};
}

nlohmann::json offers_respite_fit_json(const app::RespiteFit& r) {
  return {{"id", r.id}, {"carer", r.carer}, {"minutes", r.minutes}, {"date", format_date(r.date_days)}};
}

std::string offers_listing_when(const app::ListingView& l) {
  return l.date_days ? format_date(*l.date_days) : l.days;
}

std::string offers_listing_where(const app::ListingView& l) {
  return l.district.empty() ? "anywhere" : l.district;
}

struct OffersPostArgs {
  std::string category, text, as, days, date, district;
};

void offers_run_post(const GlobalOptions& options, const OffersPostArgs& args, const char* kind) {
  app::PostListing request;
  request.as = args.as;
  request.kind = kind;
  request.category = args.category;
  request.text = args.text;
  request.days = args.days;
  if (!args.date.empty()) request.date_days = parse_date_arg(args.date, "--date");
  request.district = args.district;
  Client client(options);
  app::ListingView l = client.call(request);
  if (options.json) return print_json(offers_listing_json(l));
  out() << (l.kind == ListingKind::offer ? "Offered: " : "Requested: ") << l.category << ", "
        << offers_listing_when(l) << ", " << offers_listing_where(l) << " (" << l.owner << ").\n"
        << l.id << "\n";
}

struct OffersListArgs {
  std::string as;
  bool offers = false, requests = false, mine = false;
};

void offers_run_list(const GlobalOptions& options, const OffersListArgs& args) {
  app::ListListings request;
  request.as = args.as;
  request.mine = args.mine;
  if (args.offers != args.requests) request.kind = args.offers ? "offer" : "request";
  Client client(options);
  app::ListingList list = client.call(request);
  nlohmann::json rows = nlohmann::json::array();
  Table table({"ID", "KIND", "WHO", "CATEGORY", "WHEN", "WHERE", "STATUS", "TEXT"});
  for (const auto& l : list.listings) {
    rows.push_back(offers_listing_json(l));
    std::string status = listing_status_name(l.status);
    if (!l.matched_with.empty()) status += " (" + l.matched_with + ")";
    table.add({l.id, listing_kind_name(l.kind), l.owner, l.category, offers_listing_when(l), offers_listing_where(l), status,
               l.text});
  }
  if (options.json) return print_json({{"listings", rows}});
  if (list.listings.empty()) {
    out() << (args.mine ? "You have no offers or requests.\n" : "No open offers or requests.\n");
    return;
  }
  out() << table.render();
}

void offers_run_withdraw(const GlobalOptions& options, const app::WithdrawListing& request) {
  Client client(options);
  app::ListingView l = client.call(request);
  if (options.json) return print_json(offers_listing_json(l));
  out() << "Withdrawn: " << l.owner << "'s " << listing_kind_name(l.kind) << " of " << l.category << ".\n";
}

struct OffersMatchesArgs {
  std::string id, as, volunteer;
};

void offers_run_request_matches(const GlobalOptions& options, const OffersMatchesArgs& args) {
  Client client(options);
  app::RequestMatches m = client.call(app::MatchesForRequest{args.as, args.id});
  if (options.json) {
    nlohmann::json volunteers = nlohmann::json::array(), unvetted = nlohmann::json::array();
    for (const auto& c : m.volunteers) volunteers.push_back({{"volunteer", c.volunteer}, {"offer", offers_listing_json(c.offer)}});
    for (const auto& u : m.unvetted)
      unvetted.push_back({{"volunteer", u.volunteer}, {"offer", offers_listing_json(u.offer)}, {"why", u.why}});
    return print_json({{"request", offers_listing_json(m.request)}, {"volunteers", volunteers}, {"unvetted", unvetted}});
  }
  out() << m.request.owner << " needs " << m.request.category << ", " << offers_listing_when(m.request) << ", "
        << offers_listing_where(m.request) << " (" << listing_status_name(m.request.status) << ").\n";
  if (m.volunteers.empty()) {
    out() << "No volunteer's offer fits yet.\n";
  } else {
    Table table({"VOLUNTEER", "OFFER", "WHEN", "WHERE", "TEXT"});
    for (const auto& c : m.volunteers)
      table.add({c.volunteer, c.offer.id, offers_listing_when(c.offer), offers_listing_where(c.offer), c.offer.text});
    out() << table.render();
    out() << "Put one with it: cohours offers match " << m.request.id << " --volunteer NAME --as COORDINATOR\n";
  }
  for (const auto& u : m.unvetted) out() << "Not " << u.volunteer << ": " << u.why << ".\n";
}

void offers_run_volunteer_matches(const GlobalOptions& options, const OffersMatchesArgs& args) {
  Client client(options);
  app::VolunteerMatches m = client.call(app::MatchesForVolunteer{args.as, args.volunteer});
  if (options.json) {
    nlohmann::json requests = nlohmann::json::array(), respite = nlohmann::json::array();
    for (const auto& l : m.requests) requests.push_back(offers_listing_json(l));
    for (const auto& r : m.respite) respite.push_back(offers_respite_fit_json(r));
    return print_json({{"volunteer", m.volunteer}, {"requests", requests}, {"respite", respite}});
  }
  if (m.requests.empty() && m.respite.empty()) {
    out() << "Nothing open fits " << m.volunteer << "'s offers.\n";
    return;
  }
  Table table({"ID", "WHAT", "WHO", "WHEN", "WHERE", "TEXT"});
  for (const auto& l : m.requests)
    table.add({l.id, l.category, l.owner, offers_listing_when(l), offers_listing_where(l), l.text});
  for (const auto& r : m.respite)
    table.add({r.id.substr(0, 12), "respite " + format_minutes(r.minutes), r.carer, format_date(r.date_days), "", ""});
  out() << "Open requests that fit " << m.volunteer << "'s offers:\n" << table.render();
}

std::string offers_notice_text(const app::MatchNotice& n) {
  std::string what;
  if (n.listing) what = n.listing->category + ", " + offers_listing_when(*n.listing) + ", " + offers_listing_where(*n.listing);
  if (n.respite) what = "respite " + format_minutes(n.respite->minutes) + " on " + format_date(n.respite->date_days);
  if (n.what == "request_fits") return "a request fits your offer: " + what + " (" + n.listing->owner + ")";
  if (n.what == "respite_fits") return "a respite request fits your offer: " + what + " (" + n.respite->carer + ")";
  if (n.what == "volunteers_fit") {
    std::string names;
    for (const auto& v : n.volunteers) names += (names.empty() ? "" : ", ") + v;
    return "volunteers fit your request (" + what + "): " + names;
  }
  if (n.what == "matched" || n.what == "respite_matched") return "matched with " + n.other + ": " + what;
  return n.what + ": " + what;
}

void offers_run_my_matches(const GlobalOptions& options, const OffersMatchesArgs& args) {
  Client client(options);
  app::MyMatches m = client.call(app::ShowMyMatches{args.as});
  if (options.json) {
    nlohmann::json notices = nlohmann::json::array();
    for (const auto& n : m.notices) {
      nlohmann::json row = {{"what", n.what}, {"since", format_time_ms(n.since_ms)}, {"other", n.other},
                            {"volunteers", n.volunteers}};
      row["listing"] = n.listing ? offers_listing_json(*n.listing) : nlohmann::json(nullptr);
      row["respite"] = n.respite ? offers_respite_fit_json(*n.respite) : nlohmann::json(nullptr);
      notices.push_back(row);
    }
    return print_json({{"member", m.member}, {"matches", notices}});
  }
  if (m.notices.empty()) {
    out() << "No matches for " << m.member << " yet.\n";
    return;
  }
  for (const auto& n : m.notices) out() << format_time_ms(n.since_ms).substr(0, 10) << "  " << offers_notice_text(n) << "\n";
}

void offers_run_matches(const GlobalOptions& options, const OffersMatchesArgs& args) {
  if (!args.id.empty() && !args.volunteer.empty())
    fail(Code::malformed, "give a request's id or --volunteer, not both");
  if (!args.id.empty()) return offers_run_request_matches(options, args);
  if (!args.volunteer.empty()) return offers_run_volunteer_matches(options, args);
  offers_run_my_matches(options, args);
}

void offers_run_match(const GlobalOptions& options, const app::MatchVolunteer& request) {
  Client client(options);
  app::MatchMade m = client.call(request);
  nlohmann::json offer = nullptr;
  if (m.offer) offer = {{"id", to_hex(m.offer->id)}, {"seq", m.offer->seq}};
  if (options.json)
    return print_json({{"volunteer", m.volunteer},
                       {"requester", m.requester},
                       {"listing", m.listing ? offers_listing_json(*m.listing) : nlohmann::json(nullptr)},
                       {"respite", m.respite ? offers_respite_fit_json(*m.respite) : nlohmann::json(nullptr)},
                       {"offer", offer},
                       {"volunteer_asked", m.volunteer_asked}});
  if (m.listing) {
    out() << "Matched: " << m.volunteer << " with " << m.requester << "'s request for " << m.listing->category
          << ", " << offers_listing_when(*m.listing) << ". Both see it in their matches and their next digest.\n";
    return;
  }
  out() << "Matched: " << m.volunteer << " with " << m.requester << "'s respite request of "
        << format_date(m.respite->date_days) << ".\n";
  if (m.offer)
    out() << "Signed " << m.volunteer << "'s respite offer; " << m.requester
          << " (or a coordinator) confirms it after the visit.\n"
          << to_hex(m.offer->id) << "\n";
  else
    out() << m.volunteer << "'s key is on their phone: they are asked to offer from there (respite board).\n";
}

std::string offers_alerts_state(const app::AlertsView& a) {
  return std::string(a.on ? "on" : "off") + ", " + (a.email.empty() ? "no email address" : "email " + a.email);
}

nlohmann::json offers_alerts_json(const app::AlertsView& a) {
  return {{"member", a.member},
          {"on", a.on},
          {"email", a.email},
          {"last_digest", a.last_digest_ms ? nlohmann::json(format_time_ms(a.last_digest_ms)) : nlohmann::json(nullptr)}};
}

struct OffersAlertsArgs {
  std::string as, member, email;
  bool clear = false;
};

void offers_run_set_alerts(const GlobalOptions& options, const OffersAlertsArgs& args, std::optional<bool> on, bool email) {
  app::SetAlerts request;
  request.as = args.as;
  request.member = args.member;
  request.on = on;
  if (email) {
    if (args.clear == !args.email.empty()) fail(Code::malformed, "give an email address, or --clear");
    request.email = args.email;
  }
  Client client(options);
  app::AlertsView a = client.call(request);
  if (options.json) return print_json(offers_alerts_json(a));
  out() << "Alerts for " << a.member << ": " << offers_alerts_state(a) << ".\n";
  if (a.on && a.email.empty())
    out() << "The phone shows new matches; give an address for an email digest: cohours alerts email ADDRESS\n";
}

void offers_run_show_alerts(const GlobalOptions& options, const OffersAlertsArgs& args) {
  Client client(options);
  app::AlertsView a = client.call(app::ShowAlerts{args.as});
  if (options.json) return print_json(offers_alerts_json(a));
  out() << "Alerts for " << a.member << ": " << offers_alerts_state(a) << "; last digest "
        << (a.last_digest_ms ? format_time_ms(a.last_digest_ms) : std::string("never")) << ".\n";
}

struct OffersRelayArgs {
  std::string as, host, from, every = "24h";
  int port = 25;
};

// "24h", "90m", "1h30" as durations are written elsewhere, in minutes.
void offers_run_relay(const GlobalOptions& options, const OffersRelayArgs& args) {
  app::SetMailRelay request;
  request.as = args.as;
  request.relay.host = args.host;
  if (args.port < 1 || args.port > 65535) fail(Code::malformed, "--port is 1-65535");
  request.relay.port = static_cast<std::uint16_t>(args.port);
  request.relay.from = args.from;
  request.relay.every_minutes = parse_minutes_arg(args.every, "--every");
  Client client(options);
  app::MailRelay relay = client.call(request);
  if (options.json)
    return print_json(
        {{"host", relay.host}, {"port", relay.port}, {"from", relay.from}, {"every_minutes", relay.every_minutes}});
  out() << "Mail relay: " << relay.host << ":" << relay.port << ", from " << relay.from << ", digests every "
        << format_minutes(relay.every_minutes) << ". The daemon reads it at its next digest run.\n";
}

void offers_run_send_digest(const GlobalOptions& options, const app::SendDigests& request) {
  Client client(options);
  app::DigestsSent sent = client.call(request);
  if (options.json)
    return print_json({{"sent", sent.sent}, {"nothing_new", sent.nothing_new}, {"failures", sent.failures}});
  out() << "Sent " << sent.sent << (sent.sent == 1 ? " digest" : " digests") << "; " << sent.nothing_new
        << " with alerts on had nothing new.\n";
  for (const auto& failure : sent.failures) err() << "not sent: " << failure << "\n";
  if (!sent.failures.empty()) fail(Code::io_error, std::to_string(sent.failures.size()) + " digests were not sent; they are tried again next time");
}

}  // namespace

void add_offers_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* offers = add_command(app, "offers", "Offers of help and requests for it, and matching them");
  offers->require_subcommand(1);

  auto add_post = [&](const char* name, const char* kind, const char* description) {
    auto args = std::make_shared<OffersPostArgs>();
    CLI::App* cmd = add_command(*offers, name, description);
    cmd->add_option("category", args->category, "One of the co-op's categories (policy show)")->required();
    cmd->add_option("text", args->text, "A line saying what, kept off the signed log (erasable)")->required();
    cmd->add_option("--as", args->as, "The member")->required();
    cmd->add_option("--days", args->days, "Days of the week: tue,fri, weekdays, weekends, any (default any)");
    cmd->add_option("--date", args->date, "One date instead, YYYY-MM-DD or today");
    cmd->add_option("--district", args->district, "Roughly where: a postcode district such as LS6 (not a full "
                                                  "postcode); default anywhere");
    cmd->callback([&options, args, kind] { offers_run_post(options, *args, kind); });
  };
  add_post("add", "offer", "Offer help: what you can do, when and roughly where");
  add_post("need", "request", "Ask for help: what is needed, when and roughly where");

  auto list = std::make_shared<OffersListArgs>();
  CLI::App* list_cmd = add_command(*offers, "list", "The co-op's open offers and requests");
  list_cmd->add_option("--as", list->as, "The member asking (members only)")->required();
  list_cmd->add_flag("--offers", list->offers, "Only offers");
  list_cmd->add_flag("--requests", list->requests, "Only requests");
  list_cmd->add_flag("--mine", list->mine, "Only your own, matched and withdrawn ones too");
  list_cmd->callback([&options, list] { offers_run_list(options, *list); });

  auto withdraw = std::make_shared<app::WithdrawListing>();
  CLI::App* withdraw_cmd = add_command(*offers, "withdraw", "Withdraw an offer or request");
  withdraw_cmd->add_option("id", withdraw->id, "Its id (or its first 6+ digits), from `offers list`")->required();
  withdraw_cmd->add_option("--as", withdraw->as, "Its owner, a coordinator or an admin")->required();
  withdraw_cmd->callback([&options, withdraw] { offers_run_withdraw(options, *withdraw); });

  auto matches = std::make_shared<OffersMatchesArgs>();
  CLI::App* matches_cmd =
      add_command(*offers, "matches", "Who fits a request, what fits a volunteer, or your own matches");
  matches_cmd->add_option("request", matches->id, "A request's id: the volunteers whose offers and checks fit");
  matches_cmd->add_option("--volunteer", matches->volunteer, "The requests and respite requests that fit this "
                                                             "volunteer's offers");
  matches_cmd->add_option("--as", matches->as, "The member asking")->required();
  matches_cmd->callback([&options, matches] { offers_run_matches(options, *matches); });

  auto match = std::make_shared<app::MatchVolunteer>();
  CLI::App* match_cmd = add_command(*offers, "match", "Put a volunteer with a request or a respite request");
  match_cmd->add_option("id", match->id, "A request's id, or a respite request's entry id")->required();
  match_cmd->add_option("--volunteer", match->volunteer, "The volunteer")->required();
  match_cmd->add_option("--as", match->as, "The coordinator or admin")->required();
  match_cmd->callback([&options, match] { offers_run_match(options, *match); });

  CLI::App* alerts = add_command(app, "alerts", "Alerts of new matches: on the phone and by email digest");
  alerts->require_subcommand(1);
  auto add_set = [&](const char* name, const char* description, std::optional<bool> on, bool email) {
    auto args = std::make_shared<OffersAlertsArgs>();
    CLI::App* cmd = add_command(*alerts, name, description);
    if (email) {
      cmd->add_option("address", args->email, "Where the digest goes, kept off the signed log (erasable)");
      cmd->add_flag("--clear", args->clear, "Forget the address instead");
    }
    cmd->add_option("--as", args->as, "The member (or a coordinator, with --member)")->required();
    cmd->add_option("--member", args->member, "A member without a phone, for a coordinator");
    cmd->callback([&options, args, on, email] { offers_run_set_alerts(options, *args, on, email); });
  };
  add_set("on", "Turn alerts on", true, false);
  add_set("off", "Turn alerts off: no digest is sent", false, false);
  add_set("email", "Set the address the digest goes to", std::nullopt, true);

  auto show = std::make_shared<OffersAlertsArgs>();
  CLI::App* show_cmd = add_command(*alerts, "show", "Your alert settings");
  show_cmd->add_option("--as", show->as, "The member")->required();
  show_cmd->callback([&options, show] { offers_run_show_alerts(options, *show); });

  auto relay = std::make_shared<OffersRelayArgs>();
  CLI::App* relay_cmd = add_command(*alerts, "relay", "Set the co-op's SMTP relay for digests (admin)");
  relay_cmd->add_option("--host", relay->host, "The relay's host name or address")->required();
  relay_cmd->add_option("--port", relay->port, "Its port")->capture_default_str();
  relay_cmd->add_option("--from", relay->from, "The co-op's address digests come from")->required();
  relay_cmd->add_option("--every", relay->every, "How often the daemon sends digests (24h, 12h, 90m)")
      ->capture_default_str();
  relay_cmd->add_option("--as", relay->as, "The admin")->required();
  relay_cmd->callback([&options, relay] { offers_run_relay(options, *relay); });

  auto send = std::make_shared<app::SendDigests>();
  CLI::App* send_cmd = add_command(*alerts, "send-digest", "Send the digests now (through the daemon)");
  send_cmd->add_option("--as", send->as, "The coordinator or admin")->required();
  send_cmd->callback([&options, send] { offers_run_send_digest(options, *send); });
}

}  // namespace cohours::cli
