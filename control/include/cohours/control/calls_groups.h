// Calls and their JSON: group sessions (app/group_sessions.h). A session is
// confirmed and voided with hours.confirm and hours.void.
#pragma once

#include "cohours/app/group_sessions.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GroupVolunteer, name, minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogGroupSession, as, volunteers, minutes, with, payer, category, date_days, note)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GroupShare, member, minutes, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GroupVolunteerTime, volunteer, minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GroupSession, id, volunteers, shares, pool_pays, category, date_days, minutes,
                                   seq)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GroupLogged, entry, session)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowGroupSession, id)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::LogGroupSession, cohours::app::GroupLogged, "hours.group",
             cohours::app::log_group_session)
COHOURS_CALL(cohours::app::ShowGroupSession, cohours::app::GroupSession, "hours.group.show",
             cohours::app::show_group_session)

namespace cohours::control {
using GroupCalls = CallList<app::LogGroupSession, app::ShowGroupSession>;
}  // namespace cohours::control
