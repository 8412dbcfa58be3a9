// Each file registers one group of subcommands on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "cohours/app/input.h"
#include "session.h"

namespace cohours::cli {

void add_node_commands(CLI::App& app, GlobalOptions& options);    // init, policy
void add_member_commands(CLI::App& app, GlobalOptions& options);  // member
// `member invite` and `member invitations`, registered under member.
void add_invitation_commands(CLI::App& member, GlobalOptions& options);
void add_exchange_commands(CLI::App& app, GlobalOptions& options);  // hours, respite, transfer, reverse
// `hours import`, registered under hours (commands_import.cpp).
void add_hours_import_command(CLI::App& hours, GlobalOptions& options);
void add_member_import_command(CLI::App& member, GlobalOptions& options);  // member import-timeoverflow
// `hours group` and `hours group-show`, registered under hours (commands_group.cpp).
void add_hours_group_commands(CLI::App& hours, GlobalOptions& options);
void add_report_commands(CLI::App& app, GlobalOptions& options);    // balance, statement, log
void add_audit_commands(CLI::App& app, GlobalOptions& options);     // audit, reindex
// `audit report`, registered under the audit command.
void add_report_command(CLI::App& audit, GlobalOptions& options);
void add_expense_commands(CLI::App& app, GlobalOptions& options);  // expense
void add_vetting_commands(CLI::App& app, GlobalOptions& options);  // vetting
void add_thanks_commands(CLI::App& app, GlobalOptions& options);   // thanks (commands_social.cpp)
// `policy social-value`, registered under policy (commands_social.cpp).
void add_social_value_command(CLI::App& policy, GlobalOptions& options);
void add_offers_commands(CLI::App& app, GlobalOptions& options);   // offers, alerts
void add_export_commands(CLI::App& app, GlobalOptions& options);   // export
void add_sync_commands(CLI::App& app, GlobalOptions& options);     // consortium, sync, clearing
void add_key_commands(CLI::App& app, GlobalOptions& options);      // key status, protect, unprotect
// backup, restore, node i-am-alone (after add_node_commands, which makes `node`).
void add_backup_commands(CLI::App& app, GlobalOptions& options);
// `audit heads` and `audit equivocations`, registered under the audit command.
void add_audit_sync_commands(CLI::App& audit, GlobalOptions& options);
// `audit verify --export DIR`: checks an export without the node's store
// (commands_export.cpp). `node_key_hex` empty: trust the key in the export.
void run_verify_export(const GlobalOptions& options, const std::string& dir, const std::string& node_key_hex);

// Strict parsing of user-typed values; failures are CliErrors with the
// matching code (bad_amount, bad_date).
std::int64_t parse_minutes_arg(const std::string& text, const char* option);
// A whole number of `unit` (e.g. "pence (1240 for 12.40)"), or bad_amount.
std::int64_t parse_whole_arg(const std::string& text, const char* option, const char* unit);
// YYYY-MM-DD, today or yesterday (the process's clock), or bad_date.
std::int32_t parse_date_arg(const std::string& text, const char* option);
// YYYY-MM -> its first and last day, or bad_date.
app::DayRange parse_month_arg(const std::string& text, const char* option);

// A subcommand that accepts the global options after its own (fallthrough).
CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description);

}  // namespace cohours::cli
