// Calls and their JSON: the replacement rate the period report values
// hours at, and thank-yous (app/social_value.h, app/thanks.h). The period
// report's social value section is defined here too, for calls_audit.h.
#pragma once

#include "cohours/app/social_value.h"
#include "cohours/app/thanks.h"
#include "cohours/control/call.h"
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetSocialValueRate, as, pence_per_hour, source, date_days)
COHOURS_JSON_EMPTY(ShowSocialValueRate)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SocialValueRateView, set, pence_per_hour, source, date_days, set_by, set_ms,
                                   currency)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SocialValueSection, rate, valued_minutes, value_pence, respite_minutes,
                                   carers_given_respite, people_helped, new_volunteers, stayed_active, not_active,
                                   too_early_to_tell, with_first_exchange, median_days_to_first_exchange,
                                   no_exchange_yet, estimate_statement, no_rate_advice)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SendThanks, as, entry, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ThanksView, id, entry, from, to, text, sent_ms, minutes, category, date_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListThanks, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ThanksList, received, sent)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EraseThanks, as, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ThanksErased, id)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::SetSocialValueRate, cohours::app::SocialValueRateView, "policy.social_value.set",
             cohours::app::set_social_value_rate)
COHOURS_CALL(cohours::app::ShowSocialValueRate, cohours::app::SocialValueRateView, "policy.social_value.show",
             cohours::app::show_social_value_rate)
COHOURS_CALL(cohours::app::SendThanks, cohours::app::ThanksView, "thanks.send", cohours::app::send_thanks)
COHOURS_CALL(cohours::app::ListThanks, cohours::app::ThanksList, "thanks.list", cohours::app::list_thanks)
COHOURS_CALL(cohours::app::EraseThanks, cohours::app::ThanksErased, "thanks.erase", cohours::app::erase_thanks)

namespace cohours::control {
using SocialCalls = CallList<app::SetSocialValueRate, app::ShowSocialValueRate, app::SendThanks, app::ListThanks,
                             app::EraseThanks>;
}  // namespace cohours::control
