// The co-op's limits (DESIGN.md, ledger rule 4): set by an admin in one
// policy.set entry, shown as people read them. What each value may be is
// the engine's rule; this layer names roles and categories.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/submission.h"
#include "cohours/entry.h"

namespace cohours::app {

struct RoleFloor {
  std::string role;  // a role name
  std::int64_t minutes = 0;
};
struct ExpenseLimit {
  ExpenseCategory category = ExpenseCategory::other;
  std::int64_t pence = 0;  // 0: no limit
};

// How far another co-op of the consortium (by its name in the consortium
// file) may go into debt with this one in clearing, in minutes: zero or
// negative, or nullopt for no limit (docs/decisions.md "Trade limits
// between co-ops"). Its own entry (clearing.limit), so it is set alone.
struct ClearingLimitChange {
  std::string node;
  std::optional<std::int64_t> floor_minutes;
};

// policy set: every setting given goes into one entry, in this order, and
// takes effect together or not at all. unknown_member for `as`; malformed
// for an unknown role; unknown_category for a category name that is not
// 1-32 of a-z, 0-9, '-'; the ledger's refusal (not_permitted for a
// non-admin, bad_amount for a value out of range, malformed for no setting).
struct SetPolicy {
  std::string as;  // the admin who signs
  std::optional<RoleFloor> role_floor;
  std::optional<std::int64_t> pool_floor_minutes;
  bool no_pool_floor = false;  // removes the pool's floor
  std::optional<std::int64_t> max_entry_minutes;
  std::vector<ExpenseLimit> claim_limits;  // per claim: over it is refused
  std::vector<ExpenseLimit> month_limits;  // per member and month: over it is flagged
  std::optional<std::int64_t> mileage_rate_pence;
  std::optional<std::vector<std::string>> categories;  // the complete new list
  // The complete new list of activities that need a current safeguarding
  // check (docs/safeguarding.md); empty: none.
  std::optional<std::vector<std::string>> vetted_categories;
  // Alone (malformed with any other setting); unknown_member for a name
  // the consortium file does not list, malformed for this node's own.
  std::optional<ClearingLimitChange> clearing_limit;
};
struct PolicySetDone {
  Accepted entry;
  std::uint32_t settings = 0;  // how many settings the entry holds
};
Result<PolicySetDone> set_policy(Node& node, const SetPolicy& request);

// policy show: the limits in force.
struct ShowPolicy {};
struct ExpenseLimits {
  std::string category;  // expense category name
  std::int64_t claim_limit_pence = 0;
  std::int64_t month_limit_pence = 0;
};
// Trade limits with another co-op, by its node name: set here (how far that
// co-op may owe this one) and set there about this co-op, as recorded here.
struct PolicyClearingLimit {
  std::string node;
  std::optional<std::int64_t> ours_minutes;
  std::optional<std::int64_t> theirs_minutes;
};
struct PolicyView {
  std::vector<RoleFloor> role_floors;  // every role, in role order
  std::optional<std::int64_t> pool_floor_minutes;
  std::int64_t max_entry_minutes = 0;
  std::vector<std::string> categories;
  std::string currency;  // of the cash amounts below
  std::int64_t mileage_rate_pence = 0;
  std::vector<ExpenseLimits> expense_limits;  // every expense category, in order
  std::vector<std::string> vetted_categories;
  std::vector<PolicyClearingLimit> clearing_limits;  // by node key
};
Result<PolicyView> show_policy(Node& node, const ShowPolicy& request);

}  // namespace cohours::app
