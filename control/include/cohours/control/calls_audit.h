// Calls and their JSON: the audit of the node's log, the period report and
// the export's pages (app/audit.h, app/reports.h, app/export.h). `reindex`
// and the check of an export are no calls: the first runs only where no
// daemon holds the store, the second needs no node at all.
#pragma once

#include "cohours/app/audit.h"
#include "cohours/app/export.h"
#include "cohours/app/reports.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_accounts.h"  // AccountId
#include "cohours/control/calls_social.h"    // SocialValueSection
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KeptHeadsFile, name, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VerifyLog, known_heads, node)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogAudit, log, passed, records, signatures, hash_links, tree_nodes, heads,
                                   known_heads, accounts, derived_rows, root, state_digest, first_bad_seq,
                                   failure)

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowPeriodReport, from_days, to_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MonthMinutes, month, minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CategoryMinutes, category, minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MemberMinutes, member, minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PoolFlow, opening_minutes, paid_out_minutes, received_minutes,
                                   closing_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PendingHours, id, provider, recipient, minutes, date_days, recorded_days,
                                   age_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpenseTotals, count, claimed_pence, approved_pence, rejected_pence,
                                   paid_pence)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CategoryExpenses, category, totals)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PaymentItem, claim, member, category, pence, claim_date_days, paid_days,
                                   recorded_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UnusualItem, kind, description, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExpiringVetting, id, volunteer, kind, expires_days, days_left)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(GroupSessionTotals, sessions, volunteers, members_helped, places,
                                   volunteer_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FigureDefinition, figure, definition)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PeriodReport, coop, currency, from_days, to_days, generated_ms,
                                   hours_by_month, hours_by_category, hours_per_person, active_volunteers,
                                   active_carers, respite_minutes, pool, pending_over_14_days,
                                   expenses_by_category, expenses_totals, payments, unusual, vettings_expiring,
                                   social_value, group_sessions, definitions)

COHOURS_JSON_EMPTY(StartExport)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExportHead, node_name, node_key, currency, size, root, time_ms,
                                   signed_head_hex, state_digest, exported_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExportPage, rows, next)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExportRecords, from_seq, to_seq)
COHOURS_JSON_EMPTY(ExportAccounts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExportAccountList, rows, accounts)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExportPostings, account, from_seq)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ExportExpenses, from)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::VerifyLog, cohours::app::LogAudit, "audit.verify", cohours::app::verify_log)
COHOURS_CALL(cohours::app::ShowPeriodReport, cohours::app::PeriodReport, "audit.report",
             cohours::app::period_report)
COHOURS_CALL(cohours::app::StartExport, cohours::app::ExportHead, "export.head", cohours::app::start_export)
COHOURS_CALL(cohours::app::ExportRecords, cohours::app::ExportPage, "export.records",
             cohours::app::export_records)
COHOURS_CALL(cohours::app::ExportAccounts, cohours::app::ExportAccountList, "export.accounts",
             cohours::app::export_accounts)
COHOURS_CALL(cohours::app::ExportPostings, cohours::app::ExportPage, "export.postings",
             cohours::app::export_postings)
COHOURS_CALL(cohours::app::ExportExpenses, cohours::app::ExportPage, "export.expenses",
             cohours::app::export_expenses)

namespace cohours::control {
using AuditCalls = CallList<app::VerifyLog, app::ShowPeriodReport, app::StartExport, app::ExportRecords,
                            app::ExportAccounts, app::ExportPostings, app::ExportExpenses>;
}  // namespace cohours::control
