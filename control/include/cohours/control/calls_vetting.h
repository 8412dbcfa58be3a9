// Calls and their JSON: safeguarding checks (app/vetting.h).
#pragma once

#include "cohours/app/vetting.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VettingView, id, volunteer, kind, issued_days, expires_days, checker, standing,
                                   days_left, certificate_kept, withdrawn_by, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RecordVetting, as, volunteer, kind, issued_days, expires_days, certificate)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VettingRecorded, entry, vetting)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(WithdrawVetting, as, id, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VettingWithdrawn, entry, vetting)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListVettings, volunteer, expiring_within_days, all)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VettingList, today_days, vetted_categories, vettings)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::RecordVetting, cohours::app::VettingRecorded, "vetting.record",
             cohours::app::record_vetting)
COHOURS_CALL(cohours::app::WithdrawVetting, cohours::app::VettingWithdrawn, "vetting.withdraw",
             cohours::app::withdraw_vetting)
COHOURS_CALL(cohours::app::ListVettings, cohours::app::VettingList, "vetting.list", cohours::app::list_vettings)

namespace cohours::control {
using VettingCalls = CallList<app::RecordVetting, app::WithdrawVetting, app::ListVettings>;
}  // namespace cohours::control
