// Offers and requests (docs/offers.md): members post what they can give
// and what they need, the co-op's members see them, and coordinators find
// and make matches. Listings live in the erasable directory (listings.h),
// not the log; a match with a respite request signs the volunteer's
// respite.offer, which the ledger's rules decide as any other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/exchanges.h"
#include "cohours/app/node.h"
#include "cohours/listings.h"

namespace cohours::app {

// Open listings one member may have at once.
inline constexpr std::size_t kMaxOpenListings = 20;

// A listing as members read it. `id` is 16 hex digits.
struct ListingView {
  std::string id;
  std::string owner;  // names.h member_name
  ListingKind kind = ListingKind::offer;
  std::string category;
  std::string text;
  std::string days;                       // "tue,fri" or "any day" (listings.h format_days)
  std::optional<std::int32_t> date_days;  // a single date instead, if given
  std::string district;                   // empty: anywhere
  ListingStatus status = ListingStatus::open;
  std::int64_t created_ms = 0;
  std::string matched_with;  // the volunteer, once a coordinator matched a request
};

// offers add / offers need: `as` (a member of this co-op) posts an offer or
// a request. `kind` "offer" or "request"; `category` one of the policy's;
// `days` ("tue,fri", "weekdays", "any"; empty: any day) or `date_days`
// (not both; a date must not be past); `district` a postcode district or
// empty. malformed, saying what to give instead, for each bad field;
// not_permitted for someone who is not a member here; limit_reached at
// kMaxOpenListings open listings.
struct PostListing {
  std::string as;
  std::string kind;
  std::string category;
  std::string text;
  std::string days;
  std::optional<std::int32_t> date_days;
  std::string district;
};
Result<ListingView> post_listing(Node& node, const PostListing& request);

// offers withdraw: the listing's owner, or a coordinator or admin, closes
// it. unknown_entry for an unknown id; wrong_state unless it is open.
struct WithdrawListing {
  std::string as;
  std::string id;
};
Result<ListingView> withdraw_listing(Node& node, const WithdrawListing& request);

// offers list: the co-op's open listings (members only), newest first;
// `kind` "offer", "request" or empty for both; `mine` only `as`'s own (then
// matched and withdrawn ones too).
struct ListListings {
  std::string as;
  std::string kind;
  bool mine = false;
};
struct ListingList {
  std::vector<ListingView> listings;
};
Result<ListingList> list_listings(Node& node, const ListListings& request);

// A volunteer whose offer fits a request.
struct Candidate {
  std::string volunteer;
  ListingView offer;
};
// One that would fit but may not do it: their safeguarding check is not
// current for the category on the day (why says what is missing).
struct Unvetted {
  std::string volunteer;
  ListingView offer;
  std::string why;
};
// A respite request (ledger entry) as the matches show it.
struct RespiteFit {
  std::string id;  // the request entry id, hex
  std::string carer;
  std::int64_t minutes = 0;
  std::int32_t date_days = 0;
};

// offers matches REQUEST: the volunteers whose open offers fit an open
// request (same category; days that meet; same district, or either says
// anywhere) and whose check is current if the policy marks the category
// vetted (on the request's date, or today if it names days). A coordinator
// or admin may ask, or the request's owner.
struct MatchesForRequest {
  std::string as;
  std::string id;
};
struct RequestMatches {
  ListingView request;
  std::vector<Candidate> volunteers;
  std::vector<Unvetted> unvetted;
};
Result<RequestMatches> matches_for_request(Node& node, const MatchesForRequest& request);

// offers matches --volunteer V: the open requests that fit V's open offers,
// and the open respite requests if V offers respite on that day and V's
// check is current for it. V themselves, a coordinator or an admin may ask.
struct MatchesForVolunteer {
  std::string as;
  std::string volunteer;
};
struct VolunteerMatches {
  std::string volunteer;
  std::vector<ListingView> requests;
  std::vector<RespiteFit> respite;
};
Result<VolunteerMatches> matches_for_volunteer(Node& node, const MatchesForVolunteer& request);

// offers match ID --volunteer V: a coordinator or admin puts V with a
// request. For a listing: it is marked matched with V (both see it in
// their matches and the next digest). For a respite request (an entry id):
// the node signs V's respite.offer if it holds V's key, and the ledger
// decides it as it would any offer (volunteer role, a current check, the
// request still open); if V's key is on their phone, nothing is signed
// and V is asked to offer from the phone. Either way V's check must be
// current for the category (not_vetted otherwise, saying what is missing).
struct MatchVolunteer {
  std::string as;
  std::string id;
  std::string volunteer;
};
struct MatchMade {
  std::optional<ListingView> listing;   // a listing request, now matched
  std::optional<RespiteFit> respite;    // or a respite request
  std::string volunteer;
  std::string requester;
  std::optional<Accepted> offer;  // the respite.offer signed for the volunteer
  bool volunteer_asked = false;   // respite: no key here; the volunteer offers from the phone
};
Result<MatchMade> match_volunteer(Node& node, const MatchVolunteer& request);

// What the member sees on the phone's matches card and in the digest.
struct MatchNotice {
  std::string what;  // "request_fits", "respite_fits", "volunteers_fit", "matched", "respite_matched"
  std::int64_t since_ms = 0;  // when the other side was posted, or the match made
  std::optional<ListingView> listing;  // the request, offer or own request concerned
  std::optional<RespiteFit> respite;
  std::vector<std::string> volunteers;  // volunteers_fit: who fits my request
  std::string other;                    // matched: the other member
};
struct MyMatches {
  std::string member;
  std::vector<MatchNotice> notices;  // newest first
};
// The matches of the member `as` names, for themselves.
struct ShowMyMatches {
  std::string as;
};
Result<MyMatches> my_matches(Node& node, const ShowMyMatches& request);

// For member forget: erases the member's listings, alert settings and the
// respite matches naming them.
Result<std::uint64_t> forget_listings(Node& node, const PublicKey& member);

}  // namespace cohours::app
