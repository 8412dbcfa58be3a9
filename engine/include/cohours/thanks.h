// Thank-you messages from the member who received help to the volunteer
// who gave it. Free text about people, so it never enters a signed entry:
// rows of the node-level `directory` column, erased when the sender or the
// volunteer deletes one or either is forgotten. Who may thank whom is an
// application rule (app/thanks.h); this is their storage and their bounds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

struct ThanksId : FixedBytes<16> {};

struct ThankYou {
  ThanksId id;          // thanks_id(movement, sender)
  EntryId movement;     // the hours.log or respite.offer the help was logged with
  PublicKey sender;     // the member who thanks (their identity)
  PublicKey volunteer;  // the member thanked: the movement's provider
  std::string text;     // 1..280 characters of UTF-8
  std::int64_t sent_ms = 0;
};
inline constexpr std::size_t kMaxThanksCharacters = 280;
inline constexpr std::size_t kMaxThanksBytes = 4 * kMaxThanksCharacters;  // UTF-8's widest characters
// A volunteer keeps at most this many; they erase old ones to receive more.
inline constexpr std::size_t kMaxThanksKept = 500;

// One thank-you per movement and sender: the id is derived, not random.
ThanksId thanks_id(const EntryId& movement, const PublicKey& sender);

// Thread-safe as the Store is. Writes are synced.
class ThanksBook {
 public:
  explicit ThanksBook(Store& store) : store_(store) {}

  // malformed for empty text, text that is not UTF-8 or over 280
  // characters; already_exists if this sender thanked for this movement
  // already; limit_reached if the volunteer keeps kMaxThanksKept.
  Status put(const ThankYou& thanks);
  // What a volunteer received, oldest first (ties in key order).
  Result<std::vector<ThankYou>> received(const PublicKey& volunteer) const;
  // What a member sent, oldest first (reads every thank-you: a co-op's few thousand).
  Result<std::vector<ThankYou>> sent(const PublicKey& sender) const;
  // not_found if there is none with that id.
  Result<ThankYou> find(const ThanksId& id) const;
  Status erase(const ThankYou& thanks);
  // Erases every thank-you the member sent or received; how many.
  Result<std::size_t> erase_member(const PublicKey& member);

 private:
  Result<std::vector<ThankYou>> scan(std::string_view from, std::string_view to) const;
  Store& store_;
};

}  // namespace cohours
