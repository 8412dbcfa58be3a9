// One key, several co-ops through the client API (issue 16): a phone app
// served by one node calls another's API across origins (CORS), enrols
// there with the key it already has, reads each balance, and an entry it
// signed for one node is refused by the other.
#include <nlohmann/json.hpp>

#include "cohours/api/client_api.h"
#include "cohours/api/request_signature.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/invitations.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "test_phone.h"

#include "../app/app_support.h"

using namespace cohours;
using cohours::test::Phone;
using cohours::test::TestNode;
using json = nlohmann::json;

namespace {

struct ApiNode {
  TestNode t;
  api::ClientApi api{*t};

  api::ApiResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                        const Phone* phone = nullptr) {
    api::ApiRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.peer = "127.0.0.1";
    if (phone) {
      t.clock.advance_ms(1000);
      const std::int64_t time = t.clock.now_ms() / 1000;
      r.key = to_hex(phone->key.public_key);
      r.time = std::to_string(time);
      r.signature = to_hex(api::sign_request(phone->key.secret_key, method, target, time, body));
    }
    return api.handle(r);
  }
  void enrol(const Phone& phone, const std::string& alias, const std::string& role) {
    auto invited = app::invite_member(*t, {alias, {role}, "dave", 72});
    REQUIRE(invited.ok());
    json body = {{"code", invited->code}, {"public_key", to_hex(phone.key.public_key)}};
    auto answer = call("POST", "/v1/enrol", body.dump());
    INFO(answer.body);
    REQUIRE(answer.status == 200);
  }
  json me(const Phone& phone) {
    auto answer = call("GET", "/v1/me", "", &phone);
    INFO(answer.body);
    REQUIRE(answer.status == 200);
    return json::parse(answer.body);
  }
  std::string sign_for(Phone& phone, const PublicKey& node, EntryBody body) {
    Entry entry{kEntryFormatVersion, node, phone.key.public_key, {}, t.clock.now_ms(), ++phone.nonce,
                std::move(body)};
    return to_hex(sign_entry(entry, phone.key.secret_key).bytes);
  }
};

std::string cors_header(const api::ApiResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers)
    if (key == name) return value;
  return "";
}

}  // namespace

TEST_CASE("cross-origin calls: a preflight is answered, and every answer may be read by any origin") {
  ApiNode n;
  auto preflight = n.call("OPTIONS", "/v1/me");
  CHECK(preflight.status == 204);
  CHECK(preflight.body.empty());
  CHECK(cors_header(preflight, "Access-Control-Allow-Origin") == "*");
  CHECK(cors_header(preflight, "Access-Control-Allow-Methods") == "GET, POST");
  const std::string allowed = cors_header(preflight, "Access-Control-Allow-Headers");
  for (const char* name : {"Content-Type", "X-Cohours-Key", "X-Cohours-Time", "X-Cohours-Signature"})
    CHECK(allowed.find(name) != std::string::npos);
  // A preflight changes nothing and needs no signature; the request it
  // announces is still judged on its own.
  const std::uint64_t size = n.t.node->ledger().log_size();
  CHECK(n.call("OPTIONS", "/v1/entries").status == 204);
  CHECK(n.t.node->ledger().log_size() == size);
  for (const auto& answer : {n.call("GET", "/v1/health"), n.call("GET", "/v1/me"), n.call("GET", "/v2/x")}) {
    CHECK(cors_header(answer, "Access-Control-Allow-Origin") == "*");
    CHECK(cors_header(answer, "Access-Control-Expose-Headers") == "Date, Retry-After");
  }
  CHECK(n.call("GET", "/v1/me").status == 401);  // unsigned: still refused
}

TEST_CASE("one phone key at two nodes: enrols at both, reads each balance, and entries stay with their node") {
  ApiNode hill, river;
  Phone jo;
  hill.enrol(jo, "jo", "volunteer");
  river.enrol(jo, "jo", "carer");
  const PublicKey hill_key = hill.t.node->ledger().node_key(), river_key = river.t.node->ledger().node_key();

  // Jo gives Bob an hour at Hilltop; a coordinator there confirms it.
  HoursLog hours{hill.t.key("bob"), Payer::pool, 60, "befriending", days_from_ms(hill.t.clock.now_ms()), {}};
  const std::string entry = hill.sign_for(jo, hill_key, hours);
  auto stored = hill.call("POST", "/v1/entries", json{{"entries", {entry}}}.dump(), &jo);
  json results = json::parse(stored.body);
  REQUIRE_MESSAGE(results["results"][0]["status"] == "stored", stored.body);
  REQUIRE(app::confirm_hours(*hill.t, {results["results"][0]["id"].get<std::string>(), "bob"}).ok());

  json at_hill = hill.me(jo), at_river = river.me(jo);
  CHECK(at_hill["node_key"] == to_hex(hill_key));
  CHECK(at_river["node_key"] == to_hex(river_key));
  CHECK(at_hill["key"] == at_river["key"]);
  CHECK(at_hill["balance_minutes"] == 60);
  CHECK(at_river["balance_minutes"] == 0);
  CHECK(at_river["roles"] == json::array({"carer"}));

  // The bytes signed for Hilltop, posted to Riverside: refused for the node they name.
  const std::uint64_t size = river.t.node->ledger().log_size();
  auto replayed = river.call("POST", "/v1/entries", json{{"entries", {entry}}}.dump(), &jo);
  json refused = json::parse(replayed.body);
  CHECK(refused["results"][0]["status"] == "refused");
  CHECK(refused["results"][0]["error"] == "wrong_node");
  CHECK(river.t.node->ledger().log_size() == size);
}
