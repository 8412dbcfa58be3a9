// Role names as people give them (`--role volunteer`), shared by member add,
// member role and invitations.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/result.h"

namespace cohours::app {

// The role bits for `names`; malformed for an unknown name or none at all.
Result<std::uint32_t> parse_roles(const std::vector<std::string>& names);

}  // namespace cohours::app
