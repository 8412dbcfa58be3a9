// Calls and their JSON: offers and requests, matches and alerts
// (app/offers.h, app/alerts.h).
#pragma once

#include "cohours/app/alerts.h"
#include "cohours/app/offers.h"
#include "cohours/control/call.h"
#include "cohours/control/calls_exchanges.h"  // Accepted
#include "cohours/control/json_basics.h"

namespace cohours::app {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListingView, id, owner, kind, category, text, days, date_days, district, status,
                                   created_ms, matched_with)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PostListing, as, kind, category, text, days, date_days, district)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(WithdrawListing, as, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListListings, as, kind, mine)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ListingList, listings)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Candidate, volunteer, offer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Unvetted, volunteer, offer, why)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RespiteFit, id, carer, minutes, date_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MatchesForRequest, as, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RequestMatches, request, volunteers, unvetted)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MatchesForVolunteer, as, volunteer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VolunteerMatches, volunteer, requests, respite)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MatchVolunteer, as, id, volunteer)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MatchMade, listing, respite, volunteer, requester, offer, volunteer_asked)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MatchNotice, what, since_ms, listing, respite, volunteers, other)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowMyMatches, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MyMatches, member, notices)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetAlerts, as, member, on, email)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ShowAlerts, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AlertsView, member, on, email, last_digest_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MailRelay, host, port, from, every_minutes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetMailRelay, as, relay)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SendDigests, as)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DigestsSent, sent, nothing_new, failures)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::PostListing, cohours::app::ListingView, "offers.post", cohours::app::post_listing)
COHOURS_CALL(cohours::app::WithdrawListing, cohours::app::ListingView, "offers.withdraw",
             cohours::app::withdraw_listing)
COHOURS_CALL(cohours::app::ListListings, cohours::app::ListingList, "offers.list", cohours::app::list_listings)
COHOURS_CALL(cohours::app::MatchesForRequest, cohours::app::RequestMatches, "offers.matches_for_request",
             cohours::app::matches_for_request)
COHOURS_CALL(cohours::app::MatchesForVolunteer, cohours::app::VolunteerMatches, "offers.matches_for_volunteer",
             cohours::app::matches_for_volunteer)
COHOURS_CALL(cohours::app::MatchVolunteer, cohours::app::MatchMade, "offers.match", cohours::app::match_volunteer)
COHOURS_CALL(cohours::app::ShowMyMatches, cohours::app::MyMatches, "offers.mine", cohours::app::my_matches)
COHOURS_CALL(cohours::app::SetAlerts, cohours::app::AlertsView, "alerts.set", cohours::app::set_alerts)
COHOURS_CALL(cohours::app::ShowAlerts, cohours::app::AlertsView, "alerts.show", cohours::app::show_alerts)
COHOURS_CALL(cohours::app::SetMailRelay, cohours::app::MailRelay, "alerts.relay", cohours::app::set_mail_relay)
COHOURS_CALL(cohours::app::SendDigests, cohours::app::DigestsSent, "alerts.send_digest",
             cohours::app::send_digests)

namespace cohours::control {
using OfferCalls = CallList<app::PostListing, app::WithdrawListing, app::ListListings, app::MatchesForRequest,
                            app::MatchesForVolunteer, app::MatchVolunteer, app::ShowMyMatches, app::SetAlerts,
                            app::ShowAlerts, app::SetMailRelay, app::SendDigests>;
}  // namespace cohours::control
