#include "cohours/app/vetting.h"

#include "cohours/app/exchanges.h"
#include "cohours/app/members.h"
#include "cohours/app/policy.h"
#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

std::int32_t vetting_day(const char* text) {
  return *parse_date(text);
}

app::RecordVetting alice_check(const char* issued, const char* expires) {
  return {"dave", "alice", "dbs-enhanced-barred", vetting_day(issued), vetting_day(expires), "001234567890"};
}

}  // namespace

TEST_CASE("a new co-op needs a check for respite; one recorded lets alice offer it") {
  TestNode t;  // today is 2026-11-18
  auto listed = app::list_vettings(*t, {});
  REQUIRE(listed.ok());
  CHECK(listed->vetted_categories == std::vector<std::string>{"respite"});
  CHECK(listed->vettings.empty());

  auto request = app::request_respite(*t, {"carol", 180, vetting_day("2026-11-28"), ""});
  REQUIRE(request.ok());
  const std::string id = to_hex(request->entry.id);
  auto refused = app::offer_respite(*t, {id, "alice"});
  CHECK(refused.code() == Code::not_vetted);
  CHECK(refused.status().message().find("vetting record") != std::string::npos);

  auto recorded = app::record_vetting(*t, alice_check("2026-01-05", "2029-01-04"));
  REQUIRE_MESSAGE(recorded.ok(), recorded.status().message());
  CHECK(recorded->vetting.volunteer == "alice");
  CHECK(recorded->vetting.checker == "dave");
  CHECK(recorded->vetting.standing == app::VettingStanding::current);
  CHECK(recorded->vetting.days_left == vetting_day("2029-01-04") - vetting_day("2026-11-18"));
  CHECK(recorded->vetting.certificate_kept);
  CHECK(app::offer_respite(*t, {id, "alice"}).ok());
}

TEST_CASE("the certificate number is kept off the signed log") {
  TestNode t;
  auto recorded = app::record_vetting(*t, alice_check("2026-01-05", "2029-01-04"));
  REQUIRE(recorded.ok());
  auto record = t.node->ledger().record(recorded->entry.seq);
  REQUIRE(record.ok());
  const std::string bytes(record->entry.begin(), record->entry.end());
  CHECK(bytes.find("001234567890") == std::string::npos);
  auto checks = t.node->ledger().vettings_of(t.key("alice"));
  REQUIRE(checks.ok());
  REQUIRE(checks->size() == 1);
  CHECK_FALSE(checks->at(0).certificate_digest.is_zero());
  CHECK(t.node->directory().note(checks->at(0).certificate_digest) == std::optional<std::string>("001234567890"));
}

TEST_CASE("vetting list: current ones, those expiring soon, and --all") {
  TestNode t;
  t.add("vic", {"volunteer"});
  REQUIRE(app::record_vetting(*t, alice_check("2024-01-05", "2026-12-10")).ok());  // 22 days left
  REQUIRE(app::record_vetting(*t, {"dave", "vic", "pvg", vetting_day("2026-02-01"), vetting_day("2029-01-31"), ""}).ok());
  REQUIRE(app::record_vetting(*t, {"dave", "vic", "dbs-basic", vetting_day("2020-02-01"), vetting_day("2023-01-31"), ""}).ok());

  auto current = app::list_vettings(*t, {});
  REQUIRE(current.ok());
  REQUIRE(current->vettings.size() == 2);
  CHECK(current->vettings[0].volunteer == "alice");
  CHECK(current->vettings[1].volunteer == "vic");
  CHECK_FALSE(current->vettings[1].certificate_kept);

  auto soon = app::list_vettings(*t, {"", 30, false});
  REQUIRE(soon.ok());
  REQUIRE(soon->vettings.size() == 1);
  CHECK(soon->vettings[0].volunteer == "alice");
  CHECK(soon->vettings[0].days_left == 22);
  CHECK(app::list_vettings(*t, {"", 21, false})->vettings.empty());

  auto all = app::list_vettings(*t, {"vic", std::nullopt, true});
  REQUIRE(all.ok());
  REQUIRE(all->vettings.size() == 2);
  CHECK(all->vettings[0].standing == app::VettingStanding::expired);  // by issue date
  CHECK(all->vettings[1].standing == app::VettingStanding::current);
  CHECK(app::list_vettings(*t, {"zoe", std::nullopt, false}).code() == Code::unknown_member);
}

TEST_CASE("vetting withdraw: with a reason kept off the log, once") {
  TestNode t;
  auto recorded = app::record_vetting(*t, alice_check("2026-01-05", "2029-01-04"));
  REQUIRE(recorded.ok());
  const std::string id = to_hex(recorded->entry.id);
  CHECK(app::withdraw_vetting(*t, {"dave", id, ""}).code() == Code::malformed);
  CHECK(app::withdraw_vetting(*t, {"alice", id, "no"}).code() == Code::not_permitted);
  CHECK(app::withdraw_vetting(*t, {"dave", std::string(64, 'a'), "why"}).code() == Code::unknown_entry);
  auto withdrawn = app::withdraw_vetting(*t, {"dave", id.substr(0, 12), "concern raised"});
  REQUIRE_MESSAGE(withdrawn.ok(), withdrawn.status().message());
  CHECK(withdrawn->vetting.standing == app::VettingStanding::withdrawn);
  CHECK(withdrawn->vetting.withdrawn_by == "dave");
  CHECK(withdrawn->vetting.reason == "concern raised");
  auto record = t.node->ledger().record(withdrawn->entry.seq);
  REQUIRE(record.ok());
  const std::string bytes(record->entry.begin(), record->entry.end());
  CHECK(bytes.find("concern") == std::string::npos);
  CHECK(app::withdraw_vetting(*t, {"dave", id, "again"}).code() == Code::wrong_state);
  CHECK(app::list_vettings(*t, {})->vettings.empty());
}

TEST_CASE("vetting record: bad input is refused and changes nothing") {
  TestNode t;
  const std::uint64_t size = t.node->ledger().log_size();
  auto kind = alice_check("2026-01-05", "2029-01-04");
  kind.kind = "dbs-maybe";
  CHECK(app::record_vetting(*t, kind).code() == Code::malformed);
  auto who = alice_check("2026-01-05", "2029-01-04");
  who.volunteer = "zoe";
  CHECK(app::record_vetting(*t, who).code() == Code::unknown_member);
  CHECK(app::record_vetting(*t, alice_check("2026-01-05", "2026-01-04")).code() == Code::bad_date);
  CHECK(app::record_vetting(*t, alice_check("2026-12-25", "2029-01-04")).code() == Code::bad_date);
  auto self = alice_check("2026-01-05", "2029-01-04");
  self.as = "alice";
  CHECK(app::record_vetting(*t, self).code() == Code::not_permitted);
  CHECK(t.node->ledger().log_size() == size);
  CHECK(t.node->ledger().vettings()->empty());
}

TEST_CASE("forgetting a volunteer erases their certificate number and the withdrawal's reason") {
  TestNode t;
  auto recorded = app::record_vetting(*t, alice_check("2026-01-05", "2029-01-04"));
  REQUIRE(recorded.ok());
  REQUIRE(app::withdraw_vetting(*t, {"dave", to_hex(recorded->entry.id), "concern raised"}).ok());
  auto check = t.node->ledger().vettings_of(t.key("alice")).value().at(0);
  REQUIRE(t.node->directory().note(check.certificate_digest).has_value());
  REQUIRE(t.node->directory().note(check.reason_digest).has_value());
  auto forgotten = app::forget_member(*t, {"alice", "dave"});
  REQUIRE_MESSAGE(forgotten.ok(), forgotten.status().message());
  CHECK(forgotten->notes_erased >= 2);
  CHECK_FALSE(t.node->directory().note(check.certificate_digest).has_value());
  CHECK_FALSE(t.node->directory().note(check.reason_digest).has_value());
}

TEST_CASE("policy set --vetted-categories: only categories the co-op uses") {
  TestNode t;
  app::SetPolicy typo;
  typo.as = "dave";
  typo.vetted_categories = std::vector<std::string>{"respite", "shoping"};
  CHECK(app::set_policy(*t, typo).code() == Code::unknown_category);
  app::SetPolicy both;
  both.as = "dave";
  both.categories = std::vector<std::string>{"respite", "personal-care"};
  both.vetted_categories = std::vector<std::string>{"respite", "personal-care"};
  REQUIRE(app::set_policy(*t, both).ok());
  CHECK(app::show_policy(*t, {})->vetted_categories == std::vector<std::string>{"respite", "personal-care"});
  app::SetPolicy none;
  none.as = "dave";
  none.vetted_categories = std::vector<std::string>{};
  REQUIRE(app::set_policy(*t, none).ok());
  CHECK(app::show_policy(*t, {})->vetted_categories.empty());
}
