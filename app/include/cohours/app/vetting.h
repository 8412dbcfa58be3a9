// Safeguarding checks (docs/safeguarding.md): an admin or coordinator
// records that they saw a volunteer's check (a DBS certificate, say), and
// withdraws it when it no longer holds. Which activities need a current
// check, and whether one is current on the day of the help, are the
// engine's rules; this layer names members and kinds, keeps the
// certificate number and the reason off the log, and lists the checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

// Where a check stands on a given day.
enum class VettingStanding { current, not_yet_valid, expired, withdrawn };
const char* vetting_standing_name(VettingStanding standing);  // "current", "expired", ...

// A check as people read it.
struct VettingView {
  EntryId id;
  std::string volunteer;  // names.h member_name
  VettingKind kind = VettingKind::dbs_enhanced_barred;
  std::int32_t issued_days = 0;
  std::int32_t expires_days = 0;
  std::string checker;  // who recorded it
  VettingStanding standing = VettingStanding::current;
  std::int32_t days_left = 0;  // current: days until it expires (0: its last day is today)
  bool certificate_kept = false;  // a certificate number is held in the notes (not erased)
  std::string withdrawn_by;       // empty unless withdrawn
  std::string reason;             // private; "(erased)" once erased
};

// vetting record: `as` (an admin or coordinator) saw `volunteer`'s check of
// `kind` (vetting_kind_name), valid from `issued_days` to `expires_days`.
// `certificate` (optional) is kept in the erasable notes; only its keyed
// digest is signed. `volunteer` is a member's alias or key, or the key of a
// visiting volunteer of another co-op. unknown_member for `as` or an alias
// nobody has; malformed for
// an unknown kind; the ledger's refusal otherwise (not_permitted, bad_date,
// limit_reached).
struct RecordVetting {
  std::string as;
  std::string volunteer;
  std::string kind;
  std::int32_t issued_days = 0;
  std::int32_t expires_days = 0;
  std::string certificate;
};
struct VettingRecorded {
  Accepted entry;
  VettingView vetting;
};
Result<VettingRecorded> record_vetting(Node& node, const RecordVetting& request);

// vetting withdraw: `as` withdraws the check `id` (a prefix of it, as
// shown by `vetting list`) for `reason`, kept off the log. malformed for an
// empty reason; unknown_entry for an id that names no check; the ledger's
// refusal otherwise (not_permitted, wrong_state if already withdrawn).
struct WithdrawVetting {
  std::string as;
  std::string id;
  std::string reason;
};
struct VettingWithdrawn {
  Accepted entry;
  VettingView vetting;
};
Result<VettingWithdrawn> withdraw_vetting(Node& node, const WithdrawVetting& request);

// vetting list: the checks recorded, by volunteer then issue date. Only one
// volunteer's if `volunteer` is set; with `expiring_within_days`, only the
// checks current today that expire within that many days, soonest first.
// Withdrawn and expired checks are listed only if `all` is set.
struct ListVettings {
  std::string volunteer;
  std::optional<std::int32_t> expiring_within_days;
  bool all = false;
};
struct VettingList {
  std::int32_t today_days = 0;
  std::vector<std::string> vetted_categories;  // what needs a current check (policy)
  std::vector<VettingView> vettings;
};
Result<VettingList> list_vettings(Node& node, const ListVettings& request);

}  // namespace cohours::app
