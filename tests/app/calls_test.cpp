// The control socket's calls (control/calls_*.h) driven through
// control::serve_call as the daemon runs them: JSON in, JSON out, one
// request of each group, and the answers to requests that do not decode.
#include "cohours/control/server.h"

#include "app_support.h"
#include "cohours/control/calls.h"
#include "cohours/control/client.h"

using namespace cohours;
using cohours::test::TestNode;
using nlohmann::json;

namespace {

json serve(app::Node& node, const std::string& call, const json& request) {
  const std::string answer = control::serve_call(
      node, json{{"version", control::kProtocolVersion}, {"call", call}, {"request", request}}.dump());
  json parsed = json::parse(answer, nullptr, false);
  REQUIRE_FALSE(parsed.is_discarded());
  return parsed;
}

// Every request and reply type of every call survives its JSON.
template <typename Type>
void round_trips() {
  Type value{};
  json encoded = value;
  CHECK(json(encoded.get<Type>()) == encoded);
}
template <typename... Requests>
void every_call_round_trips(control::CallList<Requests...>) {
  (round_trips<Requests>(), ...);
  (round_trips<typename control::Call<Requests>::ReplyType>(), ...);
}

}  // namespace

TEST_CASE("every call's request and reply encode and decode") {
  every_call_round_trips(control::AllCalls{});
}

TEST_CASE("members: member.add and member.list through serve_call") {
  TestNode t;
  json added =
      serve(*t, "member.add",
            {{"alias", "erin"}, {"roles", {"carer"}}, {"key", ""}, {"contact", "07700"}, {"as", "dave"}});
  REQUIRE(added["ok"] == true);
  auto reply = control::result_from_json<app::MemberAdded>(added);
  REQUIRE(reply.ok());
  CHECK(reply->alias == "erin");
  CHECK(reply->roles == role_carer);
  CHECK(reply->key_in_keyring);
  CHECK(added["reply"]["key"] == to_hex(reply->key));

  json refused = serve(*t, "member.add",
                       {{"alias", "pool"}, {"roles", {"carer"}}, {"key", ""}, {"contact", ""}, {"as", ""}});
  CHECK(refused["ok"] == false);
  CHECK(refused["code"] == "malformed");
  CHECK(refused["message"] == "'pool' is a reserved word; choose another alias");

  json list = serve(*t, "member.list", json::object());
  REQUIRE(list["ok"] == true);
  CHECK(list["reply"]["members"].size() == 5);
  CHECK(list["reply"]["members"][0]["alias"] == "alice");
}

TEST_CASE("members: member.rekey through serve_call") {
  TestNode t;
  json rekeyed = serve(*t, "member.rekey", {{"member", "alice"}, {"as", "dave"}, {"key", ""}, {"hours", 72}});
  REQUIRE(rekeyed["ok"] == true);
  auto reply = control::result_from_json<app::MemberRekeyed>(rekeyed);
  REQUIRE(reply.ok());
  CHECK(reply->how == app::NewKey::keyring);  // alice's key was in the keyring
  CHECK(reply->retired_key == t.key("alice"));
  CHECK(t.node->keyring().holds(reply->new_key));
  json shown = serve(*t, "member.show", {{"member", "alice"}});
  CHECK(shown["reply"]["signing_key"] == to_hex(reply->new_key));
  json refused = serve(*t, "member.rekey", {{"member", "dave"}, {"as", "alice"}, {"key", ""}, {"hours", 72}});
  CHECK(refused["ok"] == false);
  CHECK(refused["code"] == "not_permitted");
}

TEST_CASE("policy: policy.show and a refused policy.set through serve_call") {
  TestNode t;
  json shown = serve(*t, "policy.show", json::object());
  REQUIRE(shown["ok"] == true);
  auto policy = control::result_from_json<app::PolicyView>(shown);
  REQUIRE(policy.ok());
  CHECK(policy->max_entry_minutes == 720);
  CHECK(shown["reply"]["pool_floor_minutes"].is_null());

  app::SetPolicy request;
  request.as = "alice";
  request.max_entry_minutes = 480;
  json refused = serve(*t, "policy.set", request);
  CHECK(refused["ok"] == false);
  CHECK(refused["code"] == "not_permitted");
}

TEST_CASE("sync: node.describe and sync.status through serve_call") {
  TestNode t;
  json described = serve(*t, "node.describe", json::object());
  REQUIRE(described["ok"] == true);
  CHECK(described["reply"]["node_key"] == to_hex(t.node->identity().public_key));
  json status = serve(*t, "sync.status", json::object());
  REQUIRE(status["ok"] == true);
  auto view = control::result_from_json<app::SyncStatusView>(status);
  REQUIRE(view.ok());
  CHECK_FALSE(view->running);
  CHECK(view->logs.size() == 1);
}

TEST_CASE("requests that do not decode are answered as malformed") {
  TestNode t(false);
  auto code_of = [&](const std::string& text) {
    json answer = json::parse(control::serve_call(*t, text));
    CHECK(answer["ok"] == false);
    return answer["code"].get<std::string>();
  };
  CHECK(code_of("not json") == "malformed");
  CHECK(code_of(R"({"version":1,"call":"member.list","request":{}})") == "malformed");
  CHECK(code_of(R"({"version":2,"call":"member.frobnicate","request":{}})") == "malformed");
  CHECK(code_of(R"({"version":2,"call":"member.show","request":{}})") == "malformed");  // no "member"
  CHECK(code_of(R"({"version":2,"call":"member.show","request":{"member":7}})") == "malformed");
}
