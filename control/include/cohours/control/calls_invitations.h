// Calls and their JSON: invitations to join from a phone (app/invitations.h)
// and new keys for members who lost theirs (app/rekey.h), whose new phone
// enrols with a code too. Enrolment itself comes only through the client API.
#pragma once

#include "cohours/app/invitations.h"
#include "cohours/app/rekey.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InviteMember, alias, roles, as, hours)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Invited, code, alias, roles, expires_ms)
COHOURS_JSON_EMPTY(ListInvitations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InvitationView, alias, roles, inviter, expires_ms, member)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InvitationList, invitations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RekeyMember, member, as, key, hours)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberRekeyed, entry, alias, member, retired_key, new_key, how, code,
                                   expires_ms)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::InviteMember, cohours::app::Invited, "member.invite", cohours::app::invite_member)
COHOURS_CALL(cohours::app::ListInvitations, cohours::app::InvitationList, "member.invitations",
             cohours::app::list_invitations)
COHOURS_CALL(cohours::app::RekeyMember, cohours::app::MemberRekeyed, "member.rekey",
             cohours::app::rekey_member)

namespace cohours::control {
using InvitationCalls = CallList<app::InviteMember, app::ListInvitations, app::RekeyMember>;
}  // namespace cohours::control
