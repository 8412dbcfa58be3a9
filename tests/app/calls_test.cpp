// The control socket's calls (control/calls_*.h) driven through
// control::serve_call as the daemon runs them: JSON in, JSON out, one
// request of each group, and the answers to requests that do not decode.
#include "cohours/control/server.h"

#include "app_support.h"
#include "cohours/control/calls.h"
#include "cohours/control/client.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"

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
  CHECK(refused["message"] ==
        "'pool' is reserved (a word commands read as an account, or the form of a name reports make up); "
        "choose another alias");

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

// Found by tests/fuzz/fuzz_control (tests/fuzz/regressions/control): a
// number over the integer range reached nlohmann's get<std::int64_t> as a
// double, undefined behaviour, and a fraction was cut to an integer.
TEST_CASE("a number that is not an integer is refused whole, in a request and in an answer") {
  TestNode t;
  for (const char* number : {"8.88888888888888888888e22", "1.5", "-9.3e18"}) {
    CAPTURE(number);
    json answer = json::parse(control::serve_call(
        *t, std::string(R"({"version":2,"call":"statement","request":{"account":"alice","from_days":)") + number +
                R"(,"to_days":0,"viewer":""}})"));
    CHECK(answer["ok"] == false);
    CHECK(answer["code"] == "malformed");
    auto reply = control::result_from_json<app::Balances>(
        json::parse(std::string(R"({"ok":true,"reply":{"accounts":[],"sum_minutes":)") + number + "}}"));
    CHECK(reply.code() == Code::io_error);
  }
  // The same with integers is answered.
  json answer = serve(*t, "statement", {{"account", "alice"}, {"from_days", 0}, {"to_days", 0}, {"viewer", ""}});
  CHECK(answer["ok"] == true);
  auto reply = control::result_from_json<app::Balances>(json::parse(R"({"ok":true,"reply":{"accounts":[],"sum_minutes":7}})"));
  REQUIRE(reply.ok());
  CHECK(reply->sum_minutes == 7);
}

TEST_CASE("bytes travel as base64") {
  for (std::size_t n = 0; n < 70; ++n) {
    Bytes bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + 200);
    const std::string text = base64_encode(bytes);
    CHECK(text.size() == (n + 2) / 3 * 4);
    CHECK(base64_decode(text) == bytes);
  }
  CHECK(base64_encode({'M', 'a', 'n'}) == "TWFu");
  CHECK(base64_encode({'M', 'a'}) == "TWE=");
  CHECK(base64_encode({'M'}) == "TQ==");
  for (const char* bad : {"TWE", "TW=u", "T===", "TWFu!A==", "TQ==TQ==", "@@@@"})
    CHECK_FALSE(base64_decode(bad).has_value());
  // In a request: a string, or the request does not decode.
  json request = app::StoreReceipt{{0xff, 0x00, 0x10}, "r.bin"};
  CHECK(request["bytes"] == "/wAQ");
  TestNode t(false);
  CHECK(serve(*t, "receipt.store", {{"bytes", "not base64!"}, {"name", ""}})["code"] == "malformed");
  CHECK(serve(*t, "receipt.store", {{"bytes", json::array({1, 2})}, {"name", ""}})["code"] == "malformed");
}

TEST_CASE("expenses: a claim with its receipt, and the receipt read back, through serve_call") {
  TestNode t;
  app::ClaimExpense claim;
  claim.as = "alice";
  claim.pence = 1240;
  claim.category = "travel";
  claim.date_days = *parse_date("2026-11-10");
  claim.receipt = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff};  // not UTF-8
  claim.receipt_name = "ticket.png";
  json answer = serve(*t, "expense.claim", claim);
  REQUIRE(answer["ok"] == true);
  auto claimed = control::result_from_json<app::ExpenseClaimed>(answer);
  REQUIRE(claimed.ok());
  CHECK(claimed->claim.receipt_kept);
  CHECK(answer["reply"]["claim"]["receipt"] == to_hex(claimed->claim.receipt));
  json read = serve(*t, "receipt.read", app::ShowReceipt{claimed->claim.receipt});
  REQUIRE(read["ok"] == true);
  CHECK(control::result_from_json<app::ReceiptFile>(read)->bytes == claim.receipt);

  app::PayExpense pay{to_hex(claimed->entry.id), "dave", "", std::nullopt};
  json refused = serve(*t, "expense.pay", pay);
  CHECK(refused["ok"] == false);
  CHECK(refused["code"] == "wrong_state");
  json list = serve(*t, "expense.list", app::ListExpenses{});
  REQUIRE(list["ok"] == true);
  CHECK(list["reply"]["claims"].size() == 1);
}

TEST_CASE("audit: the report, the verify and an export's pages through serve_call") {
  TestNode t;
  json report =
      serve(*t, "audit.report", app::ShowPeriodReport{*parse_date("2026-11-01"), *parse_date("2026-11-30")});
  REQUIRE(report["ok"] == true);
  auto parsed = control::result_from_json<app::PeriodReport>(report);
  REQUIRE(parsed.ok());
  CHECK(parsed->coop == "Hilltop Care Co-op");
  CHECK(parsed->definitions.size() == 21);
  CHECK_FALSE(parsed->social_value.rate.set);
  CHECK(report["reply"]["social_value"]["value_pence"].is_null());  // no rate: no value, not 0
  json backwards =
      serve(*t, "audit.report", app::ShowPeriodReport{*parse_date("2026-11-30"), *parse_date("2026-11-01")});
  CHECK(backwards["code"] == "bad_date");

  json verified = serve(*t, "audit.verify", app::VerifyLog{});
  REQUIRE(verified["ok"] == true);
  CHECK(verified["reply"]["passed"] == true);

  json head = serve(*t, "export.head", json::object());
  REQUIRE(head["ok"] == true);
  const std::uint64_t size = head["reply"]["size"];
  json page = serve(*t, "export.records", app::ExportRecords{1, size});
  REQUIRE(page["ok"] == true);
  CHECK(page["reply"]["rows"].size() == size);
  CHECK(page["reply"]["next"] == 0);
  json accounts = serve(*t, "export.accounts", json::object());
  REQUIRE(accounts["ok"] == true);
  auto list = control::result_from_json<app::ExportAccountList>(accounts);
  REQUIRE(list.ok());
  CHECK(list->accounts.size() == list->rows.size());
  CHECK(serve(*t, "export.postings", app::ExportPostings{list->accounts.at(0), 0})["ok"] == true);
  CHECK(serve(*t, "export.expenses", app::ExportExpenses{0})["ok"] == true);
}

TEST_CASE("social value and thanks: the rate and thank-yous through serve_call") {
  TestNode t;
  json set = serve(*t, "policy.social_value.set",
                   app::SetSocialValueRate{"dave", 1600, "council homecare rate", *parse_date("2026-04-01")});
  REQUIRE(set["ok"] == true);
  CHECK(set["reply"]["pence_per_hour"] == 1600);
  CHECK(set["reply"]["set_by"] == "dave");
  json refused = serve(*t, "policy.social_value.set",
                       app::SetSocialValueRate{"alice", 1600, "council homecare rate", *parse_date("2026-04-01")});
  CHECK(refused["code"] == "not_permitted");
  json shown = serve(*t, "policy.social_value.show", app::ShowSocialValueRate{});
  CHECK(shown["reply"]["source"] == "council homecare rate");

  auto logged = app::log_hours(*t, {"alice", "", "bob", 90, "befriending", *parse_date("2026-11-17"), ""});
  REQUIRE(logged.ok());
  json sent = serve(*t, "thanks.send", app::SendThanks{"bob", to_hex(logged->entry.id), "Thank you"});
  REQUIRE(sent["ok"] == true);
  CHECK(sent["reply"]["to"] == "alice");
  json listed = serve(*t, "thanks.list", app::ListThanks{"alice"});
  REQUIRE(listed["reply"]["received"].size() == 1);
  CHECK(listed["reply"]["received"][0]["text"] == "Thank you");
  json erased = serve(*t, "thanks.erase", app::EraseThanks{"bob", sent["reply"]["id"].get<std::string>()});
  CHECK(erased["ok"] == true);
  CHECK(serve(*t, "thanks.list", app::ListThanks{"alice"})["reply"]["received"].empty());
}
