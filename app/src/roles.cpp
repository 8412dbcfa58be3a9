#include "roles.h"

#include "cohours/entry.h"

namespace cohours::app {

Result<std::uint32_t> parse_roles(const std::vector<std::string>& names) {
  std::uint32_t roles = 0;
  for (const auto& name : names) {
    auto role = parse_role(name);
    if (!role)
      return Result<std::uint32_t>(Code::malformed, "unknown role '" + name +
                                                        "'; roles are volunteer, carer, service-user, staff, "
                                                        "coordinator, admin, auditor");
    roles |= *role;
  }
  if (roles == 0) return Result<std::uint32_t>(Code::malformed, "give at least one --role");
  return roles;
}

}  // namespace cohours::app
