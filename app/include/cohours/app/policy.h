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
struct PolicyView {
  std::vector<RoleFloor> role_floors;  // every role, in role order
  std::optional<std::int64_t> pool_floor_minutes;
  std::int64_t max_entry_minutes = 0;
  std::vector<std::string> categories;
  std::string currency;  // of the cash amounts below
  std::int64_t mileage_rate_pence = 0;
  std::vector<ExpenseLimits> expense_limits;  // every expense category, in order
  std::vector<std::string> vetted_categories;
};
Result<PolicyView> show_policy(Node& node, const ShowPolicy& request);

}  // namespace cohours::app
