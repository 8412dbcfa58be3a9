#include "render_offers.h"

#include "cohours/dates.h"

namespace cohours::api {

using json = nlohmann::json;

json listing_json(const app::ListingView& l) {
  return {{"id", l.id},
          {"owner", l.owner},
          {"kind", listing_kind_name(l.kind)},
          {"category", l.category},
          {"text", l.text},
          {"days", l.date_days ? json(nullptr) : json(l.days)},
          {"date", l.date_days ? json(format_date(*l.date_days)) : json(nullptr)},
          {"district", l.district},
          {"status", listing_status_name(l.status)},
          {"created", format_time_ms(l.created_ms)},
          {"matched_with", l.matched_with}};
}

json listings_json(const app::ListingList& list) {
  json rows = json::array();
  for (const auto& l : list.listings) rows.push_back(listing_json(l));
  return {{"listings", rows}};
}

json alerts_json(const app::AlertsView& a) {
  return {{"on", a.on},
          {"email", a.email},
          {"last_digest", a.last_digest_ms ? json(format_time_ms(a.last_digest_ms)) : json(nullptr)}};
}

json matches_json(const app::MyMatches& m, const app::AlertsView& alerts) {
  json rows = json::array();
  for (const auto& n : m.notices) {
    json row = {{"what", n.what},
                {"since", format_time_ms(n.since_ms)},
                {"other", n.other},
                {"volunteers", n.volunteers}};
    row["listing"] = n.listing ? listing_json(*n.listing) : json(nullptr);
    if (n.respite)
      row["respite"] = {{"id", n.respite->id},
                        {"carer", n.respite->carer},
                        {"minutes", n.respite->minutes},
                        {"date", format_date(n.respite->date_days)}};
    else
      row["respite"] = nullptr;
    rows.push_back(row);
  }
  return {{"member", m.member}, {"matches", rows}, {"alerts", alerts_json(alerts)}};
}

}  // namespace cohours::api
