// Calls and their JSON: invitations to join from a phone (app/invitations.h).
// Enrolment itself comes only through the client API.
#pragma once

#include "cohours/app/invitations.h"
#include "cohours/control/call.h"
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InviteMember, alias, roles, as, hours)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Invited, code, alias, roles, expires_ms)
COHOURS_JSON_EMPTY(ListInvitations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InvitationView, alias, roles, inviter, expires_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InvitationList, invitations)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::InviteMember, cohours::app::Invited, "member.invite", cohours::app::invite_member)
COHOURS_CALL(cohours::app::ListInvitations, cohours::app::InvitationList, "member.invitations",
             cohours::app::list_invitations)

namespace cohours::control {
using InvitationCalls = CallList<app::InviteMember, app::ListInvitations>;
}  // namespace cohours::control
