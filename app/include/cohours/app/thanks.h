// Thank-yous: a member who received help thanks the volunteer who gave it,
// with or after confirming it (docs/decisions.md "Thank-yous"). Kept off
// the log in the erasable directory (cohours/thanks.h); the sender or the
// volunteer erases one, and `member forget` of either erases it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/thanks.h"

namespace cohours::app {

struct ThanksView {
  std::string id;  // 32 hex digits
  EntryId entry;   // the hours.log or respite.offer thanked for
  std::string from;  // the sender's name
  std::string to;    // the volunteer's name
  std::string text;
  std::int64_t sent_ms = 0;
  std::int64_t minutes = 0;   // of the help
  std::string category;       // of the help
  std::int32_t date_days = 0;  // the day the help was given
};

// thanks send. unknown_member for `as`; unknown_entry for an id that is no
// hours or respite entry; not_permitted unless `as` received that help or
// pays for it (the movement's recipient, or the member whose account pays);
// wrong_state for voided or reversed help; the book's refusals (malformed
// text, already_exists, limit_reached).
struct SendThanks {
  std::string as;
  std::string entry;  // id (or unique prefix) of the hours.log / respite.offer
  std::string text;
};
Result<ThanksView> send_thanks(Node& node, const SendThanks& request);

// thanks list: what `as` received and sent, oldest first.
struct ListThanks {
  std::string as;
};
struct ThanksList {
  std::vector<ThanksView> received;
  std::vector<ThanksView> sent;
};
Result<ThanksList> list_thanks(Node& node, const ListThanks& request);

// thanks erase. not_found for an unknown id; not_permitted unless `as` is
// its sender, its volunteer or an admin (who may take down an abusive one).
struct EraseThanks {
  std::string as;
  std::string id;  // 32 hex digits
};
struct ThanksErased {
  std::string id;
};
Result<ThanksErased> erase_thanks(Node& node, const EraseThanks& request);

}  // namespace cohours::app
