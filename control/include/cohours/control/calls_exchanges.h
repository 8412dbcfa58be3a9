// Calls and their JSON: hours, respite, transfers, reversals (app/exchanges.h).
#pragma once

#include "cohours/app/exchanges.h"
#include "cohours/app/timesheet_import.h"
#include "cohours/control/call.h"
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Accepted, id, seq, duplicate)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MovementView, id, kind, status, provider, recipient, payer, payee,
                                   pool_pays, minutes, category, date_days, seq, group, group_volunteers,
                                   group_members, member_number, legs)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogHours, as, on_behalf_of, to, minutes, category, date_days, note, again)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HoursLogged, entry, movement, other_coop, provider)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportHours, as, csv, file, dry_run, again)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportedRow, line, outcome, code, message, id, volunteer, recipient, date_days,
                                   minutes, category)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HoursImported, rows, added, already_imported, refused, dry_run, file_digest)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConfirmHours, id, as, for_member)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VoidHours, id, as, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HoursClosed, entry, movement)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RequestRespite, as, minutes, date_days, note)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OfferRespite, id, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CancelRespite, id, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RespiteView, id, carer, minutes, date_days, status, offer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RespiteDone, entry, request, volunteer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListRespite, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RespiteList, requests)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SendCredits, as, to, minutes, memo)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreditsSent, entry, sender, recipient, other_node)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reverse, id, as, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reversed, entry, movement)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::LogHours, cohours::app::HoursLogged, "hours.log", cohours::app::log_hours)
COHOURS_CALL(cohours::app::ImportHours, cohours::app::HoursImported, "hours.import",
             cohours::app::import_hours)
COHOURS_CALL(cohours::app::ConfirmHours, cohours::app::HoursClosed, "hours.confirm",
             cohours::app::confirm_hours)
COHOURS_CALL(cohours::app::VoidHours, cohours::app::HoursClosed, "hours.void", cohours::app::void_hours)
COHOURS_CALL(cohours::app::RequestRespite, cohours::app::RespiteDone, "respite.request",
             cohours::app::request_respite)
COHOURS_CALL(cohours::app::OfferRespite, cohours::app::RespiteDone, "respite.offer",
             cohours::app::offer_respite)
COHOURS_CALL(cohours::app::CancelRespite, cohours::app::RespiteDone, "respite.cancel",
             cohours::app::cancel_respite)
COHOURS_CALL(cohours::app::ListRespite, cohours::app::RespiteList, "respite.list", cohours::app::list_respite)
COHOURS_CALL(cohours::app::SendCredits, cohours::app::CreditsSent, "transfer", cohours::app::send_credits)
COHOURS_CALL(cohours::app::Reverse, cohours::app::Reversed, "reverse", cohours::app::reverse)

namespace cohours::control {
using ExchangeCalls =
    CallList<app::LogHours, app::ImportHours, app::ConfirmHours, app::VoidHours, app::RequestRespite, app::OfferRespite,
             app::CancelRespite, app::ListRespite, app::SendCredits, app::Reverse>;
}  // namespace cohours::control
