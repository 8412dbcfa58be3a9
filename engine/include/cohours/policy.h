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
  std::vector<std::string> categories = {"respite", "befriending", "transport", "shopping",
                                         "gardening", "admin", "training", "other"};

  std::int64_t floor_for_roles(std::uint32_t roles) const;
  bool category_allowed(std::string_view category) const;
};

}  // namespace cohours
