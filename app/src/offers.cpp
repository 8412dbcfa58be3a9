#include "cohours/app/offers.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "cohours/app/names.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "try.h"

namespace cohours::app {

namespace {

constexpr std::uint32_t kOffersStaff = role_coordinator | role_admin;

// Listing changes read, then write the directory: one at a time in a
// process, so two posts cannot both pass the limit and a withdrawal and a
// match cannot both close one listing.
std::mutex& offers_write_mutex() {
  static std::mutex mutex;
  return mutex;
}

// Listings are the co-op's own: whoever is not a member here (a member of
// another co-op, a stranger's key) is refused, not told "no such member".
Result<MemberInfo> offers_member(Node& node, const std::string& as) {
  auto member = member_named(node, as);
  if (member.ok()) return member;
  if (member.code() == Code::unknown_member)
    return Status(Code::not_permitted, "offers and requests are seen by members of this co-op only; '" + as +
                                           "' is not one (" + member.status().message() + ")");
  return member.status();
}

std::string offers_id_text(std::uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

std::int32_t offers_today(Node& node) {
  return days_from_ms(node.clock().now_ms());
}

// The listing an id (16 hex digits, or the first 6 or more of them) names.
Result<std::optional<Listing>> offers_find(Node& node, const std::string& id) {
  bool hex = id.size() >= 6 && id.size() <= 16;
  for (char ch : id) hex = hex && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'));
  if (!hex) return std::optional<Listing>();
  Listings listings(node.store());
  TRY_ASSIGN(auto all, listings.all());
  std::optional<Listing> found;
  for (auto& listing : all) {
    if (offers_id_text(listing.id).compare(0, id.size(), id) != 0) continue;
    if (found) return Status(Code::malformed, "'" + id + "' starts more than one listing's id; give more digits");
    found = listing;
  }
  return found;
}

Result<Listing> offers_listing(Node& node, const std::string& id) {
  TRY_ASSIGN(auto found, offers_find(node, id));
  if (!found) return Status(Code::unknown_entry, "no listing " + id + " (give the id `offers list` shows)");
  return *found;
}

ListingView offers_view(const Node& node, const Listing& l) {
  ListingView v;
  v.id = offers_id_text(l.id);
  v.owner = member_name(node, l.owner);
  v.kind = l.kind;
  v.category = l.category;
  v.text = l.text;
  v.days = l.date_days ? "" : format_days(l.days);
  v.date_days = l.date_days;
  v.district = l.district;
  v.status = l.status;
  v.created_ms = l.created_ms;
  if (!l.matched_with.is_zero()) v.matched_with = member_name(node, l.matched_with);
  return v;
}

DayMask offers_mask(const Listing& l) {
  return l.date_days ? weekday_bit(*l.date_days) : l.days;
}

// Days meet: either says any day, or they share a weekday; two dates must be
// the same date.
bool offers_when_fits(const Listing& offer, const Listing& request) {
  if (offer.date_days && request.date_days) return *offer.date_days == *request.date_days;
  DayMask a = offers_mask(offer), b = offers_mask(request);
  return a == 0 || b == 0 || (a & b) != 0;
}

bool offers_fit(const Listing& offer, const Listing& request) {
  return offer.kind == ListingKind::offer && request.kind == ListingKind::request &&
         offer.status == ListingStatus::open && request.status == ListingStatus::open &&
         offer.owner != request.owner && offer.category == request.category && offers_when_fits(offer, request) &&
         (offer.district.empty() || request.district.empty() || offer.district == request.district);
}

// An offer fits a respite request on its date: the offer is for respite and
// its days include that date's.
bool offers_fit_respite(const Listing& offer, const RespiteRequestState& request) {
  if (offer.kind != ListingKind::offer || offer.status != ListingStatus::open || offer.category != "respite" ||
      offer.owner == request.carer)
    return false;
  if (offer.date_days) return *offer.date_days == request.date_days;
  return offer.days == 0 || (offer.days & weekday_bit(request.date_days)) != 0;
}

// Empty if `volunteer` may do help in `category` on `day`: the policy does
// not ask for a check, or one covers the day (the ledger's own test,
// VettingState::covers). Otherwise what is missing.
Result<std::string> offers_vetting_gap(Node& node, const Policy& policy, const PublicKey& volunteer,
                                       const std::string& category, std::int32_t day) {
  if (!policy.needs_vetting(category)) return std::string();
  TRY_ASSIGN(auto checks, node.ledger().vettings_of(volunteer));
  std::string why = "no safeguarding check is recorded";
  for (const auto& check : checks) {
    if (check.covers(day)) return std::string();
    if (check.withdrawn)
      why = "their check was withdrawn";
    else if (check.expires_days < day)
      why = "their check expired on " + format_date(check.expires_days);
    else if (check.issued_days > day)
      why = "their check is valid only from " + format_date(check.issued_days);
  }
  return "'" + category + "' needs a current safeguarding check on " + format_date(day) + ": " + why +
         "; an admin or coordinator records one with `cohours vetting record`";
}

std::int32_t offers_help_day(Node& node, const Listing& request) {
  return request.date_days ? *request.date_days : offers_today(node);
}

bool offers_is_volunteer(Node& node, const PublicKey& key) {
  auto member = node.ledger().member(key);
  return member.ok() && (member->roles & role_volunteer);
}

RespiteFit offers_respite_fit(const Node& node, const RespiteRequestState& r) {
  return RespiteFit{to_hex(r.id), member_name(node, r.carer), r.minutes, r.date_days};
}

struct OffersFitting {
  std::vector<Candidate> volunteers;
  std::vector<Unvetted> unvetted;
};

Result<OffersFitting> offers_for(Node& node, const Listing& request, const std::vector<Listing>& all) {
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  OffersFitting out;
  std::vector<PublicKey> seen;
  for (const auto& offer : all) {
    if (!offers_fit(offer, request) || !offers_is_volunteer(node, offer.owner)) continue;
    if (std::find(seen.begin(), seen.end(), offer.owner) != seen.end()) continue;
    seen.push_back(offer.owner);
    TRY_ASSIGN(std::string gap,
               offers_vetting_gap(node, policy, offer.owner, request.category, offers_help_day(node, request)));
    if (gap.empty())
      out.volunteers.push_back(Candidate{member_name(node, offer.owner), offers_view(node, offer)});
    else
      out.unvetted.push_back(Unvetted{member_name(node, offer.owner), offers_view(node, offer), gap});
  }
  return out;
}

struct VolunteerFitting {
  std::vector<Listing> requests;
  std::vector<RespiteRequestState> respite;
};

Result<VolunteerFitting> requests_for(Node& node, const PublicKey& volunteer, const std::vector<Listing>& all) {
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  VolunteerFitting out;
  std::vector<const Listing*> offers;
  for (const auto& listing : all)
    if (listing.owner == volunteer && listing.kind == ListingKind::offer && listing.status == ListingStatus::open)
      offers.push_back(&listing);
  if (offers.empty() || !offers_is_volunteer(node, volunteer)) return out;
  for (const auto& request : all) {
    bool fits = std::any_of(offers.begin(), offers.end(), [&](const Listing* o) { return offers_fit(*o, request); });
    if (!fits) continue;
    TRY_ASSIGN(std::string gap,
               offers_vetting_gap(node, policy, volunteer, request.category, offers_help_day(node, request)));
    if (gap.empty()) out.requests.push_back(request);
  }
  TRY_ASSIGN(auto respite, node.ledger().respite_requests());
  const std::int32_t today = offers_today(node);
  for (const auto& request : respite) {
    if (request.status != RequestStatus::open || request.date_days < today) continue;
    bool fits = std::any_of(offers.begin(), offers.end(),
                            [&](const Listing* o) { return offers_fit_respite(*o, request); });
    if (!fits) continue;
    TRY_ASSIGN(std::string gap, offers_vetting_gap(node, policy, volunteer, "respite", request.date_days));
    if (gap.empty()) out.respite.push_back(request);
  }
  return out;
}

std::int64_t offers_request_time(Node& node, const EntryId& id) {
  auto seq = node.ledger().seq_of(id);
  if (!seq.ok()) return 0;
  auto record = node.ledger().record(*seq);
  return record.ok() ? record->received_ms : 0;
}

}  // namespace

Result<ListingView> post_listing(Node& node, const PostListing& r) {
  std::lock_guard lock(offers_write_mutex());
  TRY_ASSIGN(MemberInfo member, offers_member(node, r.as));
  Listing l;
  if (r.kind == "offer")
    l.kind = ListingKind::offer;
  else if (r.kind == "request")
    l.kind = ListingKind::request;
  else
    return Status(Code::malformed, "a listing is an offer or a request, not '" + r.kind + "'");
  if (l.kind == ListingKind::offer && !(member.roles & role_volunteer))
    return Status(Code::not_permitted, "only volunteers offer help; a coordinator can give " +
                                           member_name(node, member.key) + " the volunteer role");
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  if (!policy.category_allowed(r.category)) {
    std::string known;
    for (const auto& c : policy.categories) known += (known.empty() ? "" : ", ") + c;
    return Status(Code::unknown_category, "'" + r.category + "' is not one of the co-op's categories: " + known);
  }
  l.category = r.category;
  l.text = r.text;
  while (!l.text.empty() && (l.text.back() == ' ' || l.text.back() == '\n')) l.text.pop_back();
  if (l.text.empty())
    return Status(Code::malformed, "say in a few words what you " +
                                       std::string(l.kind == ListingKind::offer ? "can do" : "need") +
                                       " (e.g. \"help with shopping, I have a car\")");
  if (l.text.size() > kMaxListingText)
    return Status(Code::malformed, "the text is limited to " + std::to_string(kMaxListingText) +
                                       " bytes, a line or two (this one has " + std::to_string(l.text.size()) +
                                       "); details follow when people are put in touch");
  if (!r.days.empty() && r.date_days)
    return Status(Code::malformed, "give days of the week or one date, not both");
  if (!r.days.empty()) {
    auto days = parse_days(r.days);
    if (!days)
      return Status(Code::malformed, "'" + r.days + "' is not days of the week; give e.g. tue,fri, weekdays, "
                                                    "weekends or any");
    l.days = *days;
  }
  if (r.date_days) {
    if (*r.date_days < offers_today(node))
      return Status(Code::bad_date, format_date(*r.date_days) + " has passed; give today or a later date");
    if (*r.date_days > offers_today(node) + 366)
      return Status(Code::bad_date, "a listing looks at most a year ahead, not to " + format_date(*r.date_days));
    l.date_days = r.date_days;
  }
  if (!r.district.empty()) {
    TRY_ASSIGN(l.district, parse_district(r.district));
  }
  Listings listings(node.store());
  TRY_ASSIGN(auto own, listings.of(member.key));
  auto open = std::count_if(own.begin(), own.end(), [](const Listing& x) { return x.status == ListingStatus::open; });
  if (static_cast<std::size_t>(open) >= kMaxOpenListings)
    return Status(Code::limit_reached, "a member may have " + std::to_string(kMaxOpenListings) +
                                           " open offers and requests at once; withdraw one first "
                                           "(`cohours offers withdraw ID`)");
  l.owner = member.key;
  l.created_ms = node.clock().now_ms();
  TRY_ASSIGN(auto every, listings.all());
  do {
    l.id = random_u64();
  } while (l.id == 0 ||
           std::any_of(every.begin(), every.end(), [&](const Listing& x) { return x.id == l.id; }));
  TRY_STATUS(listings.put(l));
  return offers_view(node, l);
}

Result<ListingView> withdraw_listing(Node& node, const WithdrawListing& r) {
  std::lock_guard lock(offers_write_mutex());
  TRY_ASSIGN(MemberInfo member, offers_member(node, r.as));
  TRY_ASSIGN(Listing l, offers_listing(node, r.id));
  if (l.owner != member.key && !(member.roles & kOffersStaff))
    return Status(Code::not_permitted, "only its owner, a coordinator or an admin withdraws a listing");
  if (l.status != ListingStatus::open)
    return Status(Code::wrong_state, std::string("that listing is ") + listing_status_name(l.status) + ", not open");
  l.status = ListingStatus::withdrawn;
  l.closed_ms = node.clock().now_ms();
  l.closed_by = member.key;
  TRY_STATUS(Listings(node.store()).put(l));
  return offers_view(node, l);
}

Result<ListingList> list_listings(Node& node, const ListListings& r) {
  TRY_ASSIGN(MemberInfo member, offers_member(node, r.as));
  if (!r.kind.empty() && r.kind != "offer" && r.kind != "request")
    return Status(Code::malformed, "list offers or requests, not '" + r.kind + "'");
  TRY_ASSIGN(auto all, Listings(node.store()).all());
  std::stable_sort(all.begin(), all.end(),
                   [](const Listing& a, const Listing& b) { return a.created_ms > b.created_ms; });
  ListingList out;
  for (const auto& l : all) {
    if (r.mine ? l.owner != member.key : l.status != ListingStatus::open) continue;
    if (!r.kind.empty() && r.kind != listing_kind_name(l.kind)) continue;
    out.listings.push_back(offers_view(node, l));
  }
  return out;
}

Result<RequestMatches> matches_for_request(Node& node, const MatchesForRequest& r) {
  TRY_ASSIGN(MemberInfo member, offers_member(node, r.as));
  TRY_ASSIGN(Listing request, offers_listing(node, r.id));
  if (request.owner != member.key && !(member.roles & kOffersStaff))
    return Status(Code::not_permitted, "a coordinator, an admin or the request's owner finds its matches");
  if (request.kind != ListingKind::request)
    return Status(Code::malformed, "that listing is an offer; find matches for a request, or a volunteer's with "
                                   "--volunteer");
  RequestMatches out;
  out.request = offers_view(node, request);
  if (request.status != ListingStatus::open) return out;
  TRY_ASSIGN(auto all, Listings(node.store()).all());
  TRY_ASSIGN(OffersFitting fitting, offers_for(node, request, all));
  out.volunteers = std::move(fitting.volunteers);
  out.unvetted = std::move(fitting.unvetted);
  return out;
}

Result<VolunteerMatches> matches_for_volunteer(Node& node, const MatchesForVolunteer& r) {
  TRY_ASSIGN(MemberInfo member, offers_member(node, r.as));
  TRY_ASSIGN(MemberInfo volunteer, offers_member(node, r.volunteer.empty() ? r.as : r.volunteer));
  if (volunteer.key != member.key && !(member.roles & kOffersStaff))
    return Status(Code::not_permitted, "a coordinator or an admin finds another volunteer's matches");
  TRY_ASSIGN(auto all, Listings(node.store()).all());
  TRY_ASSIGN(VolunteerFitting fitting, requests_for(node, volunteer.key, all));
  VolunteerMatches out;
  out.volunteer = member_name(node, volunteer.key);
  for (const auto& l : fitting.requests) out.requests.push_back(offers_view(node, l));
  for (const auto& q : fitting.respite) out.respite.push_back(offers_respite_fit(node, q));
  return out;
}

Result<MatchMade> match_volunteer(Node& node, const MatchVolunteer& r) {
  std::lock_guard lock(offers_write_mutex());
  TRY_ASSIGN(MemberInfo coordinator, offers_member(node, r.as));
  if (!(coordinator.roles & kOffersStaff))
    return Status(Code::not_permitted, "a coordinator or an admin puts a volunteer with a request");
  TRY_ASSIGN(MemberInfo volunteer, offers_member(node, r.volunteer));
  if (!(volunteer.roles & role_volunteer))
    return Status(Code::not_permitted, member_name(node, volunteer.key) + " is not a volunteer");
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  MatchMade out;
  out.volunteer = member_name(node, volunteer.key);
  Listings listings(node.store());
  TRY_ASSIGN(auto listing, offers_find(node, r.id));
  if (listing) {
    if (listing->kind != ListingKind::request)
      return Status(Code::malformed, "that listing is an offer; match a volunteer with a request");
    if (listing->status != ListingStatus::open)
      return Status(Code::wrong_state,
                    std::string("that request is ") + listing_status_name(listing->status) + ", not open");
    if (listing->owner == volunteer.key)
      return Status(Code::not_permitted, "a member is not matched with their own request");
    TRY_ASSIGN(std::string gap, offers_vetting_gap(node, policy, volunteer.key, listing->category,
                                                   offers_help_day(node, *listing)));
    if (!gap.empty()) return Status(Code::not_vetted, out.volunteer + " cannot be matched: " + gap);
    listing->status = ListingStatus::matched;
    listing->matched_with = volunteer.key;
    listing->closed_by = coordinator.key;
    listing->closed_ms = node.clock().now_ms();
    TRY_STATUS(listings.put(*listing));
    out.listing = offers_view(node, *listing);
    out.requester = member_name(node, listing->owner);
    return out;
  }
  // Not a listing: a respite request, by its entry id.
  auto id = node.ledger().resolve_id(r.id);
  if (!id.ok())
    return Status(Code::unknown_entry, "no listing or respite request " + r.id +
                                       " (give an id `offers list` or `respite list` shows)");
  TRY_ASSIGN(RespiteRequestState request, node.ledger().respite_request(*id));
  out.respite = offers_respite_fit(node, request);
  out.requester = member_name(node, request.carer);
  if (request.status != RequestStatus::open)
    return Status(Code::wrong_state,
                  std::string("that respite request is ") + request_status_name(request.status) + ", not open");
  TRY_ASSIGN(PublicKey current, node.ledger().current_key(volunteer.key));
  const bool key_here = node.keyring().holds(volunteer.key) || (!current.is_zero() && node.keyring().holds(current));
  RespiteMatch match{request.id, request.carer, volunteer.key, coordinator.key, node.clock().now_ms(), {}};
  if (key_here) {
    // The ledger decides the offer as any other: role, check, request state.
    TRY_ASSIGN(RespiteDone done, offer_respite(node, {to_hex(request.id), to_hex(volunteer.key)}));
    match.offer = done.entry.id;
    out.offer = done.entry;
  } else {
    TRY_ASSIGN(std::string gap, offers_vetting_gap(node, policy, volunteer.key, "respite", request.date_days));
    if (!gap.empty()) return Status(Code::not_vetted, out.volunteer + " cannot be matched: " + gap);
    out.volunteer_asked = true;
  }
  TRY_STATUS(listings.put_respite_match(match));
  return out;
}

Result<MyMatches> my_matches(Node& node, const ShowMyMatches& r) {
  TRY_ASSIGN(MemberInfo member, offers_member(node, r.as));
  Listings listings(node.store());
  TRY_ASSIGN(auto all, listings.all());
  MyMatches out;
  out.member = member_name(node, member.key);
  // As a volunteer: requests that fit my offers.
  TRY_ASSIGN(VolunteerFitting fitting, requests_for(node, member.key, all));
  for (const auto& l : fitting.requests) {
    MatchNotice n;
    n.what = "request_fits";
    n.since_ms = l.created_ms;
    n.listing = offers_view(node, l);
    out.notices.push_back(std::move(n));
  }
  for (const auto& q : fitting.respite) {
    MatchNotice n;
    n.what = "respite_fits";
    n.since_ms = offers_request_time(node, q.id);
    n.respite = offers_respite_fit(node, q);
    out.notices.push_back(std::move(n));
  }
  for (const auto& l : all) {
    // My open requests: who fits them.
    if (l.owner == member.key && l.kind == ListingKind::request && l.status == ListingStatus::open) {
      TRY_ASSIGN(OffersFitting offers, offers_for(node, l, all));
      if (offers.volunteers.empty()) continue;
      MatchNotice n;
      n.what = "volunteers_fit";
      n.listing = offers_view(node, l);
      for (const auto& c : offers.volunteers) {
        n.volunteers.push_back(c.volunteer);
        n.since_ms = std::max(n.since_ms, c.offer.created_ms);
      }
      out.notices.push_back(std::move(n));
    }
    // Matches a coordinator made, on either side.
    if (l.status == ListingStatus::matched && (l.owner == member.key || l.matched_with == member.key)) {
      MatchNotice n;
      n.what = "matched";
      n.since_ms = l.closed_ms;
      n.listing = offers_view(node, l);
      n.other = member_name(node, l.owner == member.key ? l.matched_with : l.owner);
      out.notices.push_back(std::move(n));
    }
  }
  TRY_ASSIGN(auto respite_matches, listings.respite_matches());
  for (const auto& m : respite_matches) {
    if (m.carer != member.key && m.volunteer != member.key) continue;
    auto request = node.ledger().respite_request(m.request);
    if (!request.ok()) continue;
    MatchNotice n;
    n.what = "respite_matched";
    n.since_ms = m.made_ms;
    n.respite = offers_respite_fit(node, *request);
    n.other = member_name(node, m.carer == member.key ? m.volunteer : m.carer);
    out.notices.push_back(std::move(n));
  }
  std::stable_sort(out.notices.begin(), out.notices.end(),
                   [](const MatchNotice& a, const MatchNotice& b) { return a.since_ms > b.since_ms; });
  return out;
}

Result<std::uint64_t> forget_listings(Node& node, const PublicKey& member) {
  return Listings(node.store()).erase_member(member);
}

}  // namespace cohours::app
