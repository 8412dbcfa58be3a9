#include "cohours/control/call_lanes.h"

#include <nlohmann/json.hpp>

namespace cohours::control {

namespace {

// Calls that change nothing: no entry, no directory row, no file.
constexpr std::string_view kReadOnlyCalls[] = {
    "balance",         "statement",        "log.show",        "log.head",
    "audit.verify",    "audit.report",     "export.head",     "export.records",
    "export.accounts", "export.postings",  "export.expenses", "respite.list",
    "expense.list",    "receipt.read",     "hours.group.show", "member.invitations",
    "member.list",     "member.show",      "offers.list",     "offers.matches_for_request",
    "offers.matches_for_volunteer",        "offers.mine",     "alerts.show",
    "policy.show",     "policy.social_value.show",            "thanks.list",
    "node.describe",   "consortium.show",  "sync.status",     "clearing",
    "audit.heads",     "audit.equivocations",                 "vetting.list",
    "hours.group.show"};

}  // namespace

std::span<const std::string_view> read_only_call_names() {
  return kReadOnlyCalls;
}

CallTraits call_traits(std::string_view name) {
  CallTraits traits;
  for (std::string_view read : kReadOnlyCalls)
    if (name == read) traits.read_only = true;
  traits.long_snapshot = name == "audit.verify" || name == "audit.report";
  // Each compacts old directory rows away (decisions.md "Reads on one snapshot").
  traits.erases = name == "member.forget" || name == "member.edit" || name == "alerts.set";
  return traits;
}

std::string call_name_of(const std::string& request_json) {
  // Only the top level is kept: the daemon asks this before it runs the
  // call, of requests up to 16 MiB (a timesheet).
  nlohmann::json message = nlohmann::json::parse(
      request_json, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) { return depth <= 1; }, false);
  if (message.is_discarded() || !message.is_object() || !message.contains("call") || !message["call"].is_string())
    return "";
  return message["call"].get<std::string>();
}

}  // namespace cohours::control
