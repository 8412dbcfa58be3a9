// Calls and their JSON: the co-op's limits (app/policy.h).
#pragma once

#include "cohours/app/policy.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RoleFloor, role, minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseLimit, category, pence)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ClearingLimitChange, node, floor_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetPolicy, as, role_floor, pool_floor_minutes, no_pool_floor,
                                   max_entry_minutes, claim_limits, month_limits, mileage_rate_pence,
                                   categories, vetted_categories, clearing_limit)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PolicySetDone, entry, settings)
COHOURS_JSON_EMPTY(ShowPolicy)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseLimits, category, claim_limit_pence, month_limit_pence)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PolicyClearingLimit, node, ours_minutes, theirs_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PolicyView, role_floors, pool_floor_minutes, max_entry_minutes, categories,
                                   currency, mileage_rate_pence, expense_limits, vetted_categories,
                                   clearing_limits)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::SetPolicy, cohours::app::PolicySetDone, "policy.set", cohours::app::set_policy)
COHOURS_CALL(cohours::app::ShowPolicy, cohours::app::PolicyView, "policy.show", cohours::app::show_policy)

namespace cohours::control {
using PolicyCalls = CallList<app::SetPolicy, app::ShowPolicy>;
}  // namespace cohours::control
