// The offers, matches and alerts endpoints: signed reads and writes by a
// member's phone, shapes checked against schemas/api, strangers refused.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../app/app_support.h"
#include "cohours/api/client_api.h"
#include "cohours/api/json_schema.h"
#include "cohours/api/request_signature.h"
#include "cohours/app/invitations.h"
#include "cohours/app/offers.h"
#include "cohours/app/vetting.h"
#include "cohours/dates.h"
#include "test_phone.h"

using namespace cohours;
using cohours::test::Phone;
using cohours::test::TestNode;
using json = nlohmann::json;

namespace {

struct OffersApi {
  TestNode t;
  api::ClientApi api{*t};

  api::ApiResponse call(const std::string& method, const std::string& target, const std::string& body,
                        const Phone& phone) {
    api::ApiRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.peer = "127.0.0.1";
    t.clock.advance_ms(1000);  // each request signed a second after the last
    const std::int64_t time = t.clock.now_ms() / 1000;
    r.key = to_hex(phone.key.public_key);
    r.time = std::to_string(time);
    r.signature = to_hex(api::sign_request(phone.key.secret_key, method, target, time, body));
    return api.handle(r);
  }
  json body_of(const api::ApiResponse& response, int status, const char* schema) {
    INFO(response.body);
    REQUIRE(response.status == status);
    json body = json::parse(response.body);
    auto text = api::schema_text(schema);
    REQUIRE(text);
    auto parsed = api::Schema::parse(json::parse(*text));
    REQUIRE(parsed.ok());
    auto problem = parsed->validate(body);
    CHECK_MESSAGE(!problem, (problem ? problem->field + ": " + problem->message : "") << " in " << body.dump());
    return body;
  }
  Phone enrol(const std::string& alias, std::vector<std::string> roles) {
    auto invited = app::invite_member(*t, {alias, std::move(roles), "dave", 72});
    REQUIRE(invited.ok());
    Phone phone;
    api::ApiRequest r;
    r.method = "POST";
    r.target = "/v1/enrol";
    r.body = json({{"code", invited->code}, {"public_key", to_hex(phone.key.public_key)}}).dump();
    r.peer = "127.0.0.1";
    REQUIRE(api.handle(r).status == 200);
    return phone;
  }
};

}  // namespace

TEST_CASE("api: a volunteer posts an offer, sees a fitting request in their matches, and withdraws") {
  OffersApi f;
  Phone erin = f.enrol("erin", {"volunteer"});
  Phone fay = f.enrol("fay", {"service-user"});
  json offer = {{"kind", "offer"}, {"category", "shopping"}, {"text", "shopping on Tuesdays"},
                {"days", "tue"}, {"district", "ls6"}};
  json posted = f.body_of(f.call("POST", "/v1/me/offers", offer.dump(), erin), 200, "listing");
  CHECK(posted["owner"] == "erin");
  CHECK(posted["district"] == "LS6");
  CHECK(posted["days"] == "tue");
  CHECK(posted["date"].is_null());

  // 2026-11-24 is a Tuesday.
  json need = {{"kind", "request"}, {"category", "shopping"}, {"text", "a weekly shop"}, {"date", "2026-11-24"},
               {"district", "LS6"}};
  f.body_of(f.call("POST", "/v1/me/offers", need.dump(), fay), 200, "listing");

  json open = f.body_of(f.call("GET", "/v1/offers", "", fay), 200, "offers");
  CHECK(open["listings"].size() == 2);
  json matches = f.body_of(f.call("GET", "/v1/me/matches", "", erin), 200, "matches");
  REQUIRE(matches["matches"].size() == 1);
  CHECK(matches["matches"][0]["what"] == "request_fits");
  CHECK(matches["matches"][0]["listing"]["owner"] == "fay");
  json theirs = f.body_of(f.call("GET", "/v1/me/matches", "", fay), 200, "matches");
  REQUIRE(theirs["matches"].size() == 1);
  CHECK(theirs["matches"][0]["volunteers"] == json::array({"erin"}));

  // fay may not withdraw erin's offer; erin may.
  json withdraw = {{"id", posted["id"]}};
  auto refused = f.call("POST", "/v1/me/offers/withdraw", withdraw.dump(), fay);
  CHECK(refused.status == 403);
  json gone = f.body_of(f.call("POST", "/v1/me/offers/withdraw", withdraw.dump(), erin), 200, "listing");
  CHECK(gone["status"] == "withdrawn");
  json mine = f.body_of(f.call("GET", "/v1/me/offers", "", erin), 200, "offers");
  REQUIRE(mine["listings"].size() == 1);
  CHECK(mine["listings"][0]["status"] == "withdrawn");
  CHECK(f.body_of(f.call("GET", "/v1/me/matches", "", erin), 200, "matches")["matches"].empty());
}

TEST_CASE("api: bad listings are refused with the field and nothing is stored") {
  OffersApi f;
  Phone erin = f.enrol("erin", {"volunteer"});
  json full = {{"kind", "offer"}, {"category", "shopping"}, {"text", "shopping"}, {"district", "LS6 1AB"}};
  auto answer = f.call("POST", "/v1/me/offers", full.dump(), erin);
  CHECK(answer.status == 400);
  CHECK(answer.body.find("full postcode") != std::string::npos);
  json unknown = {{"kind", "offer"}, {"category", "shopping"}, {"text", "x"}, {"where", "LS6"}};
  CHECK(f.call("POST", "/v1/me/offers", unknown.dump(), erin).status == 400);
  json bad_kind = {{"kind", "gift"}, {"category", "shopping"}, {"text", "x"}};
  CHECK(f.call("POST", "/v1/me/offers", bad_kind.dump(), erin).status == 400);
  CHECK(f.body_of(f.call("GET", "/v1/me/offers", "", erin), 200, "offers")["listings"].empty());
}

TEST_CASE("api: a key that is no member here reads and writes no listings") {
  OffersApi f;
  Phone stranger;
  auto read = f.call("GET", "/v1/offers", "", stranger);
  CHECK(read.status == 401);
  json offer = {{"kind", "offer"}, {"category", "shopping"}, {"text", "anything"}};
  CHECK(f.call("POST", "/v1/me/offers", offer.dump(), stranger).status == 401);
  // An unsigned request is refused too.
  api::ApiRequest r;
  r.method = "GET";
  r.target = "/v1/offers";
  CHECK(f.api.handle(r).status == 401);
}

TEST_CASE("api: alerts on, off and an email address from the phone") {
  OffersApi f;
  Phone erin = f.enrol("erin", {"volunteer"});
  json shown = f.body_of(f.call("GET", "/v1/me/alerts", "", erin), 200, "alerts");
  CHECK(shown["on"] == false);
  json on = f.body_of(f.call("POST", "/v1/me/alerts", json({{"on", true}, {"email", "erin@example.org"}}).dump(), erin),
                      200, "alerts");
  CHECK(on["on"] == true);
  CHECK(on["email"] == "erin@example.org");
  auto bad = f.call("POST", "/v1/me/alerts", json({{"email", "erin at example"}}).dump(), erin);
  CHECK(bad.status == 400);
  json off = f.body_of(f.call("POST", "/v1/me/alerts", json({{"on", false}}).dump(), erin), 200, "alerts");
  CHECK(off["on"] == false);
  CHECK(off["email"] == "erin@example.org");
  json matches = f.body_of(f.call("GET", "/v1/me/matches", "", erin), 200, "matches");
  CHECK(matches["alerts"]["on"] == false);
}
