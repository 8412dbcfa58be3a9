// Thank-yous as the API answers them (schemas/api/thank-you.schema.json,
// thanks.schema.json).
#include "cohours/dates.h"
#include "render.h"

namespace cohours::api {

nlohmann::json thank_you_json(const app::ThanksView& t) {
  return {{"id", t.id},
          {"entry", to_hex(t.entry)},
          {"from", t.from},
          {"to", t.to},
          {"text", t.text},
          {"sent", format_time_ms(t.sent_ms)},
          {"minutes", t.minutes},
          {"category", t.category},
          {"date", format_date(t.date_days)}};
}

nlohmann::json thanks_list_json(const app::ThanksList& list) {
  nlohmann::json received = nlohmann::json::array(), sent = nlohmann::json::array();
  for (const auto& t : list.received) received.push_back(thank_you_json(t));
  for (const auto& t : list.sent) sent.push_back(thank_you_json(t));
  return {{"received", received}, {"sent", sent}};
}

}  // namespace cohours::api
