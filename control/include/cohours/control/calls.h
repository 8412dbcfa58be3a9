// Every call the control socket serves: one list per group of use cases.
#pragma once

#include "cohours/control/calls_accounts.h"
#include "cohours/control/calls_audit.h"
#include "cohours/control/calls_backup.h"
#include "cohours/control/calls_exchanges.h"
#include "cohours/control/calls_expenses.h"
#include "cohours/control/calls_groups.h"
#include "cohours/control/calls_invitations.h"
#include "cohours/control/calls_members.h"
#include "cohours/control/calls_offers.h"
#include "cohours/control/calls_policy.h"
#include "cohours/control/calls_social.h"
#include "cohours/control/calls_sync.h"
#include "cohours/control/calls_vetting.h"

namespace cohours::control {
using AllCalls = JoinCalls<ExchangeCalls, AccountCalls, MemberCalls, PolicyCalls, SyncCalls, ExpenseCalls,
                           AuditCalls, InvitationCalls, VettingCalls, SocialCalls, OfferCalls, GroupCalls, BackupCalls>::type;
}  // namespace cohours::control
