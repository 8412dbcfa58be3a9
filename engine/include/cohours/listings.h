// Offers and requests ("I can help with shopping on Tuesdays", "we need a
// driver on Friday"), the matches a coordinator made, and each member's
// alert settings. They are the co-op's own working notes, not ledger
// statements: kept in the erasable directory column, never signed or
// hashed into the log, and erased by `member forget` (docs/offers.md).
// Rows are keyed by member key and number only: no text in a key, so
// nothing personal outlives its erasure in RocksDB's table bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

enum class ListingKind : std::uint8_t { offer = 1, request = 2 };
enum class ListingStatus : std::uint8_t { open = 1, matched = 2, withdrawn = 3 };
const char* listing_kind_name(ListingKind kind);      // "offer", "request"
const char* listing_status_name(ListingStatus status);  // "open", "matched", "withdrawn"

// Bytes of free text a listing may carry: a line, like a text message.
inline constexpr std::size_t kMaxListingText = 240;

// Days of the week as a mask: bit 0 Monday .. bit 6 Sunday; 0 is any day.
using DayMask = std::uint8_t;
// The weekday bit of a date (days since 1970-01-01, a Thursday).
DayMask weekday_bit(std::int32_t days);
// "mon,tue" from a mask; "weekdays", "weekends"; "any day" for 0.
std::string format_days(DayMask mask);
// "mon,tue", "tuesday", "weekdays", "weekends", "any" (case-insensitive,
// commas or spaces between); nullopt if a word is not a day.
std::optional<DayMask> parse_days(std::string_view text);

// A UK postcode district (the outward code: LS6, M1, SW1A, EC1V), upper
// case without spaces; malformed, saying why, for anything else. A full
// postcode is refused: a listing says roughly where, never an address.
Result<std::string> parse_district(std::string_view text);

// An email address as the alert digest needs it: one '@', no spaces, angle
// brackets or line breaks (it goes into an SMTP command), at most 254 bytes.
bool valid_email(std::string_view address);

struct Listing {
  std::uint64_t id = 0;  // random, never 0
  PublicKey owner;       // the member's identity key
  ListingKind kind = ListingKind::offer;
  std::string category;  // one of the policy's categories
  std::string text;      // free text, up to kMaxListingText bytes
  DayMask days = 0;      // when: days of the week (0: any day) ...
  std::optional<std::int32_t> date_days;  // ... or one date
  std::string district;  // a postcode district, or empty: anywhere
  ListingStatus status = ListingStatus::open;
  std::int64_t created_ms = 0;
  std::int64_t closed_ms = 0;  // when matched or withdrawn
  PublicKey matched_with;      // the volunteer a coordinator put with this request
  PublicKey closed_by;         // who matched or withdrew it
};

// A coordinator put a volunteer with a respite request (a ledger entry):
// the offer they signed for the volunteer, or zero when the volunteer's
// key is on their phone and the volunteer is asked to offer from there.
struct RespiteMatch {
  EntryId request;
  PublicKey carer;
  PublicKey volunteer;
  PublicKey by;
  std::int64_t made_ms = 0;
  EntryId offer;
};

struct AlertSettings {
  PublicKey member;
  bool on = false;
  std::string email;              // empty: none given
  std::int64_t last_digest_ms = 0;  // the newest digest sent; what came later is new
};

// Thread-safe as the Store is. Writes are synced.
class Listings {
 public:
  explicit Listings(Store& store) : store_(store) {}

  // Stores (or replaces) a listing. malformed for an empty category, text
  // over the limit or not UTF-8, a district that is not one, a zero id.
  Status put(const Listing& listing);
  Result<std::vector<Listing>> all() const;
  Result<std::vector<Listing>> of(const PublicKey& owner) const;
  // not_found if no listing has this id.
  Result<Listing> find(std::uint64_t id) const;

  Status put_respite_match(const RespiteMatch& match);
  Result<std::vector<RespiteMatch>> respite_matches() const;

  // The member's settings; alerts off and no email if none were stored.
  Result<AlertSettings> alerts(const PublicKey& member) const;
  // malformed for an address valid_email refuses.
  Status put_alerts(const AlertSettings& settings);
  Result<std::vector<AlertSettings>> all_alerts() const;

  // Erases the member's listings, alert settings and the respite matches
  // that name them (`member forget`); returns how many rows went.
  Result<std::uint64_t> erase_member(const PublicKey& member);

 private:
  Store& store_;
};

}  // namespace cohours
