// Calls and their JSON: members and the member directory (app/members.h).
#pragma once

#include "cohours/app/members.h"
#include "cohours/app/timeoverflow_import.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AddMember, alias, roles, key, contact, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberAdded, entry, alias, key, roles, key_in_keyring)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberView, alias, key, roles, contact, joined_seq, key_in_keyring,
                                   signing_key)
COHOURS_JSON_EMPTY(ListMembers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberList, members)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowMember, member)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ChangeRoles, member, roles, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RolesChanged, entry, roles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EditMember, member, as, alias, contact, clear_contact)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberEdited, key, alias, contact)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ForgetMember, member, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberForgotten, pseudonym, notes_erased, receipts_erased,
                                   keyring_key_erased, thanks_erased)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportTimeOverflow, as, csv, file, dry_run, roles)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportedMember, line, outcome, code, message, number, name, alias,
                                   balance_minutes, key, opening)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimeOverflowImported, rows, added, already_imported, refused, dry_run,
                                   file_digest, net_minutes)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::AddMember, cohours::app::MemberAdded, "member.add", cohours::app::add_member)
COHOURS_CALL(cohours::app::ListMembers, cohours::app::MemberList, "member.list", cohours::app::list_members)
COHOURS_CALL(cohours::app::ShowMember, cohours::app::MemberView, "member.show", cohours::app::show_member)
COHOURS_CALL(cohours::app::ChangeRoles, cohours::app::RolesChanged, "member.role", cohours::app::change_roles)
COHOURS_CALL(cohours::app::EditMember, cohours::app::MemberEdited, "member.edit", cohours::app::edit_member)
COHOURS_CALL(cohours::app::ForgetMember, cohours::app::MemberForgotten, "member.forget",
             cohours::app::forget_member)
COHOURS_CALL(cohours::app::ImportTimeOverflow, cohours::app::TimeOverflowImported, "member.import_timeoverflow",
             cohours::app::import_timeoverflow)

namespace cohours::control {
using MemberCalls = CallList<app::AddMember, app::ListMembers, app::ShowMember, app::ChangeRoles,
                             app::EditMember, app::ForgetMember, app::ImportTimeOverflow>;
}  // namespace cohours::control
