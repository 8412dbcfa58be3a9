// The replacement rate the period report values volunteer hours at, and
// the report's social value section (docs/social-value.md). The rate is a
// node setting off the log (decisions.md "Social value"): an estimate a
// board chooses, never money in the ledger, so no entry carries it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cohours/app/node.h"

namespace cohours::app {

// policy social-value: an admin sets the rate. unknown_member for `as`;
// not_permitted unless `as` is an admin here; bad_amount for a rate out of
// 1..100000 pence an hour; malformed for a missing or long source; bad_date
// for a date out of range.
struct SetSocialValueRate {
  std::string as;  // the admin
  std::int64_t pence_per_hour = 0;
  std::string source;
  std::int32_t date_days = 0;
};
// The rate as people read it; `set` false while none is set.
struct SocialValueRateView {
  bool set = false;
  std::int64_t pence_per_hour = 0;
  std::string source;
  std::int32_t date_days = 0;
  std::string set_by;  // the admin's name
  std::int64_t set_ms = 0;
  std::string currency;  // the node's
};
Result<SocialValueRateView> set_social_value_rate(Node& node, const SetSocialValueRate& request);

struct ShowSocialValueRate {};
Result<SocialValueRateView> show_social_value_rate(Node& node, const ShowSocialValueRate& request);

// The period report's social value section: each figure's method is in
// the report's definitions under the key named beside it.
struct SocialValueSection {
  SocialValueRateView rate;           // social_value_rate
  std::int64_t valued_minutes = 0;    // social_value_hours
  std::optional<std::int64_t> value_pence;  // social_value_estimate; none without a rate
  std::int64_t respite_minutes = 0;   // social_value_respite
  std::uint64_t carers_given_respite = 0;  // social_value_respite
  std::uint64_t people_helped = 0;    // social_value_people_helped
  std::uint64_t new_volunteers = 0;   // social_value_new_volunteers
  std::uint64_t stayed_active = 0;    // social_value_retention
  std::uint64_t not_active = 0;
  std::uint64_t too_early_to_tell = 0;
  std::uint64_t with_first_exchange = 0;               // social_value_days_to_first_exchange
  std::optional<std::int32_t> median_days_to_first_exchange;
  std::uint64_t no_exchange_yet = 0;
  std::string estimate_statement;  // the valuation is an estimate, never money in the ledger
  std::string no_rate_advice;      // how to set a rate, while none is set; else empty
};

}  // namespace cohours::app
