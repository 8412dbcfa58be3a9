// The JSON of the offers, matches and alerts endpoints (docs/api.md
// "Offers and requests", schemas/api/offers*.schema.json).
#pragma once

#include <nlohmann/json.hpp>

#include "cohours/app/alerts.h"
#include "cohours/app/offers.h"

namespace cohours::api {

nlohmann::json listing_json(const app::ListingView& listing);
nlohmann::json listings_json(const app::ListingList& list);
nlohmann::json matches_json(const app::MyMatches& matches, const app::AlertsView& alerts);
nlohmann::json alerts_json(const app::AlertsView& alerts);

}  // namespace cohours::api
