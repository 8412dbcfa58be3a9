// Limits set by admins with policy.set entries; defaults apply until then.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cohours/entry.h"

namespace cohours {

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

  std::int64_t floor_for_roles(std::uint32_t roles) const;
  bool category_allowed(std::string_view category) const;
  bool needs_vetting(std::string_view category) const;
};

}  // namespace cohours
