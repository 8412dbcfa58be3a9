#include "cohours/app/offers.h"

#include "cohours/app/alerts.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/members.h"
#include "cohours/app/policy.h"
#include "cohours/app/vetting.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

std::int32_t offers_day(const char* text) {
  return *parse_date(text);
}

app::PostListing offer_of(const std::string& as, const std::string& category, const std::string& days,
                          const std::string& district = "") {
  app::PostListing p;
  p.as = as;
  p.kind = "offer";
  p.category = category;
  p.text = "happy to help, I have a car";
  p.days = days;
  p.district = district;
  return p;
}

app::PostListing request_of(const std::string& as, const std::string& category, const char* date,
                            const std::string& district = "") {
  app::PostListing p;
  p.as = as;
  p.kind = "request";
  p.category = category;
  p.text = "a lift to the surgery";
  p.date_days = offers_day(date);
  p.district = district;
  return p;
}

std::string posted(TestNode& t, const app::PostListing& p) {
  auto listing = app::post_listing(*t, p);
  REQUIRE_MESSAGE(listing.ok(), listing.status().message());
  return listing->id;
}

// Marks `category` vetted in the policy, besides respite.
void vet_category(TestNode& t, const std::string& category) {
  app::SetPolicy set;
  set.as = "dave";
  set.vetted_categories = std::vector<std::string>{"respite", category};
  auto done = app::set_policy(*t, set);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
}

void vet(TestNode& t, const std::string& volunteer, const char* issued, const char* expires) {
  auto recorded = app::record_vetting(*t, {"dave", volunteer, "dbs-enhanced-barred", offers_day(issued),
                                          offers_day(expires), ""});
  REQUIRE_MESSAGE(recorded.ok(), recorded.status().message());
}

// Keeps the digests instead of sending them.
struct CapturingMailer : app::Mailer {
  std::vector<app::MailMessage> sent;
  Status send(const app::MailRelay&, const app::MailMessage& message) override {
    sent.push_back(message);
    return Status();
  }
};

}  // namespace

TEST_CASE("a listing keeps its fields; bad fields are refused with what to give instead") {
  TestNode t;  // 2026-11-18, a Wednesday
  auto offer = app::post_listing(*t, offer_of("alice", "shopping", "Tuesdays, fri", "ls6"));
  REQUIRE_MESSAGE(offer.ok(), offer.status().message());
  CHECK(offer->id.size() == 16);
  CHECK(offer->owner == "alice");
  CHECK(offer->kind == ListingKind::offer);
  CHECK(offer->days == "tue,fri");
  CHECK(offer->district == "LS6");
  CHECK(offer->status == ListingStatus::open);
  auto weekdays = app::post_listing(*t, offer_of("alice", "transport", "Mon, tue,wednesday thu fri"));
  REQUIRE(weekdays.ok());
  CHECK(weekdays->days == "weekdays");
  CHECK(weekdays->district.empty());

  auto full = app::post_listing(*t, offer_of("alice", "shopping", "tue", "LS6 1AB"));
  CHECK(full.code() == Code::malformed);
  CHECK(full.status().message().find("full postcode") != std::string::npos);
  CHECK(full.status().message().find("(LS6)") != std::string::npos);
  CHECK(app::post_listing(*t, offer_of("alice", "shopping", "tue", "Leeds")).code() == Code::malformed);
  CHECK(app::post_listing(*t, offer_of("alice", "shopping", "someday")).code() == Code::malformed);
  CHECK(app::post_listing(*t, offer_of("alice", "knitting", "tue")).code() == Code::unknown_category);
  auto long_text = offer_of("alice", "shopping", "tue");
  long_text.text = std::string(kMaxListingText + 1, 'x');
  CHECK(app::post_listing(*t, long_text).code() == Code::malformed);
  auto empty_text = offer_of("alice", "shopping", "tue");
  empty_text.text = "  ";
  CHECK(app::post_listing(*t, empty_text).code() == Code::malformed);
  CHECK(app::post_listing(*t, request_of("bob", "transport", "2026-11-17")).code() == Code::bad_date);
  auto both = request_of("bob", "transport", "2026-11-20");
  both.days = "fri";
  CHECK(app::post_listing(*t, both).code() == Code::malformed);
  // Only volunteers offer help.
  CHECK(app::post_listing(*t, offer_of("bob", "shopping", "tue")).code() == Code::not_permitted);
  // Nothing refused was stored.
  auto mine = app::list_listings(*t, {"alice", "", true});
  REQUIRE(mine.ok());
  CHECK(mine->listings.size() == 2);
}

TEST_CASE("a member has at most 20 open listings; withdrawing one makes room") {
  TestNode t;
  std::string first;
  for (std::size_t i = 0; i < app::kMaxOpenListings; ++i) {
    std::string id = posted(t, offer_of("alice", "gardening", "sat"));
    if (i == 0) first = id;
  }
  auto over = app::post_listing(*t, offer_of("alice", "gardening", "sun"));
  CHECK(over.code() == Code::limit_reached);
  CHECK(over.status().message().find("withdraw") != std::string::npos);
  // Only the owner or a coordinator withdraws.
  CHECK(app::withdraw_listing(*t, {"bob", first}).code() == Code::not_permitted);
  auto withdrawn = app::withdraw_listing(*t, {"alice", first});
  REQUIRE(withdrawn.ok());
  CHECK(withdrawn->status == ListingStatus::withdrawn);
  CHECK(app::withdraw_listing(*t, {"alice", first}).code() == Code::wrong_state);
  CHECK(app::post_listing(*t, offer_of("alice", "gardening", "sun")).ok());
  CHECK(app::withdraw_listing(*t, {"alice", "0000000000000000"}).code() == Code::unknown_entry);
}

TEST_CASE("listings are seen by the co-op's members only") {
  TestNode t;
  posted(t, offer_of("alice", "shopping", "tue"));
  // A key that is no member here: a member of another co-op, a stranger.
  const std::string stranger = to_hex(generate_keypair().public_key);
  auto listed = app::list_listings(*t, {stranger, "", false});
  CHECK(listed.code() == Code::not_permitted);
  CHECK(listed.status().message().find("members of this co-op only") != std::string::npos);
  CHECK(app::post_listing(*t, offer_of(stranger, "shopping", "tue")).code() == Code::not_permitted);
  CHECK(app::my_matches(*t, {stranger}).code() == Code::not_permitted);
  auto seen = app::list_listings(*t, {"bob", "", false});
  REQUIRE(seen.ok());
  REQUIRE(seen->listings.size() == 1);
  CHECK(seen->listings[0].text == "happy to help, I have a car");
}

TEST_CASE("matching a request: category, day and district fit; withdrawn offers do not") {
  TestNode t;
  t.add("erin", {"volunteer"});
  t.add("fred", {"volunteer"});
  t.add("gina", {"volunteer"});
  posted(t, offer_of("alice", "transport", "fri", "LS6"));
  posted(t, offer_of("erin", "transport", "", ""));           // any day, anywhere
  posted(t, offer_of("fred", "transport", "mon,tue", "LS6"));  // wrong day
  const std::string gina = posted(t, offer_of("gina", "transport", "fri", "LS7"));  // wrong district
  posted(t, offer_of("alice", "shopping", "fri", "LS6"));      // wrong category
  // 2026-11-20 is a Friday.
  const std::string request = posted(t, request_of("bob", "transport", "2026-11-20", "LS6"));
  auto matches = app::matches_for_request(*t, {"dave", request});
  REQUIRE_MESSAGE(matches.ok(), matches.status().message());
  std::vector<std::string> names;
  for (const auto& c : matches->volunteers) names.push_back(c.volunteer);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"alice", "erin"});
  CHECK(matches->unvetted.empty());
  // Another district's offer fits a request that says anywhere; not once withdrawn.
  const std::string anywhere = posted(t, request_of("bob", "transport", "2026-11-27"));
  auto wide = app::matches_for_request(*t, {"bob", anywhere});
  REQUIRE(wide.ok());
  CHECK(wide->volunteers.size() == 3);
  REQUIRE(app::withdraw_listing(*t, {"gina", gina}).ok());
  CHECK(app::matches_for_request(*t, {"bob", anywhere})->volunteers.size() == 2);
  // Someone else's request is the coordinator's or its owner's to match.
  CHECK(app::matches_for_request(*t, {"alice", request}).code() == Code::not_permitted);
}

TEST_CASE("a vetted category: an unvetted volunteer or an expired check is not matched") {
  TestNode t;  // today 2026-11-18
  vet_category(t, "befriending");
  t.add("erin", {"volunteer"});
  t.add("fred", {"volunteer"});
  posted(t, offer_of("alice", "befriending", "any"));
  posted(t, offer_of("erin", "befriending", "any"));
  posted(t, offer_of("fred", "befriending", "any"));
  vet(t, "alice", "2026-01-05", "2029-01-04");
  vet(t, "erin", "2023-01-05", "2026-11-30");  // runs out before the visit
  const std::string request = posted(t, request_of("bob", "befriending", "2026-12-02"));
  auto matches = app::matches_for_request(*t, {"dave", request});
  REQUIRE(matches.ok());
  REQUIRE(matches->volunteers.size() == 1);
  CHECK(matches->volunteers[0].volunteer == "alice");
  REQUIRE(matches->unvetted.size() == 2);
  for (const auto& u : matches->unvetted) {
    if (u.volunteer == "erin") CHECK(u.why.find("expired on 2026-11-30") != std::string::npos);
    if (u.volunteer == "fred") CHECK(u.why.find("no safeguarding check") != std::string::npos);
  }
  // Matching fred anyway is refused, and says what is missing.
  auto refused = app::match_volunteer(*t, {"dave", request, "fred"});
  CHECK(refused.code() == Code::not_vetted);
  CHECK(refused.status().message().find("vetting record") != std::string::npos);
  // The volunteer's view agrees.
  CHECK(app::matches_for_volunteer(*t, {"dave", "erin"})->requests.empty());
  CHECK(app::matches_for_volunteer(*t, {"alice", ""})->requests.size() == 1);
}

TEST_CASE("a volunteer's matches include open respite requests on their days, if vetted") {
  TestNode t;  // respite is vetted in a new co-op
  posted(t, offer_of("alice", "respite", "sat"));
  auto saturday = app::request_respite(*t, {"carol", 180, offers_day("2026-11-21"), ""});
  auto sunday = app::request_respite(*t, {"carol", 120, offers_day("2026-11-22"), ""});
  REQUIRE(saturday.ok());
  REQUIRE(sunday.ok());
  CHECK(app::matches_for_volunteer(*t, {"alice", ""})->respite.empty());  // no check yet
  vet(t, "alice", "2026-01-05", "2029-01-04");
  auto matches = app::matches_for_volunteer(*t, {"alice", ""});
  REQUIRE(matches.ok());
  REQUIRE(matches->respite.size() == 1);
  CHECK(matches->respite[0].id == to_hex(saturday->entry.id));
  CHECK(matches->respite[0].carer == "carol");
}

TEST_CASE("a coordinator matches a request: it is closed and both see it") {
  TestNode t;
  posted(t, offer_of("alice", "transport", "fri"));
  const std::string request = posted(t, request_of("bob", "transport", "2026-11-20"));
  CHECK(app::match_volunteer(*t, {"alice", request, "alice"}).code() == Code::not_permitted);
  CHECK(app::match_volunteer(*t, {"dave", request, "bob"}).code() == Code::not_permitted);  // not a volunteer
  auto made = app::match_volunteer(*t, {"dave", request, "alice"});
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  REQUIRE(made->listing);
  CHECK(made->listing->status == ListingStatus::matched);
  CHECK(made->listing->matched_with == "alice");
  CHECK(made->requester == "bob");
  CHECK(app::match_volunteer(*t, {"dave", request, "alice"}).code() == Code::wrong_state);
  auto alice = app::my_matches(*t, {"alice"});
  REQUIRE(alice.ok());
  REQUIRE(alice->notices.size() == 1);
  CHECK(alice->notices[0].what == "matched");
  CHECK(alice->notices[0].other == "bob");
  auto bob = app::my_matches(*t, {"bob"});
  REQUIRE(bob.ok());
  REQUIRE(bob->notices.size() == 1);
  CHECK(bob->notices[0].other == "alice");
  // A matched request no longer shows in the open list.
  CHECK(app::list_listings(*t, {"bob", "request", false})->listings.empty());
}

TEST_CASE("matching a respite request signs the volunteer's offer; the ledger still decides") {
  TestNode t;
  auto request = app::request_respite(*t, {"carol", 180, offers_day("2026-11-21"), ""});
  REQUIRE(request.ok());
  const std::string id = to_hex(request->entry.id);
  // No check: the ledger refuses the offer, and nothing is recorded.
  auto refused = app::match_volunteer(*t, {"dave", id, "alice"});
  CHECK(refused.code() == Code::not_vetted);
  CHECK(app::list_respite(*t, {})->requests[0].status == RequestStatus::open);
  CHECK(app::my_matches(*t, {"carol"})->notices.empty());
  vet(t, "alice", "2026-01-05", "2029-01-04");
  auto made = app::match_volunteer(*t, {"dave", id, "alice"});
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  REQUIRE(made->offer);
  CHECK_FALSE(made->volunteer_asked);
  auto movement = t.node->ledger().movement(made->offer->id);
  REQUIRE(movement.ok());
  CHECK(movement->provider == t.key("alice"));
  CHECK(movement->status == MovementStatus::pending);
  CHECK(app::list_respite(*t, {})->requests[0].status == RequestStatus::offered);
  auto carol = app::my_matches(*t, {"carol"});
  REQUIRE(carol.ok());
  REQUIRE(carol->notices.size() == 1);
  CHECK(carol->notices[0].what == "respite_matched");
  CHECK(carol->notices[0].other == "alice");
}

TEST_CASE("a volunteer whose key is on their phone is asked to offer; nothing is signed for them") {
  TestNode t;
  const std::string phone_key = to_hex(generate_keypair().public_key);
  auto added = app::add_member(*t, {"erin", {"volunteer"}, phone_key, "", ""});
  REQUIRE(added.ok());
  CHECK_FALSE(added->key_in_keyring);
  vet(t, "erin", "2026-01-05", "2029-01-04");
  auto request = app::request_respite(*t, {"carol", 180, offers_day("2026-11-21"), ""});
  REQUIRE(request.ok());
  const auto size_before = t.node->ledger().log_size();
  auto made = app::match_volunteer(*t, {"dave", to_hex(request->entry.id), "erin"});
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  CHECK(made->volunteer_asked);
  CHECK_FALSE(made->offer);
  CHECK(t.node->ledger().log_size() == size_before);
  auto erin = app::my_matches(*t, {"erin"});
  REQUIRE(erin.ok());
  REQUIRE(erin->notices.size() == 1);
  CHECK(erin->notices[0].what == "respite_matched");
}

TEST_CASE("alerts: on, off and an email address; a digest holds only what is new") {
  TestNode t;
  CHECK(app::set_alerts(*t, {"alice", "", true, std::string("not an address")}).code() == Code::malformed);
  CHECK(app::set_alerts(*t, {"alice", "", true, std::string("alice@example.org\r\nRCPT TO:<x@y.z>")}).code() ==
        Code::malformed);
  CHECK(app::set_alerts(*t, {"bob", "alice", false, std::nullopt}).code() == Code::not_permitted);
  auto on = app::set_alerts(*t, {"alice", "", true, std::string("alice@example.org")});
  REQUIRE_MESSAGE(on.ok(), on.status().message());
  CHECK(on->on);
  CHECK(on->email == "alice@example.org");

  CapturingMailer mailer;
  // No relay yet, then no mailer in this process: each says what to do.
  CHECK(app::send_digests(*t, {"dave"}).code() == Code::not_found);
  app::MailRelay relay{"127.0.0.1", 2525, "timebank@hilltop.example", 24 * 60};
  CHECK(app::set_mail_relay(*t, {"alice", relay}).code() == Code::not_permitted);
  REQUIRE(app::set_mail_relay(*t, {"dave", relay}).ok());
  auto read = app::read_mail_relay(*t);
  REQUIRE(read.ok());
  REQUIRE(*read);
  CHECK((*read)->port == 2525);
  CHECK((*read)->from == "timebank@hilltop.example");
  CHECK(app::send_digests(*t, {"dave"}).code() == Code::not_permitted);
  t.node->set_mailer(&mailer);

  posted(t, offer_of("alice", "transport", "fri", "LS6"));
  posted(t, request_of("bob", "transport", "2026-11-20", "LS6"));
  auto sent = app::send_digests(*t, {"dave"});
  REQUIRE_MESSAGE(sent.ok(), sent.status().message());
  CHECK(sent->sent == 1);
  REQUIRE(mailer.sent.size() == 1);
  const app::MailMessage& m = mailer.sent[0];
  CHECK(m.to == "alice@example.org");
  CHECK(m.from == "timebank@hilltop.example");
  CHECK(m.subject.find("1 new match") != std::string::npos);
  CHECK(m.body.find("A request for transport on 2026-11-20 around LS6 fits your offer.") != std::string::npos);
  // No names and no free text in the mail.
  CHECK(m.body.find("bob") == std::string::npos);
  CHECK(m.body.find("surgery") == std::string::npos);

  // Nothing new: no second mail.
  sent = app::send_digests(*t, {"dave"});
  REQUIRE(sent.ok());
  CHECK(sent->sent == 0);
  CHECK(sent->nothing_new == 1);
  CHECK(mailer.sent.size() == 1);
  // The daemon's timer waits for the interval; a later request is news.
  t.clock.advance_ms(60'000);
  posted(t, request_of("bob", "transport", "2026-11-27"));
  CHECK(app::send_digests(*t, {""})->sent == 0);  // under a day since the last
  t.clock.advance_ms(24 * 3'600'000LL);
  posted(t, request_of("bob", "transport", "2026-12-04"));
  auto timer = app::send_digests(*t, {""});
  REQUIRE(timer.ok());
  CHECK(timer->sent == 1);
  REQUIRE(mailer.sent.size() == 2);
  CHECK(mailer.sent[1].subject.find("2 new matches") != std::string::npos);

  // Off: nothing is sent.
  REQUIRE(app::set_alerts(*t, {"alice", "", false, std::nullopt}).ok());
  t.clock.advance_ms(24 * 3'600'000LL);
  posted(t, request_of("bob", "transport", "2026-12-11"));
  CHECK(app::send_digests(*t, {"dave"})->sent == 0);
  CHECK(mailer.sent.size() == 2);
}

TEST_CASE("member forget erases the member's listings, alert settings and email") {
  TestNode t;
  const std::string offer = posted(t, offer_of("alice", "shopping", "tue", "LS6"));
  REQUIRE(app::set_alerts(*t, {"alice", "", true, std::string("alice@example.org")}).ok());
  posted(t, request_of("bob", "shopping", "2026-11-24"));
  REQUIRE(app::forget_member(*t, {"alice", "dave"}).ok());
  Listings listings(t.node->store());
  CHECK(listings.of(t.key("bob")).value().size() == 1);
  auto all = listings.all();
  REQUIRE(all.ok());
  CHECK(all->size() == 1);  // bob's request only
  CHECK(listings.all_alerts().value().empty());
  // Nothing of it is left in the directory column's bytes.
  auto cursor = t.node->store().scan(Column::directory, "", "");
  for (; cursor->valid(); cursor->next()) {
    CHECK(std::string(cursor->value()).find("alice@example.org") == std::string::npos);
    CHECK(std::string(cursor->value()).find("I have a car") == std::string::npos);
  }
}
