#include "cohours/api/client_api.h"

#include <algorithm>
#include <filesystem>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../app/app_support.h"
#include "cohours/api/json_schema.h"
#include "cohours/api/request_signature.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/expenses.h"
#include "cohours/app/invitations.h"
#include "cohours/app/policy.h"
#include "cohours/app/receipts.h"
#include "cohours/app/rekey.h"
#include "cohours/app/vetting.h"
#include "cohours/app/thanks.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "test_phone.h"

using namespace cohours;
using cohours::test::Phone;  // enrolled with a code from dave
using cohours::test::TestNode;
using json = nlohmann::json;

namespace {

struct Fixture {
  TestNode t;
  api::ClientApi api{*t};

  api::ApiResponse call(const std::string& method, const std::string& target, const std::string& body = "",
                        const Phone* phone = nullptr, std::int64_t time_offset_s = 0,
                        const std::string& content_type = "") {
    api::ApiRequest r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.content_type = content_type;
    r.peer = "127.0.0.1";
    if (phone) {
      // Each signed request is a new one, as a phone makes them: a second
      // passes between requests.
      t.clock.advance_ms(1000);
      const std::int64_t time = t.clock.now_ms() / 1000 + time_offset_s;
      r.key = to_hex(phone->key.public_key);
      r.time = std::to_string(time);
      r.signature = to_hex(api::sign_request(phone->key.secret_key, method, target, time, body));
    }
    return api.handle(r);
  }
  json ok(const api::ApiResponse& response, const char* schema) {
    INFO(response.body);
    REQUIRE(response.status == 200);
    json body = json::parse(response.body);
    check_schema(body, schema);
    return body;
  }
  void check_schema(const json& body, const char* name) {
    auto text = api::schema_text(name);
    REQUIRE(text);
    auto schema = api::Schema::parse(json::parse(*text));
    REQUIRE(schema.ok());
    auto problem = schema->validate(body);
    CHECK_MESSAGE(!problem, (problem ? problem->field + ": " + problem->message : "")
                                << " in " << body.dump());
  }
  void expect_error(const api::ApiResponse& response, int status, const std::string& code) {
    INFO(response.body);
    CHECK(response.status == status);
    json body = json::parse(response.body);
    check_schema(body, "error");
    CHECK(body["error"] == code);
  }
  Phone enrol(const std::string& alias, std::vector<std::string> roles) {
    auto invited = app::invite_member(*t, {alias, std::move(roles), "dave", 72});
    REQUIRE(invited.ok());
    Phone phone;
    json body = {{"code", invited->code}, {"public_key", to_hex(phone.key.public_key)}};
    ok(call("POST", "/v1/enrol", body.dump()), "enrol-response");
    return phone;
  }
  // An entry signed on the phone for this node.
  std::string sign(Phone& phone, EntryBody body, const PublicKey* node = nullptr) {
    Entry entry{kEntryFormatVersion,  node ? *node : t.node->identity().public_key,
                phone.key.public_key, {},
                t.clock.now_ms(),     ++phone.nonce,
                std::move(body)};
    return to_hex(sign_entry(entry, phone.key.secret_key).bytes);
  }
  // A receipt sent from the phone as `type`.
  api::ApiResponse upload(const std::string& bytes, const Phone& phone, const std::string& type = "image/png") {
    return call("POST", "/v1/receipts", bytes, &phone, 0, type);
  }
  // An expense claim in pence for the day `days_ago`, naming `receipt`.
  ExpenseClaim claim(std::int64_t pence, const Hash32& receipt, std::int32_t days_ago = 0) {
    ExpenseClaim c;
    c.pence = pence;
    c.currency = *Currency::parse("GBP");
    c.category = ExpenseCategory::travel;
    c.date_days = days_from_ms(t.clock.now_ms()) - days_ago;
    c.receipt_digest = receipt;
    return c;
  }
  HoursLog hours_for(const std::string& alias, std::int64_t minutes) {
    HoursLog h;
    h.recipient = t.key(alias);
    h.payer = alias == "bob" ? Payer::pool : Payer::recipient;
    h.minutes = minutes;
    h.category = "befriending";
    h.date_days = days_from_ms(t.clock.now_ms());
    return h;
  }
};

}  // namespace

TEST_CASE("health and schemas are open to anyone") {
  Fixture f;
  json health = f.ok(f.call("GET", "/v1/health"), "health");
  CHECK(health["node"] == "Hilltop Care Co-op");
  CHECK(health["entry_format_version"] == 2);
  auto schema = f.call("GET", "/v1/schema/entries-request");
  CHECK(schema.status == 200);
  CHECK(json::parse(schema.body)["title"] == "POST /v1/entries (request)");
  f.expect_error(f.call("GET", "/v1/schema/nothing"), 404, "not_found");
  f.expect_error(f.call("POST", "/v1/health"), 405, "method_not_allowed");
  f.expect_error(f.call("GET", "/v2/anything"), 404, "not_found");
  // Every schema in the repository loads.
  for (const auto& name : api::schema_names()) {
    CAPTURE(name);
    CHECK(api::Schema::parse(json::parse(*api::schema_text(name))).ok());
  }
}

TEST_CASE("every answer carries the node's clock as an HTTP Date header") {
  Fixture f;
  // A node clock far from the machine's: the header follows the node's.
  f.t.clock.set_ms(1'795'000'000'123);
  auto date_of = [](const api::ApiResponse& response) {
    std::string found;
    int count = 0;
    for (const auto& [name, value] : response.headers)
      if (name == "Date") {
        found = value;
        ++count;
      }
    CHECK(count == 1);
    return found;
  };
  CHECK(date_of(f.call("GET", "/v1/health")) == "Wed, 18 Nov 2026 11:06:40 GMT");
  // Errors too: a 404, a 401 unsigned, a 413.
  CHECK(date_of(f.call("GET", "/v2/anything")) == "Wed, 18 Nov 2026 11:06:40 GMT");
  CHECK(date_of(f.call("GET", "/v1/me")) == "Wed, 18 Nov 2026 11:06:40 GMT");
  CHECK(date_of(f.call("GET", "/v1/health", "x")) == "Wed, 18 Nov 2026 11:06:40 GMT");
  f.t.clock.advance_ms(61'000);
  CHECK(date_of(f.call("GET", "/v1/health")) == "Wed, 18 Nov 2026 11:07:41 GMT");
  // A signed answer: the phone's request moved the clock a second first.
  Phone erin = f.enrol("erin", {"volunteer"});
  auto me = f.call("GET", "/v1/me", "", &erin);
  CHECK(me.status == 200);
  CHECK(date_of(me) == format_http_date_ms(f.t.clock.now_ms()));
}

TEST_CASE("every error code the API can answer is in the error schema") {
  Fixture f;
  // Those refusal() passes through from the ledger with 409, and the API's own.
  for (const char* code : {"bad_request", "unauthorised", "forbidden", "bad_code", "not_found", "method_not_allowed",
                           "already_exists", "limit_reached", "too_large", "rate_limited", "internal", "busy",
                           code_name(Code::bad_signature), code_name(Code::floor_breached),
                           code_name(Code::wrong_state), code_name(Code::wrong_node), code_name(Code::not_vetted),
                           code_name(Code::possible_duplicate)}) {
    CAPTURE(code);
    f.check_schema(json{{"error", code}, {"message", "why"}}, "error");
  }
}

TEST_CASE("enrolment: a code works once, before it expires, and is not told apart when bad") {
  Fixture f;
  auto invited = app::invite_member(*f.t, {"erin", {"volunteer"}, "dave", 1});
  REQUIRE(invited.ok());
  Phone phone;
  auto body = [&](const std::string& code, const std::string& key) {
    return json{{"code", code}, {"public_key", key}}.dump();
  };
  f.expect_error(f.call("POST", "/v1/enrol", body("AAAA-BBBB-CCCC", to_hex(phone.key.public_key))), 403,
                 "bad_code");
  f.expect_error(f.call("POST", "/v1/enrol", "{\"code\": 5}"), 400, "bad_request");
  f.expect_error(f.call("POST", "/v1/enrol", "not json"), 400, "bad_request");
  auto wrong = f.call("POST", "/v1/enrol", body(invited->code, "zz"));
  f.expect_error(wrong, 400, "bad_request");
  CHECK(json::parse(wrong.body)["field"] == "public_key");
  // Lower case and spaces are the same code.
  std::string typed = invited->code;
  for (char& ch : typed) ch = static_cast<char>(std::tolower(ch));
  json enrolled =
      f.ok(f.call("POST", "/v1/enrol", body(typed, to_hex(phone.key.public_key))), "enrol-response");
  CHECK(enrolled["alias"] == "erin");
  CHECK(enrolled["roles"] == json::array({"volunteer"}));
  CHECK(f.t.node->ledger().member(phone.key.public_key).ok());
  CHECK_FALSE(f.t.node->keyring().holds(phone.key.public_key));  // the node never had its secret
  // Used: the same answer as an unknown code.
  Phone other;
  f.expect_error(f.call("POST", "/v1/enrol", body(invited->code, to_hex(other.key.public_key))), 403,
                 "bad_code");
  // Expired.
  auto late = app::invite_member(*f.t, {"fern", {"carer"}, "dave", 1});
  REQUIRE(late.ok());
  f.t.clock.advance_ms(3600 * 1000 + 1);
  f.expect_error(f.call("POST", "/v1/enrol", body(late->code, to_hex(other.key.public_key))), 403,
                 "bad_code");
  CHECK_FALSE(f.t.node->directory().key_for("fern").ok());
}

TEST_CASE("invitations: who may invite, and which aliases") {
  Fixture f;
  CHECK(app::invite_member(*f.t, {"erin", {"volunteer"}, "alice", 72}).code() == Code::not_permitted);
  CHECK(app::invite_member(*f.t, {"bob", {"volunteer"}, "dave", 72}).code() == Code::already_exists);
  CHECK(app::invite_member(*f.t, {"pool", {"volunteer"}, "dave", 72}).code() == Code::malformed);
  CHECK(app::invite_member(*f.t, {"erin", {"astronaut"}, "dave", 72}).code() == Code::malformed);
  CHECK(app::invite_member(*f.t, {"erin", {"volunteer"}, "dave", 0}).code() == Code::malformed);
  REQUIRE(app::invite_member(*f.t, {"erin", {"volunteer"}, "dave", 72}).ok());
  CHECK(app::invite_member(*f.t, {"erin", {"volunteer"}, "dave", 72}).code() == Code::already_exists);
  auto list = app::list_invitations(*f.t, {});
  REQUIRE(list.ok());
  REQUIRE(list->invitations.size() == 1);
  CHECK(list->invitations[0].inviter == "dave");
}

TEST_CASE("signed requests: anything but a fresh signature by a member is refused") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  f.ok(f.call("GET", "/v1/me", "", &erin), "me");
  f.expect_error(f.call("GET", "/v1/me"), 401, "unauthorised");                   // unsigned
  f.expect_error(f.call("GET", "/v1/me", "", &erin, -121), 401, "unauthorised");  // too old
  f.expect_error(f.call("GET", "/v1/me", "", &erin, 121), 401, "unauthorised");   // too far ahead
  Phone stranger;
  f.expect_error(f.call("GET", "/v1/me", "", &stranger), 401, "unauthorised");  // not a member
  // A signature over another path does not open this one.
  api::ApiRequest r;
  r.method = "GET";
  r.target = "/v1/me/pending";
  const std::int64_t time = f.t.clock.now_ms() / 1000;
  r.key = to_hex(erin.key.public_key);
  r.time = std::to_string(time);
  r.signature = to_hex(api::sign_request(erin.key.secret_key, "GET", "/v1/me", time, ""));
  f.expect_error(f.api.handle(r), 401, "unauthorised");
  // The same request twice: the second is a replay.
  r.signature = to_hex(api::sign_request(erin.key.secret_key, "GET", "/v1/me/pending", time, ""));
  CHECK(f.api.handle(r).status == 200);
  f.expect_error(f.api.handle(r), 401, "unauthorised");
  // Upper-case hex is the same signature, not a new one.
  std::string upper = r.signature;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(ch));
  r.signature = upper;
  f.expect_error(f.api.handle(r), 401, "unauthorised");
  // A forgotten member's key is let in no more.
  REQUIRE(app::forget_member(*f.t, {"erin", "dave"}).ok());
  f.expect_error(f.call("GET", "/v1/me", "", &erin), 401, "unauthorised");
}

TEST_CASE("a lost phone: after member rekey its key gets 401, and the new phone enrols as the same member") {
  Fixture f;
  Phone lost = f.enrol("erin", {"volunteer"});
  const PublicKey erin = f.t.key("erin");
  json given = f.ok(
      f.call("POST", "/v1/entries", json{{"entries", {f.sign(lost, f.hours_for("bob", 90))}}}.dump(), &lost),
      "entries-response");
  REQUIRE(app::confirm_hours(*f.t, {given["results"][0]["id"].get<std::string>(), "bob"}).ok());
  auto waiting =
      app::log_hours(*f.t, {"alice", "", "erin", 30, "befriending", days_from_ms(f.t.clock.now_ms()), ""});
  REQUIRE(waiting.ok());
  json before = f.ok(f.call("GET", "/v1/me", "", &lost), "me");
  CHECK(before["key"] == to_hex(lost.key.public_key));
  CHECK(before["member_key"] == to_hex(erin));
  CHECK(before["balance_minutes"] == 90);
  CHECK(before["to_confirm"] == 1);

  auto rekeyed = app::rekey_member(*f.t, {"erin", "dave", "", 72});
  REQUIRE(rekeyed.ok());
  // From this moment the lost phone is let in nowhere, and is told why.
  auto refused = f.call("GET", "/v1/me", "", &lost);
  f.expect_error(refused, 401, "unauthorised");
  CHECK(json::parse(refused.body)["message"] ==
        "this key was replaced on 2026-11-18: sign with the member's new key");
  f.expect_error(f.call("GET", "/v1/me/pending", "", &lost), 401, "unauthorised");
  f.expect_error(f.call("GET", "/v1/me/statement", "", &lost), 401, "unauthorised");
  const std::uint64_t size = f.t.node->ledger().log_size();
  f.expect_error(
      f.call("POST", "/v1/entries", json{{"entries", {f.sign(lost, f.hours_for("bob", 30))}}}.dump(), &lost),
      401, "unauthorised");
  CHECK(f.t.node->ledger().log_size() == size);

  // The new phone enrols with the code exactly as a new member's would.
  Phone phone;
  json enrolled =
      f.ok(f.call("POST", "/v1/enrol",
                  json{{"code", rekeyed->code}, {"public_key", to_hex(phone.key.public_key)}}.dump()),
           "enrol-response");
  CHECK(enrolled["alias"] == "erin");
  CHECK(enrolled["key"] == to_hex(phone.key.public_key));
  CHECK(enrolled["member_key"] == to_hex(erin));
  CHECK(enrolled["roles"] == json::array({"volunteer"}));
  json after = f.ok(f.call("GET", "/v1/me", "", &phone), "me");
  CHECK(after["key"] == to_hex(phone.key.public_key));
  CHECK(after["member_key"] == to_hex(erin));
  for (const char* field :
       {"alias", "roles", "balance_minutes", "pending_in_minutes", "pending_out_minutes", "to_confirm"})
    CHECK(after[field] == before[field]);
  json statement = f.ok(f.call("GET", "/v1/me/statement", "", &phone), "statement");
  REQUIRE(statement["lines"].size() == 1);
  CHECK(statement["lines"][0]["direction"] == "gave");
  CHECK(statement["closing_minutes"] == 90);
  // It confirms the hours that waited for her, and signs as her.
  json confirmed =
      f.ok(f.call("POST", "/v1/entries",
                  json{{"entries", {f.sign(phone, HoursConfirm{waiting->entry.id})}}}.dump(), &phone),
           "entries-response");
  CHECK_MESSAGE(confirmed["results"][0]["status"] == "stored", confirmed.dump());
  CHECK(f.ok(f.call("GET", "/v1/me", "", &phone), "me")["balance_minutes"] == 60);
  // An entry signed by the old key, sent by the new phone, is not hers.
  json old_entry = f.ok(
      f.call("POST", "/v1/entries", json{{"entries", {f.sign(lost, f.hours_for("bob", 15))}}}.dump(), &phone),
      "entries-response");
  CHECK(old_entry["results"][0]["status"] == "refused");
  // The co-op still knows her by the key she joined with.
  json members = f.ok(f.call("GET", "/v1/members", "", &phone), "members");
  bool listed = false;
  for (const auto& m : members["members"]) listed |= m["alias"] == "erin" && m["key"] == to_hex(erin);
  CHECK(listed);
  f.expect_error(f.call("GET", "/v1/me", "", &lost), 401, "unauthorised");
}

TEST_CASE("entries from a phone: stored, duplicate, refused, and every refusal remembered") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  const std::string logged = f.sign(erin, f.hours_for("carol", 90));
  json body = {{"entries", {logged}}};
  json first = f.ok(f.call("POST", "/v1/entries", body.dump(), &erin), "entries-response");
  REQUIRE(first["results"].size() == 1);
  CHECK(first["results"][0]["status"] == "stored");
  const auto seq = first["results"][0]["seq"];
  // A retry after a lost answer: never a second entry.
  json again = f.ok(f.call("POST", "/v1/entries", body.dump(), &erin), "entries-response");
  CHECK(again["results"][0]["status"] == "duplicate");
  CHECK(again["results"][0]["seq"] == seq);
  CHECK(f.t.node->ledger().log_size() == seq.get<std::uint64_t>());

  // Refused by the ledger's rules, then the same refusal again.
  Transfer overdraft{f.t.key("carol"), 600, {}};
  json refused_body = {{"entries", {f.sign(erin, overdraft)}}};
  json refused = f.ok(f.call("POST", "/v1/entries", refused_body.dump(), &erin), "entries-response");
  CHECK(refused["results"][0]["status"] == "refused");
  CHECK(refused["results"][0]["error"] == "floor_breached");
  json refused_again = f.ok(f.call("POST", "/v1/entries", refused_body.dump(), &erin), "entries-response");
  CHECK(refused_again["results"][0] == refused["results"][0]);

  // Signed for another node, or by someone else: refused, nothing stored.
  PublicKey other_node = generate_keypair().public_key;
  Phone alice_phone;  // not erin
  json mixed = {{"entries",
                 {f.sign(erin, f.hours_for("carol", 30), &other_node),
                  f.sign(alice_phone, f.hours_for("carol", 30)), "01"}}};
  const std::uint64_t size = f.t.node->ledger().log_size();
  json results = f.ok(f.call("POST", "/v1/entries", mixed.dump(), &erin), "entries-response")["results"];
  CHECK(results[0]["error"] == "wrong_node");
  CHECK(results[1]["error"] == "not_permitted");
  CHECK(results[2]["error"] == "malformed");
  CHECK(f.t.node->ledger().log_size() == size);
}

TEST_CASE("hours from a phone like some already logged are a question, answered with again") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  // A coordinator logged erin's visit to carol from a paper sheet.
  HoursLog visit = f.hours_for("carol", 60);
  REQUIRE(app::log_hours(*f.t, {"dave", "erin", "carol", 60, "befriending", visit.date_days, ""}).ok());
  const std::uint64_t size = f.t.node->ledger().log_size();

  const std::string same = f.sign(erin, visit);
  const std::string other = f.sign(erin, f.hours_for("carol", 45));
  json asked = f.ok(f.call("POST", "/v1/entries", json{{"entries", {same, other}}}.dump(), &erin), "entries-response");
  CHECK(asked["results"][0]["status"] == "refused");
  CHECK(asked["results"][0]["error"] == "possible_duplicate");
  CHECK(asked["results"][0]["message"].get<std::string>().find("possible duplicate") != std::string::npos);
  CHECK(asked["results"][1]["status"] == "stored");
  CHECK(f.t.node->ledger().log_size() == size + 1);

  // Not remembered: the same bytes, said to be more help, go in.
  const std::string id = asked["results"][0]["id"];
  json more = f.ok(f.call("POST", "/v1/entries", json{{"entries", {same}}, {"again", {id}}}.dump(), &erin),
                   "entries-response");
  CHECK(more["results"][0]["status"] == "stored");
  // And once stored, sending them again is a retry, not a question.
  json retry = f.ok(f.call("POST", "/v1/entries", json{{"entries", {same}}}.dump(), &erin), "entries-response");
  CHECK(retry["results"][0]["status"] == "duplicate");
  // `again` must be entry ids.
  CHECK(f.call("POST", "/v1/entries", json{{"entries", {same}}, {"again", {"xyz"}}}.dump(), &erin).status == 400);
}

TEST_CASE("private notes: the phone's salt, checked against the entry, kept only for accepted entries") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  Hash32 salt;
  salt.bytes.fill(0x3f);
  const std::string text = "Tea and a chat";
  HoursLog h = f.hours_for("carol", 60);
  h.note_digest = note_digest(salt, text);
  json body = {{"entries", {f.sign(erin, h)}}, {"notes", {{{"salt", to_hex(salt)}, {"text", text}}}}};
  json stored = f.ok(f.call("POST", "/v1/entries", body.dump(), &erin), "entries-response");
  CHECK(stored["results"][0]["status"] == "stored");
  CHECK(f.t.node->directory().note(h.note_digest) == text);
  // A note no entry carries: 400, nothing kept.
  json stray = {{"entries", {f.sign(erin, f.hours_for("carol", 15))}},
                {"notes", {{{"salt", to_hex(salt)}, {"text", "something else"}}}}};
  f.expect_error(f.call("POST", "/v1/entries", stray.dump(), &erin), 400, "bad_request");
  // The note of a refused entry is not kept.
  Hash32 other_salt;
  other_salt.bytes.fill(0x41);
  Transfer overdraft{f.t.key("carol"), 600, note_digest(other_salt, "thanks")};
  json refused = {{"entries", {f.sign(erin, overdraft)}},
                  {"notes", {{{"salt", to_hex(other_salt)}, {"text", "thanks"}}}}};
  f.ok(f.call("POST", "/v1/entries", refused.dump(), &erin), "entries-response");
  CHECK_FALSE(f.t.node->directory().note(overdraft.memo_digest).has_value());
}

TEST_CASE("a member's views, and someone else's data is forbidden") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  Phone fern = f.enrol("fern", {"carer"});
  app::SetPolicy floor;
  floor.as = "dave";
  floor.role_floor = app::RoleFloor{"carer", -600};  // carers may owe ten hours
  REQUIRE(app::set_policy(*f.t, floor).ok());
  json body = {{"entries", {f.sign(erin, f.hours_for("fern", 120))}}};
  json stored = f.ok(f.call("POST", "/v1/entries", body.dump(), &erin), "entries-response");
  const std::string id = stored["results"][0]["id"];

  json pending = f.ok(f.call("GET", "/v1/me/pending", "", &fern), "pending");
  REQUIRE(pending["to_confirm"].size() == 1);
  CHECK(pending["to_confirm"][0]["id"] == id);
  CHECK(pending["to_confirm"][0]["provider"] == "erin");
  CHECK(f.ok(f.call("GET", "/v1/me", "", &fern), "me")["to_confirm"] == 1);
  CHECK(f.ok(f.call("GET", "/v1/me/pending", "", &erin), "pending")["waiting"].size() == 1);

  // Fern confirms on her phone; both balances move.
  HoursConfirm confirm{*fixed_from_hex<EntryId>(id)};
  json confirm_body = {{"entries", {f.sign(fern, confirm)}}};
  CHECK(f.ok(f.call("POST", "/v1/entries", confirm_body.dump(), &fern),
             "entries-response")["results"][0]["status"] == "stored");
  CHECK(f.ok(f.call("GET", "/v1/me", "", &erin), "me")["balance_minutes"] == 120);
  CHECK(f.ok(f.call("GET", "/v1/me", "", &fern), "me")["balance_minutes"] == -120);
  json statement =
      f.ok(f.call("GET", "/v1/me/statement?from=2026-11-01&to=2026-11-30", "", &erin), "statement");
  REQUIRE(statement["lines"].size() == 1);
  CHECK(statement["lines"][0]["direction"] == "gave");
  CHECK(statement["lines"][0]["other"] == "fern");
  CHECK(statement["closing_minutes"] == 120);
  json fern_statement = f.ok(f.call("GET", "/v1/me/statement", "", &fern), "statement");
  CHECK(fern_statement["lines"][0]["direction"] == "received");
  CHECK(fern_statement["lines"][0]["other"] == "erin");

  f.expect_error(f.call("GET", "/v1/me/statement?from=yesterday", "", &erin), 400, "bad_request");
  f.expect_error(f.call("GET", "/v1/me?x=1", "", &erin), 400, "bad_request");
  // Someone else's statement, or the co-op's balances: not for a volunteer.
  f.expect_error(f.call("GET", "/v1/members/fern/statement", "", &erin), 403, "forbidden");
  f.expect_error(f.call("GET", "/v1/coop/balances", "", &erin), 403, "forbidden");
  f.expect_error(f.call("GET", "/v1/coop/pending", "", &erin), 403, "forbidden");
  // A coordinator's phone gets the co-op's views.
  Phone gwen = f.enrol("gwen", {"coordinator"});
  json balances = f.ok(f.call("GET", "/v1/coop/balances", "", &gwen), "balances");
  CHECK(balances["sum_minutes"] == 0);
  // The same fields as `cohours balance --json`, pending_minutes included.
  for (const auto& account : balances["accounts"])
    CHECK(account["pending_minutes"] == account["pending_in_minutes"].get<std::int64_t>() -
                                            account["pending_out_minutes"].get<std::int64_t>());
  f.ok(f.call("GET", "/v1/coop/pending", "", &gwen), "pending");

  json members = f.ok(f.call("GET", "/v1/members", "", &erin), "members");
  CHECK(members["members"].size() == 7);
  CHECK(members.dump().find("07700") == std::string::npos);  // no contact details
  f.ok(f.call("GET", "/v1/respite/open", "", &fern), "respite-open");
  f.ok(f.call("GET", "/v1/me/expenses", "", &erin), "expenses");
}

TEST_CASE("limits: body size and requests per minute") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  std::string big(api::kMaxEntriesBody + 1, 'x');
  f.expect_error(f.call("POST", "/v1/entries", big, &erin), 413, "too_large");
  f.expect_error(f.call("POST", "/v1/enrol", std::string(api::kMaxJsonBody + 1, ' ')), 413, "too_large");
  // In one second (the clock stands still), made different by their nonce.
  int served = 0, limited = 0;
  for (int i = 0; i < 130; ++i) {
    api::ApiRequest r;
    r.method = "GET";
    r.target = "/v1/me?nonce=" + std::to_string(i);
    const std::int64_t time = f.t.clock.now_ms() / 1000;
    r.key = to_hex(erin.key.public_key);
    r.time = std::to_string(time);
    r.signature = to_hex(api::sign_request(erin.key.secret_key, "GET", r.target, time, ""));
    auto response = f.api.handle(r);
    if (response.status == 200) ++served;
    if (response.status == 429) {
      ++limited;
      // Retry-After, beside the Date every answer has.
      CHECK(std::count_if(response.headers.begin(), response.headers.end(),
                          [](const auto& h) { return h.first == "Retry-After" && h.second == "60"; }) == 1);
    }
  }
  CHECK(served == 120);
  CHECK(limited == 10);
  // A minute later the allowance is back.
  f.t.clock.advance_ms(60'000);
  CHECK(f.call("GET", "/v1/me", "", &erin).status == 200);
}

TEST_CASE("limits: JSON nested deeper than 16 is refused before it is parsed") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  // Nesting is counted from the text before anything is parsed (a parsed
  // level costs ~60 bytes: 1 MiB of '[' was ~60 MB); brackets in strings
  // do not count, and a refusal says why, for the daemon's log.
  auto deep = f.call("POST", "/v1/entries", std::string(17, '[') + std::string(17, ']'), &erin);
  f.expect_error(deep, 400, "bad_request");
  CHECK(deep.body.find("deeper than 16") != std::string::npos);
  CHECK(deep.refusal_kind == "400 the body nests arrays and objects deeper than 16");
  f.expect_error(f.call("POST", "/v1/enrol", std::string(60'000, '{')), 400, "bad_request");
  auto at_cap = f.call("POST", "/v1/entries", std::string(16, '[') + std::string(16, ']'), &erin);
  CHECK(at_cap.body.find("must be object") != std::string::npos);
  auto in_string = f.call("POST", "/v1/entries", "{\"entries\":[\"" + std::string(100, '[') + "\"]}", &erin);
  CHECK(in_string.body.find("must match") != std::string::npos);
  // A field's name is the client's text: it never becomes a kind of log line.
  auto field = f.call("POST", "/v1/entries", "{\"entries\":[\"00\"],\"zz-top\":1}", &erin);
  CHECK(field.refusal.find("zz-top") != std::string::npos);
  CHECK(field.refusal_kind == "400 a field of the body");
}

TEST_CASE("receipts from a phone: the photo's bytes kept under their digest, which a claim then names") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  const std::string photo("\x89PNG\r\n\x1a\n\x00\x01\xff photo of a bus ticket", 33);
  const Hash32 digest = blake2b_256(photo);
  json stored = f.ok(f.upload(photo, erin), "receipt");
  CHECK(stored["digest"] == to_hex(digest));
  CHECK(app::receipt_kept(*f.t, digest));
  auto kept = app::read_receipt(*f.t, {digest});
  REQUIRE(kept.ok());
  CHECK(std::string(kept->bytes.begin(), kept->bytes.end()) == photo);
  // The same bytes again: the same digest, one file. The type's case and
  // parameters do not matter.
  CHECK(f.ok(f.upload(photo, erin, "IMAGE/PNG; name=ticket.png"), "receipt") == stored);
  for (const char* type : {"image/jpeg", "image/webp", "application/pdf"})
    CHECK(f.upload(std::string("another ") + type, erin, type).status == 200);

  // Refused: another type, none, nothing, too much; not signed, or signed
  // over other bytes; another method.
  auto wrong_type = f.upload(photo, erin, "image/heic");
  f.expect_error(wrong_type, 415, "unsupported_media_type");
  CHECK(json::parse(wrong_type.body)["message"] ==
        "a receipt is sent as image/jpeg, image/png, image/webp or application/pdf, not image/heic");
  f.expect_error(f.upload(photo, erin, "text/plain"), 415, "unsupported_media_type");
  f.expect_error(f.upload(photo, erin, ""), 415, "unsupported_media_type");
  auto empty = f.upload("", erin);
  f.expect_error(empty, 400, "bad_request");
  CHECK(json::parse(empty.body)["message"] == "the receipt is empty");
  // Exactly the cap is taken; a byte more is not even read.
  const std::string biggest(app::kMaxReceiptBytes, 'r');
  CHECK(api::ClientApi::body_limit("POST", "/v1/receipts") == app::kMaxReceiptBytes);
  CHECK(f.ok(f.upload(biggest, erin), "receipt")["digest"] == to_hex(blake2b_256(biggest)));
  f.expect_error(f.upload(biggest + "r", erin), 413, "too_large");
  f.expect_error(f.call("POST", "/v1/receipts", photo, nullptr, 0, "image/png"), 401, "unauthorised");
  api::ApiRequest forged;
  forged.method = "POST";
  forged.target = "/v1/receipts";
  forged.content_type = "image/png";
  forged.body = photo + "altered";
  const std::int64_t time = f.t.clock.now_ms() / 1000;
  forged.key = to_hex(erin.key.public_key);
  forged.time = std::to_string(time);
  forged.signature = to_hex(api::sign_request(erin.key.secret_key, "POST", "/v1/receipts", time, photo));
  f.expect_error(f.api.handle(forged), 401, "unauthorised");
  CHECK_FALSE(app::receipt_kept(*f.t, blake2b_256(forged.body)));
  f.expect_error(f.call("GET", "/v1/receipts", "", &erin), 405, "method_not_allowed");

  // A claim naming the uploaded receipt is taken.
  const std::string with_receipt = f.sign(erin, f.claim(1240, digest));
  json claimed = f.ok(f.call("POST", "/v1/entries", json{{"entries", {with_receipt}}}.dump(), &erin),
                      "entries-response");
  REQUIRE_MESSAGE(claimed["results"][0]["status"] == "stored", claimed.dump());
  json mine = f.ok(f.call("GET", "/v1/me/expenses", "", &erin), "expenses");
  REQUIRE(mine["claims"].size() == 1);
  CHECK(mine["claims"][0]["receipt"] == to_hex(digest));
  // One naming a receipt the node does not keep is not, and nothing is
  // stored; the refusal is not remembered, so once the receipt is sent the
  // same bytes are taken.
  const std::string later_photo = "a photo sent after its claim";
  const std::string early = f.sign(erin, f.claim(500, blake2b_256(later_photo)));
  const std::uint64_t size = f.t.node->ledger().log_size();
  json refused =
      f.ok(f.call("POST", "/v1/entries", json{{"entries", {early}}}.dump(), &erin), "entries-response");
  CHECK(refused["results"][0]["status"] == "refused");
  CHECK(refused["results"][0]["error"] == "not_found");
  CHECK(refused["results"][0]["message"] ==
        "the receipt " + to_hex(blake2b_256(later_photo)).substr(0, 8) +
            "... this claim names is not kept here: send the receipt before its claim");
  CHECK(f.t.node->ledger().log_size() == size);
  f.ok(f.upload(later_photo, erin, "image/jpeg"), "receipt");
  json taken = f.ok(f.call("POST", "/v1/entries", json{{"entries", {early}}}.dump(), &erin), "entries-response");
  CHECK(taken["results"][0]["status"] == "stored");
  // A claim already in the log is a duplicate, even once its receipt is gone.
  REQUIRE(app::erase_receipt(*f.t, digest).ok());
  json again =
      f.ok(f.call("POST", "/v1/entries", json{{"entries", {with_receipt}}}.dump(), &erin), "entries-response");
  CHECK(again["results"][0]["status"] == "duplicate");
  CHECK(again["results"][0]["seq"] == claimed["results"][0]["seq"]);
}

TEST_CASE("receipts from a phone: recorded for the member; 20 no claim names, then 409 limit_reached") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  const PublicKey identity = f.t.key("erin");
  auto photo = [](int i) { return "photo of receipt " + std::to_string(i); };
  for (int i = 0; i < static_cast<int>(app::kMaxUncitedReceipts); ++i) f.ok(f.upload(photo(i), erin), "receipt");
  CHECK(f.t.node->directory().uploads(identity)->size() == app::kMaxUncitedReceipts);
  auto refused = f.upload(photo(20), erin);
  f.expect_error(refused, 409, "limit_reached");
  CHECK(json::parse(refused.body)["message"] ==
        "you have sent 20 receipts that no claim names yet; send the claims for them before sending another");
  CHECK_FALSE(app::receipt_kept(*f.t, blake2b_256(photo(20))));
  // Sending one again is not another; a claim naming one frees room.
  f.ok(f.upload(photo(0), erin), "receipt");
  const std::string claim = f.sign(erin, f.claim(1240, blake2b_256(photo(0))));
  json claimed = f.ok(f.call("POST", "/v1/entries", json{{"entries", {claim}}}.dump(), &erin), "entries-response");
  REQUIRE(claimed["results"][0]["status"] == "stored");
  f.ok(f.upload(photo(20), erin), "receipt");
  f.expect_error(f.upload(photo(21), erin), 409, "limit_reached");

  // Forgotten, her uploads no claim names go; the claimed one goes with her
  // claim, as before.
  auto forgotten = app::forget_member(*f.t, {"erin", "dave"});
  REQUIRE(forgotten.ok());
  CHECK(forgotten->receipts_erased == app::kMaxUncitedReceipts + 1);
  CHECK(std::filesystem::is_empty(f.t.dir / "receipts"));
  CHECK(f.t.node->directory().uploads(identity)->empty());
}

TEST_CASE("the co-op's expense claims: for admins and auditors, decided in app") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  Phone fern = f.enrol("fern", {"carer"});
  const std::string photo = "%PDF-1.4 nursery invoice";
  f.ok(f.upload(photo, fern, "application/pdf"), "receipt");
  json erin_claim = f.ok(
      f.call("POST", "/v1/entries", json{{"entries", {f.sign(erin, f.claim(1240, Hash32{}))}}}.dump(), &erin),
      "entries-response");
  json fern_claim = f.ok(f.call("POST", "/v1/entries",
                                json{{"entries", {f.sign(fern, f.claim(2500, blake2b_256(photo), 3))}}}.dump(),
                                &fern),
                         "entries-response");
  REQUIRE(erin_claim["results"][0]["status"] == "stored");
  REQUIRE(fern_claim["results"][0]["status"] == "stored");
  const std::string fern_id = fern_claim["results"][0]["id"];
  REQUIRE(app::approve_expense(*f.t, {fern_id, "dave", ""}).ok());
  REQUIRE(app::pay_expense(*f.t, {fern_id, "dave", "BACS 1234", std::nullopt}).ok());

  // Not for a volunteer, a carer or a coordinator.
  f.expect_error(f.call("GET", "/v1/coop/expenses", "", &erin), 403, "forbidden");
  f.expect_error(f.call("GET", "/v1/coop/expenses", "", &fern), 403, "forbidden");
  Phone gwen = f.enrol("gwen", {"coordinator"});
  auto coordinator = f.call("GET", "/v1/coop/expenses", "", &gwen);
  f.expect_error(coordinator, 403, "forbidden");
  CHECK(json::parse(coordinator.body)["message"] == "every expense claim is for admins and auditors");
  f.expect_error(f.call("GET", "/v1/coop/expenses?status=paid", "", &gwen), 400, "bad_request");
  f.expect_error(f.call("GET", "/v1/coop/expenses"), 401, "unauthorised");

  // An auditor sees every claim, newest first, as the claimant sees it,
  // with whose it is.
  Phone hana = f.enrol("hana", {"auditor"});
  json all = f.ok(f.call("GET", "/v1/coop/expenses", "", &hana), "coop-expenses");
  CHECK(all["currency"] == "GBP");
  REQUIRE(all["claims"].size() == 2);
  json erin_row = all["claims"][0];
  json fern_row = all["claims"][1];
  CHECK(erin_row["member"] == "erin");
  CHECK(erin_row["pence"] == 1240);
  CHECK(erin_row["status"] == "claimed");
  CHECK(erin_row["receipt"] == "");
  CHECK(fern_row["member"] == "fern");
  CHECK(fern_row["id"] == fern_id);
  CHECK(fern_row["pence"] == 2500);
  CHECK(fern_row["status"] == "paid");
  CHECK(fern_row["paid"] == format_date(days_from_ms(f.t.clock.now_ms())));
  CHECK(fern_row["receipt"] == to_hex(blake2b_256(photo)));
  for (auto [phone, row] : {std::pair{&erin, erin_row}, std::pair{&fern, fern_row}}) {
    json own = f.ok(f.call("GET", "/v1/me/expenses", "", phone), "expenses")["claims"][0];
    row.erase("member");
    CHECK(own == row);
  }
  // An admin too (dave's roles, on a phone of an admin).
  Phone ivy = f.enrol("ivy", {"admin"});
  CHECK(f.ok(f.call("GET", "/v1/coop/expenses", "", &ivy), "coop-expenses") == all);
}

TEST_CASE("GET /v1/me: the volunteer's safeguarding check and what needs one") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  json before = f.ok(f.call("GET", "/v1/me", "", &erin), "me");
  CHECK(before["vetting"].is_null());
  CHECK(before["vetting_needed_for"] == json::array({"respite"}));
  // Today is 2026-11-18; two checks, the one that runs longer is shown.
  for (auto [issued, expires] : {std::pair{"2026-01-05", "2026-12-10"}, std::pair{"2026-02-01", "2029-01-31"}})
    REQUIRE(app::record_vetting(*f.t, {"dave", "erin", "dbs-enhanced-barred", *parse_date(issued),
                                       *parse_date(expires), ""})
                .ok());
  json after = f.ok(f.call("GET", "/v1/me", "", &erin), "me");
  CHECK(after["vetting"]["expires"] == "2029-01-31");
  CHECK(after["vetting"]["kind"] == "dbs-enhanced-barred");
  CHECK(after["vetting"]["days_left"] == *parse_date("2029-01-31") - *parse_date("2026-11-18"));
}

TEST_CASE("thanks from a phone: sent for help received, listed, erased; anyone else refused") {
  Fixture f;
  Phone erin = f.enrol("erin", {"service-user"});
  Phone fred = f.enrol("fred", {"volunteer"});
  auto logged = app::log_hours(*f.t, {"alice", "", "erin", 60, "befriending", days_from_ms(f.t.clock.now_ms()), ""});
  REQUIRE_MESSAGE(logged.ok(), logged.status().message());
  const std::string entry = to_hex(logged->entry.id);
  const json body = {{"entry", entry}, {"text", "Thank you, alice — see you Tuesday"}};
  f.expect_error(f.call("POST", "/v1/thanks", body.dump()), 401, "unauthorised");
  f.expect_error(f.call("POST", "/v1/thanks", body.dump(), &fred), 403, "forbidden");  // not the one helped
  json sent = f.ok(f.call("POST", "/v1/thanks", body.dump(), &erin), "thank-you");
  CHECK(sent["to"] == "alice");
  CHECK(sent["from"] == "erin");
  CHECK(sent["entry"] == entry);
  CHECK(sent["minutes"] == 60);
  CHECK(sent["text"] == "Thank you, alice — see you Tuesday");
  f.expect_error(f.call("POST", "/v1/thanks", body.dump(), &erin), 409, "already_exists");
  f.expect_error(f.call("POST", "/v1/thanks", json{{"entry", entry}, {"text", std::string(281, 'a')}}.dump(), &erin),
                 400, "bad_request");
  f.expect_error(f.call("POST", "/v1/thanks", json{{"entry", entry}, {"text", ""}}.dump(), &erin), 400,
                 "bad_request");
  f.expect_error(f.call("POST", "/v1/thanks", json{{"entry", std::string(64, 'a')}, {"text", "hi"}}.dump(), &erin),
                 404, "not_found");
  f.expect_error(f.call("GET", "/v1/thanks", "", &erin), 405, "method_not_allowed");

  json mine = f.ok(f.call("GET", "/v1/me/thanks", "", &erin), "thanks");
  REQUIRE(mine["sent"].size() == 1);
  CHECK(mine["received"].empty());
  auto alice = app::list_thanks(*f.t, {"alice"});  // the volunteer sees it
  REQUIRE(alice.ok());
  REQUIRE(alice->received.size() == 1);
  CHECK(alice->received[0].from == "erin");

  const std::string erase = json{{"id", sent["id"]}}.dump();
  f.expect_error(f.call("POST", "/v1/thanks/erase", erase, &fred), 403, "forbidden");
  f.expect_error(f.call("POST", "/v1/thanks/erase", json{{"id", "xyz"}}.dump(), &erin), 400, "bad_request");
  json erased = f.ok(f.call("POST", "/v1/thanks/erase", erase, &erin), "thanks-erased");
  CHECK(erased["erased"] == sent["id"]);
  CHECK(f.ok(f.call("GET", "/v1/me/thanks", "", &erin), "thanks")["sent"].empty());
  f.expect_error(f.call("POST", "/v1/thanks/erase", erase, &erin), 404, "not_found");
}

TEST_CASE("a group session signed on a phone: each member helped sees and confirms their own share") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  Phone fern = f.enrol("fern", {"carer"});
  Phone gus = f.enrol("gus", {"carer"});
  app::SetPolicy floor;
  floor.as = "dave";
  floor.role_floor = app::RoleFloor{"carer", -600};
  REQUIRE(app::set_policy(*f.t, floor).ok());
  GroupHours group;
  group.providers = {{erin.key.public_key, 61}};
  group.recipients = {fern.key.public_key, gus.key.public_key};
  group.payer = Payer::recipient;
  group.category = "befriending";
  group.date_days = days_from_ms(f.t.clock.now_ms());
  json body = {{"entries", {f.sign(erin, group)}}};
  json stored = f.ok(f.call("POST", "/v1/entries", body.dump(), &erin), "entries-response");
  INFO(stored.dump());
  REQUIRE(stored["results"][0]["status"] == "stored");
  const std::string id = stored["results"][0]["id"];

  // fern, first in the entry, pays the odd minute: 31 of 61.
  json pending = f.ok(f.call("GET", "/v1/me/pending", "", &fern), "pending");
  REQUIRE(pending["to_confirm"].size() == 1);
  CHECK(pending["to_confirm"][0]["id"] == id);
  CHECK(pending["to_confirm"][0]["minutes"] == 31);
  CHECK(pending["to_confirm"][0]["group"] == json{{"volunteers", 1}, {"members", 2}, {"member_number", 1}});
  CHECK(f.ok(f.call("GET", "/v1/me/pending", "", &gus), "pending")["to_confirm"][0]["minutes"] == 30);
  json waiting = f.ok(f.call("GET", "/v1/me/pending", "", &erin), "pending")["waiting"];
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0]["minutes"] == 61);
  CHECK(waiting[0]["group"]["member_number"] == 0);

  // fern confirms her share on her phone, naming the session.
  json confirm = {{"entries", {f.sign(fern, HoursConfirm{*fixed_from_hex<EntryId>(id)})}}};
  CHECK(f.ok(f.call("POST", "/v1/entries", confirm.dump(), &fern), "entries-response")["results"][0]["status"] ==
        "stored");
  CHECK(f.ok(f.call("GET", "/v1/me", "", &erin), "me")["balance_minutes"] == 31);
  CHECK(f.ok(f.call("GET", "/v1/me", "", &fern), "me")["to_confirm"] == 0);
  CHECK(f.ok(f.call("GET", "/v1/me", "", &gus), "me")["to_confirm"] == 1);
}

TEST_CASE("a refusal for the daemon's log leaves out the text a client named") {
  Fixture f;
  Phone erin = f.enrol("erin", {"volunteer"});
  auto unknown = f.call("GET", "/v1/members/quillfeather/statement", "", &erin);
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("quillfeather") != std::string::npos);  // the phone is told
  CHECK(unknown.refusal.find("quillfeather") == std::string::npos);
  CHECK(unknown.refusal_kind.find("quillfeather") == std::string::npos);
  CHECK(unknown.refusal.find("no member called '...'") != std::string::npos);
  CHECK(unknown.route == "/v1/members/{alias}/statement");
}

TEST_CASE("a refusal for the daemon's log keeps apostrophes") {
  Fixture f;
  auto unsigned_read = f.call("GET", "/v1/me");
  CHECK(unsigned_read.refusal.find("sign the request") != std::string::npos);
  Phone erin = f.enrol("erin", {"volunteer"});
  auto stale = f.call("GET", "/v1/me", "", &erin, -600);
  CHECK_MESSAGE(stale.refusal.find("the request's time is more than 2 minutes") != std::string::npos, stale.refusal);
}
