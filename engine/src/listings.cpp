#include "cohours/listings.h"

#include <algorithm>
#include <cctype>

#include "codec.h"
#include "cohours/text.h"
#include "state.h"

namespace cohours {

namespace {

// directory column rows (docs/data-format.md):
//   "listing:" owner(32) id(8, big endian) -> Listing
//   "rmatch:"  request(32)                 -> RespiteMatch
//   "alerts:"  member(32)                  -> AlertSettings
constexpr std::string_view kListingPrefix = "listing:";
constexpr std::string_view kRespiteMatchPrefix = "rmatch:";
constexpr std::string_view kAlertsPrefix = "alerts:";

std::string listing_row_key(const PublicKey& owner, std::uint64_t id) {
  return std::string(kListingPrefix) + key_of(owner) + be64(id);
}

// The end of a prefix's range: its last byte plus one (':' -> ';').
std::string listings_end_of(std::string_view prefix) {
  std::string end(prefix);
  end.back() = static_cast<char>(end.back() + 1);
  return end;
}

template <typename C>
void listing_layout(C& c, Listing& l) {
  c.num(l.id);
  c.fixed(l.owner);
  c.enumeration(l.kind, 1, 2);
  c.short_string(l.category, 64);
  c.short_string(l.text, kMaxListingText);
  c.num(l.days);
  std::uint8_t has_date = l.date_days ? 1 : 0;
  c.num(has_date);
  std::int32_t date = l.date_days.value_or(0);
  c.num(date);
  if constexpr (C::decoding) {
    if (has_date) l.date_days = date;
  }
  c.short_string(l.district, 8);
  c.enumeration(l.status, 1, 3);
  c.num(l.created_ms);
  c.num(l.closed_ms);
  c.fixed(l.matched_with);
  c.fixed(l.closed_by);
}

template <typename C>
void respite_match_layout(C& c, RespiteMatch& m) {
  c.fixed(m.request);
  c.fixed(m.carer);
  c.fixed(m.volunteer);
  c.fixed(m.by);
  c.num(m.made_ms);
  c.fixed(m.offer);
}

template <typename C>
void alerts_layout(C& c, AlertSettings& a) {
  c.fixed(a.member);
  std::uint8_t on = a.on ? 1 : 0;
  c.num(on);
  if constexpr (C::decoding) a.on = on != 0;
  c.short_string(a.email, 254);
  c.num(a.last_digest_ms);
}

template <typename T, typename Layout>
std::string listings_encode(const T& value, Layout layout) {
  Bytes row;
  {
    codec::Encoder encoder(row);
    layout(encoder, const_cast<T&>(value));
  }
  return std::string(row.begin(), row.end());
}

template <typename T, typename Layout>
Result<T> listings_decode(std::string_view raw, Layout layout, const char* what) {
  T value;
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    layout(decoder, value);
    if (decoder.remaining() != 0) throw std::runtime_error("trailing bytes");
  } catch (...) {
    return Status(Code::corruption, std::string("a stored ") + what + " does not decode");
  }
  return value;
}

template <typename T, typename Layout>
Result<std::vector<T>> listings_scan(const Store& store, std::string_view from, std::string_view to,
                                     Layout layout, const char* what) {
  std::vector<T> out;
  auto cursor = store.scan(Column::directory, from, to);
  for (; cursor->valid(); cursor->next()) {
    auto value = listings_decode<T>(cursor->value(), layout, what);
    if (!value.ok()) return value.status();
    out.push_back(std::move(value.value()));
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

auto listing_codec = [](auto& c, Listing& l) { listing_layout(c, l); };
auto respite_match_codec = [](auto& c, RespiteMatch& m) { respite_match_layout(c, m); };
auto alerts_codec = [](auto& c, AlertSettings& a) { alerts_layout(c, a); };

bool listings_is_letter(char ch) {
  return ch >= 'A' && ch <= 'Z';
}
bool listings_is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}

// An outward code: A9, A99, AA9, AA99, A9A, AA9A.
bool outward_code(std::string_view s) {
  if (s.size() < 2 || s.size() > 4) return false;
  std::size_t i = 0;
  while (i < s.size() && i < 2 && listings_is_letter(s[i])) ++i;
  if (i == 0 || i >= s.size() || !listings_is_digit(s[i])) return false;
  ++i;
  if (i == s.size()) return true;
  if (i + 1 != s.size()) return false;
  return listings_is_digit(s[i]) || listings_is_letter(s[i]);
}

}  // namespace

const char* listing_kind_name(ListingKind kind) {
  return kind == ListingKind::offer ? "offer" : "request";
}

const char* listing_status_name(ListingStatus status) {
  switch (status) {
    case ListingStatus::open:
      return "open";
    case ListingStatus::matched:
      return "matched";
    case ListingStatus::withdrawn:
      return "withdrawn";
  }
  return "unknown";
}

DayMask weekday_bit(std::int32_t days) {
  // 1970-01-01 was a Thursday: Monday is bit 0, so Thursday is bit 3.
  int weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);
  return static_cast<DayMask>(1u << weekday);
}

std::string format_days(DayMask mask) {
  static const char* const kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (mask == 0 || mask == 0x7f) return "any day";
  if (mask == 0x1f) return "weekdays";
  if (mask == 0x60) return "weekends";
  std::string out;
  for (int i = 0; i < 7; ++i)
    if (mask & (1u << i)) out += (out.empty() ? "" : ",") + std::string(kNames[i]);
  return out;
}

std::optional<DayMask> parse_days(std::string_view text) {
  static const char* const kNames[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  DayMask mask = 0;
  bool any_word = false;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find_first_of(", ", at);
    if (end == std::string_view::npos) end = text.size();
    std::string word;
    for (char ch : text.substr(at, end - at))
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    at = end + 1;
    if (word.empty()) continue;
    any_word = true;
    if (word == "any" || word == "anyday" || word == "daily") {
      mask = 0x7f;
      continue;
    }
    if (word == "weekdays") {
      mask |= 0x1f;
      continue;
    }
    if (word == "weekends" || word == "weekend") {
      mask |= 0x60;
      continue;
    }
    bool found = false;
    for (int i = 0; i < 7; ++i) {
      // "tue", "tues", "tuesday", "tuesdays".
      if (word.size() >= 3 && word.compare(0, 3, kNames[i]) == 0) {
        static const char* const kFull[] = {"monday", "tuesday", "wednesday", "thursday",
                                            "friday", "saturday", "sunday"};
        std::string full = kFull[i];
        if (word == kNames[i] || word == full || word == full + "s" || (i == 1 && word == "tues") ||
            (i == 3 && (word == "thur" || word == "thurs"))) {
          mask |= static_cast<DayMask>(1u << i);
          found = true;
        }
      }
    }
    if (!found) return std::nullopt;
  }
  if (!any_word) return std::nullopt;
  return mask == 0x7f ? DayMask{0} : mask;
}

Result<std::string> parse_district(std::string_view text) {
  std::string compact;
  for (char ch : text) {
    if (ch == ' ' || ch == '\t') continue;
    compact += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (outward_code(compact)) return compact;
  // A full postcode is the outward code and an inward code, digit letter letter.
  if (compact.size() >= 5 && compact.size() <= 7) {
    std::string_view inward = std::string_view(compact).substr(compact.size() - 3);
    if (listings_is_digit(inward[0]) && listings_is_letter(inward[1]) && listings_is_letter(inward[2]) &&
        outward_code(std::string_view(compact).substr(0, compact.size() - 3)))
      return Status(Code::malformed, "'" + std::string(text) +
                                         "' is a full postcode, which points at a home; give only the district, "
                                         "the part before the space (" +
                                         compact.substr(0, compact.size() - 3) + ")");
  }
  return Status(Code::malformed, "'" + std::string(text) +
                                     "' is not a postcode district; give the first half of a UK postcode, "
                                     "such as LS6, M1 or SW1A");
}

bool valid_email(std::string_view address) {
  if (address.size() < 3 || address.size() > 254) return false;
  auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= address.size() ||
      address.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char ch : address) {
    auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || u == 0x7f || ch == '<' || ch == '>' || ch == '(' || ch == ')' || ch == ',' || ch == ';' ||
        ch == '"' || ch == '\\')
      return false;
  }
  std::string_view domain = address.substr(at + 1);
  return domain.find('.') != std::string_view::npos && domain.front() != '.' && domain.back() != '.';
}

Status Listings::put(const Listing& l) {
  if (l.id == 0) return Status(Code::malformed, "a listing needs an id");
  if (l.category.empty() || l.category.size() > 64)
    return Status(Code::malformed, "a listing needs a category");
  if (!utf8_characters(l.text)) return Status(Code::malformed, "the text is not UTF-8");
  if (l.text.size() > kMaxListingText)
    return Status(Code::malformed, "the text is limited to " + std::to_string(kMaxListingText) +
                                       " bytes, a line or two (this one has " + std::to_string(l.text.size()) +
                                       "); details can follow when you are put in touch");
  if (!l.district.empty()) {
    auto district = parse_district(l.district);
    if (!district.ok()) return district.status();
    if (*district != l.district) return Status(Code::malformed, "a district is stored as parse_district gives it");
  }
  if (l.days > 0x7f) return Status(Code::malformed, "a day mask has 7 bits");
  WriteBatch batch;
  batch.put(Column::directory, listing_row_key(l.owner, l.id), listings_encode(l, listing_codec));
  return store_.write(batch, Durability::synced);
}

Result<std::vector<Listing>> Listings::all() const {
  return listings_scan<Listing>(store_, kListingPrefix, listings_end_of(kListingPrefix), listing_codec,
                                "listing");
}

Result<std::vector<Listing>> Listings::of(const PublicKey& owner) const {
  const std::string from = std::string(kListingPrefix) + key_of(owner);
  return listings_scan<Listing>(store_, from, from + std::string(9, '\xff'), listing_codec, "listing");
}

Result<Listing> Listings::find(std::uint64_t id) const {
  auto every = all();
  if (!every.ok()) return every.status();
  for (auto& listing : *every)
    if (listing.id == id) return listing;
  return Status(Code::not_found, "no listing with that id");
}

Status Listings::put_respite_match(const RespiteMatch& match) {
  WriteBatch batch;
  batch.put(Column::directory, std::string(kRespiteMatchPrefix) + key_of(match.request),
            listings_encode(match, respite_match_codec));
  return store_.write(batch, Durability::synced);
}

Result<std::vector<RespiteMatch>> Listings::respite_matches() const {
  return listings_scan<RespiteMatch>(store_, kRespiteMatchPrefix, listings_end_of(kRespiteMatchPrefix),
                                     respite_match_codec, "respite match");
}

Result<AlertSettings> Listings::alerts(const PublicKey& member) const {
  std::string raw;
  Status got = store_.get(Column::directory, std::string(kAlertsPrefix) + key_of(member), &raw);
  if (got.code() == Code::not_found) {
    AlertSettings none;
    none.member = member;
    return none;
  }
  if (!got.ok()) return got;
  return listings_decode<AlertSettings>(raw, alerts_codec, "alert setting");
}

Status Listings::put_alerts(const AlertSettings& settings) {
  if (!settings.email.empty() && !valid_email(settings.email))
    return Status(Code::malformed, "'" + settings.email + "' is not an email address such as name@example.org");
  WriteBatch batch;
  batch.put(Column::directory, std::string(kAlertsPrefix) + key_of(settings.member),
            listings_encode(settings, alerts_codec));
  return store_.write(batch, Durability::synced);
}

Result<std::vector<AlertSettings>> Listings::all_alerts() const {
  return listings_scan<AlertSettings>(store_, kAlertsPrefix, listings_end_of(kAlertsPrefix), alerts_codec,
                                      "alert setting");
}

Result<std::uint64_t> Listings::erase_member(const PublicKey& member) {
  std::uint64_t erased = 0;
  WriteBatch batch;
  auto own = of(member);
  if (!own.ok()) return own.status();
  for (const auto& listing : *own) {
    batch.erase(Column::directory, listing_row_key(member, listing.id));
    ++erased;
  }
  auto matches = respite_matches();
  if (!matches.ok()) return matches.status();
  for (const auto& match : *matches)
    if (match.carer == member || match.volunteer == member) {
      batch.erase(Column::directory, std::string(kRespiteMatchPrefix) + key_of(match.request));
      ++erased;
    }
  std::string raw;
  const std::string alerts_key = std::string(kAlertsPrefix) + key_of(member);
  Status got = store_.get(Column::directory, alerts_key, &raw);
  if (got.ok()) {
    batch.erase(Column::directory, alerts_key);
    ++erased;
  } else if (got.code() != Code::not_found) {
    return got;
  }
  if (batch.empty()) return erased;
  if (Status s = store_.write(batch, Durability::synced); !s.ok()) return s;
  return erased;
}

}  // namespace cohours
