// Group sessions through the use cases (app/group_sessions.h): names in,
// names out; confirming with `hours confirm`; what pending lists,
// statements and the period report show.
#include "cohours/app/group_sessions.h"

#include "cohours/app/accounts.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/policy.h"
#include "cohours/app/reports.h"
#include "cohours/app/self_service.h"
#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

// dave coordinates, alice and erin volunteer; six service users at the
// lunch club (bob and s2..s6); carol and cass are carers.
struct LunchClub : TestNode {
  LunchClub() {
    add("erin", {"volunteer"});
    add("cass", {"carer"});
    for (int i = 2; i <= 6; ++i) add("s" + std::to_string(i), {"service-user"});
    app::SetPolicy policy;
    policy.as = "dave";
    policy.categories = std::vector<std::string>{"befriending", "lunch-club", "respite", "outing"};
    policy.role_floor = app::RoleFloor{"carer", -600};
    auto set = app::set_policy(**this, policy);
    REQUIRE_MESSAGE(set.ok(), set.status().message());
  }
  std::int32_t day() { return *parse_date("2026-11-17"); }
  app::LogGroupSession lunch() {
    app::LogGroupSession r;
    r.as = "dave";
    r.volunteers = {{"alice", 0}, {"erin", 0}};
    r.minutes = 120;
    r.with = {"bob", "s2", "s3", "s4", "s5", "s6"};
    r.category = "lunch-club";
    r.date_days = day();
    r.note = "Tuesday lunch at the hall";
    return r;
  }
  app::GroupLogged log(const app::LogGroupSession& r) {
    auto logged = app::log_group_session(**this, r);
    REQUIRE_MESSAGE(logged.ok(), logged.status().message());
    return logged.value();
  }
  std::int64_t balance(const std::string& alias) {
    auto b = node->ledger().balance(AccountId::member(key(alias)));
    REQUIRE(b.ok());
    return b->balance_minutes;
  }
};

}  // namespace

TEST_CASE("a lunch club with six members: one entry, each member's share, each volunteer's time once") {
  LunchClub t;
  const auto before = t.node->ledger().log_size();
  auto logged = t.log(t.lunch());
  CHECK(t.node->ledger().log_size() == before + 1);
  const app::GroupSession& s = logged.session;
  CHECK(s.pool_pays);  // every member is a service user
  CHECK(s.minutes == 240);
  REQUIRE(s.volunteers.size() == 2);
  CHECK(s.volunteers[0].volunteer == "alice");
  CHECK(s.volunteers[0].minutes == 120);
  REQUIRE(s.shares.size() == 6);
  CHECK(s.shares[0].member == "bob");
  CHECK(s.shares[0].minutes == 40);  // 20 of alice's and 20 of erin's
  CHECK(s.shares[5].status == MovementStatus::pending);

  SUBCASE("a member helped sees their share to confirm; a volunteer sees what waits") {
    auto bob = app::pending_for(*t, {t.key("bob")});
    REQUIRE(bob.ok());
    REQUIRE(bob->to_confirm.size() == 1);
    const app::MovementView& mine = bob->to_confirm[0].movement;
    CHECK(mine.id == logged.entry.id);  // what hours.confirm names
    CHECK(mine.group);
    CHECK(mine.minutes == 40);
    CHECK(mine.provider == "2 volunteers");
    CHECK(mine.recipient == "bob");
    CHECK(mine.member_number == 1);
    CHECK(mine.group_members == 6);
    CHECK(app::describe_group_part(mine) == "lunch-club, 1 of 6");
    auto alice = app::pending_for(*t, {t.key("alice")});
    REQUIRE(alice->waiting.size() == 1);
    CHECK(alice->waiting[0].movement.minutes == 120);
    CHECK(alice->waiting[0].movement.recipient == "6 members");
    auto dave = app::coop_pending(*t, {t.key("dave")});
    REQUIRE(dave->to_confirm.size() == 1);
    CHECK(dave->to_confirm[0].movement.minutes == 240);
  }
  SUBCASE("bob confirms his share with hours confirm; a coordinator confirms the rest") {
    auto mine = app::confirm_hours(*t, {to_hex(logged.entry.id).substr(0, 10), "bob"});
    REQUIRE_MESSAGE(mine.ok(), mine.status().message());
    CHECK(mine->movement.minutes == 40);
    CHECK(t.balance("alice") == 20);
    auto again = app::confirm_hours(*t, {to_hex(logged.entry.id), "bob"});
    CHECK(again.status().code() == Code::wrong_state);
    auto rest = app::confirm_hours(*t, {to_hex(logged.entry.id), "dave"});
    REQUIRE_MESSAGE(rest.ok(), rest.status().message());
    CHECK(rest->movement.minutes == 200);
    CHECK(t.balance("alice") == 120);
    CHECK(t.balance("erin") == 120);
    auto shown = app::show_group_session(*t, {to_hex(logged.entry.id)});
    REQUIRE(shown.ok());
    for (const auto& share : shown->shares) CHECK(share.status == MovementStatus::posted);

    // alice's statement: one line per member's share, named by the session.
    auto statement = app::statement(*t, {"alice", INT32_MIN, INT32_MAX, ""});
    REQUIRE(statement.ok());
    REQUIRE(statement->lines.size() == 6);
    CHECK(statement->lines[0].about->group);
    CHECK(statement->closing_minutes == 120);

    // The report counts each volunteer's time once and each person once.
    auto report = app::period_report(*t, {t.day(), t.day()});
    REQUIRE(report.ok());
    CHECK(report->group_sessions.sessions == 1);
    CHECK(report->group_sessions.volunteers == 2);
    CHECK(report->group_sessions.members_helped == 6);
    CHECK(report->group_sessions.places == 6);
    CHECK(report->group_sessions.volunteer_minutes == 240);
    std::int64_t by_month = 0;
    for (const auto& m : report->hours_by_month) by_month += m.minutes;
    CHECK(by_month == 240);
    CHECK(report->active_volunteers == 2);
    bool defined = false;
    for (const auto& d : report->definitions) defined = defined || d.figure == "group_sessions";
    CHECK(defined);
  }
  SUBCASE("a volunteer voids the session") {
    auto voided = app::void_hours(*t, {to_hex(logged.entry.id), "erin", "wrong day"});
    REQUIRE_MESSAGE(voided.ok(), voided.status().message());
    auto shown = app::show_group_session(*t, {to_hex(logged.entry.id)});
    for (const auto& share : shown->shares) CHECK(share.status == MovementStatus::voided);
    CHECK(app::pending_for(*t, {t.key("bob")})->to_confirm.empty());
  }
}

TEST_CASE("a session the members share: 60 minutes for 7 members, the first four pay a minute more") {
  LunchClub t;
  for (const char* name : {"c3", "c4", "c5", "c6", "c7"}) t.add(name, {"carer"});
  app::LogGroupSession r;
  r.as = "alice";  // one of the volunteers logs it herself
  r.minutes = 60;
  r.with = {"carol", "cass", "c3", "c4", "c5", "c6", "c7"};
  r.category = "outing";
  r.date_days = t.day();
  auto logged = t.log(r);
  CHECK_FALSE(logged.session.pool_pays);
  std::vector<std::int64_t> shares;
  for (const auto& share : logged.session.shares) shares.push_back(share.minutes);
  CHECK(shares == std::vector<std::int64_t>{9, 9, 9, 9, 8, 8, 8});
  REQUIRE(app::confirm_hours(*t, {to_hex(logged.entry.id), "dave"}).ok());
  CHECK(t.balance("alice") == 60);
  CHECK(t.balance("carol") == -9);
  CHECK(t.balance("c7") == -8);
  auto report = app::period_report(*t, {t.day(), t.day()});
  CHECK(report->group_sessions.volunteer_minutes == 60);
  CHECK(report->group_sessions.members_helped == 7);
}

TEST_CASE("bad group sessions are refused with a message that says what to do, and change nothing") {
  LunchClub t;
  const auto before = t.node->ledger().log_size();
  SUBCASE("service users and members who pay in one session") {
    auto r = t.lunch();
    r.with.push_back("carol");
    auto refused = app::log_group_session(*t, r);
    CHECK(refused.status().code() == Code::not_permitted);
    CHECK(refused.status().message().find("two sessions") != std::string::npos);
  }
  SUBCASE("a volunteer who is also helped, named in the message") {
    auto r = t.lunch();
    r.with.push_back("erin");
    r.payer = "pool";
    auto refused = app::log_group_session(*t, r);
    CHECK(refused.status().code() == Code::not_permitted);
    CHECK(refused.status().message().find("erin is listed as a volunteer and as a recipient") != std::string::npos);
  }
  SUBCASE("no length") {
    auto r = t.lunch();
    r.minutes = 0;
    auto refused = app::log_group_session(*t, r);
    CHECK(refused.status().code() == Code::bad_amount);
    CHECK(refused.status().message().find("--duration") != std::string::npos);
  }
  SUBCASE("a member who is neither coordinator nor volunteer") {
    auto r = t.lunch();
    r.as = "bob";
    CHECK(app::log_group_session(*t, r).status().code() == Code::not_permitted);
  }
  SUBCASE("an unvetted volunteer for respite is named") {
    app::LogGroupSession r;
    r.as = "dave";
    r.volunteers = {{"alice", 0}, {"erin", 0}};
    r.minutes = 120;
    r.with = {"carol", "cass"};
    r.category = "respite";
    r.date_days = t.day();
    auto refused = app::log_group_session(*t, r);
    CHECK(refused.status().code() == Code::not_vetted);
    CHECK(refused.status().message().find("volunteer alice:") != std::string::npos);
  }
  SUBCASE("an unknown payer word") {
    auto r = t.lunch();
    r.payer = "council";
    CHECK(app::log_group_session(*t, r).status().code() == Code::malformed);
  }
  CHECK(t.node->ledger().log_size() == before);
}

TEST_CASE("member forget erases a group session's note, and the reason of a void of a member's share") {
  LunchClub t;
  auto logged = t.log(t.lunch());  // with a private note
  auto declined = app::void_hours(*t, {to_hex(logged.entry.id), "s3", "I was not there"});
  REQUIRE_MESSAGE(declined.ok(), declined.status().message());
  auto forgotten = app::forget_member(*t, {"s3", "dave"});
  REQUIRE_MESSAGE(forgotten.ok(), forgotten.status().message());
  CHECK(forgotten->notes_erased == 2);  // the session's note and the reason
  // Someone else at the session finds nothing left to erase.
  auto again = app::forget_member(*t, {"bob", "dave"});
  REQUIRE(again.ok());
  CHECK(again->notes_erased == 0);
}
