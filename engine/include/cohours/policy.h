// Limits set by admins with policy.set entries; defaults apply until then.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/entry.h"

namespace cohours {

// The trade limits between this co-op and one other (docs/decisions.md
// "Trade limits between co-ops"), as this log has recorded them.
struct ClearingLimits {
  PublicKey peer;
  // Set here (clearing.limit): the floor of this co-op's clearing account
  // for `peer`, which only the peer's transfers lower; shown, enforced by
  // the peer. The entry and the position that set it, for the peer's node
  // to cite.
  ClearingFloor ours;
  EntryId ours_entry;
  std::uint64_t ours_seq = 0;
  // Set by `peer` about this co-op, recorded here (clearing.limit.peer):
  // this log's clearing account for `peer` may hold at most -floor, the
  // most this co-op may owe the peer. `theirs_seq` is its position in the
  // peer's log (0: none recorded yet).
  ClearingFloor theirs;
  std::uint64_t theirs_seq = 0;
};
// At most this many other co-ops with limits (the policy row keeps them in
// a list8): a consortium is small.
inline constexpr std::size_t kMaxClearingPeers = 255;

struct Policy {
  // Balance floor per role, indexed by role bit position. A member's floor
  // is the lowest floor among their roles. Default 0: nobody may go into
  // debt until an admin says so.
  std::array<std::int64_t, 7> role_floor_minutes{};
  // The pool pays for service users and community work; it has no floor
  // unless an admin sets one.
  std::optional<std::int64_t> pool_floor_minutes;
  std::int64_t max_entry_minutes = 12 * 60;
  std::vector<std::string> categories = {"respite",   "befriending", "transport", "shopping",
                                         "gardening", "admin",       "training",  "other"};

  // Expense limits in pence per ExpenseCategory (index category - 1); 0
  // means no limit. A claim over the per-claim limit is refused; a member
  // over the monthly limit is flagged in reports for the approver.
  std::array<std::int64_t, kExpenseCategoryCount> expense_claim_limit_pence{};
  std::array<std::int64_t, kExpenseCategoryCount> expense_month_limit_pence{};
  // HMRC's approved mileage rate for cars, the usual volunteer rate.
  std::int64_t mileage_rate_pence = 45;
  // Activities a volunteer needs a current vetting for: hours in these
  // categories, and respite offers if "respite" is listed. Empty by default
  // so that logs made before vetting existed replay as they did; `cohours
  // init` lists "respite" for every new co-op (docs/safeguarding.md).
  std::vector<std::string> vetted_categories;

  // By peer key; only peers with a limit either way (or one removed).
  std::vector<ClearingLimits> clearing_limits;

  std::int64_t floor_for_roles(std::uint32_t roles) const;
  // The limits with `peer`, or nullptr if none was ever recorded.
  const ClearingLimits* clearing_with(const PublicKey& peer) const;
  ClearingLimits& clearing_with_or_add(const PublicKey& peer);
  bool category_allowed(std::string_view category) const;
  bool needs_vetting(std::string_view category) const;
};

}  // namespace cohours
