// Thank-yous: who may send one, its length and text, erasing it, and
// `member forget` of the sender or the volunteer.
#include "cohours/app/thanks.h"

#include "app_support.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/members.h"
#include "cohours/app/policy.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::day;
using cohours::test::TestNode;

namespace {

std::string logged(TestNode& t, const std::string& volunteer, const std::string& to, std::int64_t minutes) {
  auto made = app::log_hours(*t, {volunteer, "", to, minutes, "befriending", day("2026-11-17"), ""});
  REQUIRE_MESSAGE(made.ok(), made.status().message());
  return to_hex(made->entry.id);
}

std::string repeat(const std::string& piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("thanks: only the member helped (or paying) thanks the volunteer, once per piece of help") {
  TestNode t;  // alice volunteers, bob is a service user, carol a carer, dave a coordinator
  const std::string hours = logged(t, "alice", "bob", 90);
  // With the confirmation or before it: pending help may be thanked.
  auto sent = app::send_thanks(*t, {"bob", hours, "Thank you for the lift to the clinic"});
  REQUIRE_MESSAGE(sent.ok(), sent.status().message());
  CHECK(sent->to == "alice");
  CHECK(sent->from == "bob");
  CHECK(sent->minutes == 90);
  CHECK(sent->category == "befriending");
  CHECK(sent->date_days == day("2026-11-17"));
  CHECK(sent->id.size() == 32);

  auto stranger = app::send_thanks(*t, {"carol", hours, "thanks"});
  CHECK(stranger.code() == Code::not_permitted);
  CHECK(stranger.status().message().find("only the member who received this help") != std::string::npos);
  // A coordinator who did not receive the help does not thank for it.
  CHECK(app::send_thanks(*t, {"dave", hours, "thanks"}).code() == Code::not_permitted);
  CHECK(app::send_thanks(*t, {"alice", hours, "well done me"}).code() == Code::not_permitted);
  auto twice = app::send_thanks(*t, {"bob", hours, "and again"});
  CHECK(twice.code() == Code::already_exists);
  CHECK(app::send_thanks(*t, {"bob", std::string(64, '0'), "thanks"}).code() != Code::ok);
  CHECK(app::send_thanks(*t, {"nobody", hours, "thanks"}).code() == Code::unknown_member);

  // Voided help is nothing to thank for.
  const std::string voided = logged(t, "alice", "bob", 30);
  REQUIRE(app::void_hours(*t, {voided, "alice", "never happened"}).ok());
  CHECK(app::send_thanks(*t, {"bob", voided, "thanks"}).code() == Code::wrong_state);

  // carol pays for help to herself: she may thank after confirming.
  app::SetPolicy floor;
  floor.as = "dave";
  floor.role_floor = app::RoleFloor{"carer", -600};
  REQUIRE(app::set_policy(*t, floor).ok());
  t.clock.advance_ms(1000);  // listed oldest first
  const std::string for_carol = logged(t, "alice", "carol", 60);
  REQUIRE(app::confirm_hours(*t, {for_carol, "carol"}).ok());
  REQUIRE(app::send_thanks(*t, {"carol", for_carol, "Lovely afternoon"}).ok());

  auto alice = app::list_thanks(*t, {"alice"});
  REQUIRE(alice.ok());
  REQUIRE(alice->received.size() == 2);
  CHECK(alice->received[0].text == "Thank you for the lift to the clinic");
  CHECK(alice->received[1].from == "carol");
  CHECK(alice->sent.empty());
  auto bob = app::list_thanks(*t, {"bob"});
  REQUIRE(bob.ok());
  CHECK(bob->received.empty());
  REQUIRE(bob->sent.size() == 1);
  CHECK(bob->sent[0].to == "alice");
}

TEST_CASE("thanks: 280 characters of UTF-8 at most, and some words") {
  TestNode t;
  CHECK(app::send_thanks(*t, {"bob", logged(t, "alice", "bob", 10), std::string(281, 'a')}).code() ==
        Code::malformed);
  CHECK(app::send_thanks(*t, {"bob", logged(t, "alice", "bob", 11), ""}).code() == Code::malformed);
  CHECK(app::send_thanks(*t, {"bob", logged(t, "alice", "bob", 12), "caf\xc3"}).code() == Code::malformed);
  // 280 characters of two and four bytes each are within the limit.
  CHECK(app::send_thanks(*t, {"bob", logged(t, "alice", "bob", 13), repeat("é", 280)}).ok());
  t.clock.advance_ms(1000);  // listed oldest first
  auto wide = app::send_thanks(*t, {"bob", logged(t, "alice", "bob", 14), repeat("\xf0\x9f\x92\x90", 280)});
  REQUIRE_MESSAGE(wide.ok(), wide.status().message());
  auto list = app::list_thanks(*t, {"alice"});
  REQUIRE(list.ok());
  CHECK(list->received.size() == 2);  // the refused ones left nothing
  CHECK(list->received[1].text == repeat("\xf0\x9f\x92\x90", 280));
}

TEST_CASE("thanks: the sender, the volunteer or an admin erases one; nobody else") {
  TestNode t;
  const std::string hours = logged(t, "alice", "bob", 90);
  auto sent = app::send_thanks(*t, {"bob", hours, "Thank you"});
  REQUIRE(sent.ok());
  CHECK(app::erase_thanks(*t, {"carol", sent->id}).code() == Code::not_permitted);
  CHECK(app::erase_thanks(*t, {"bob", "not-an-id"}).code() == Code::malformed);
  CHECK(app::erase_thanks(*t, {"bob", std::string(32, '0')}).code() == Code::not_found);
  auto erased = app::erase_thanks(*t, {"alice", sent->id});  // the volunteer
  REQUIRE_MESSAGE(erased.ok(), erased.status().message());
  CHECK(erased->id == sent->id);
  CHECK(app::list_thanks(*t, {"alice"})->received.empty());
  CHECK(app::erase_thanks(*t, {"bob", sent->id}).code() == Code::not_found);
  // Erased, it may be sent again; the sender erases their own, an admin any.
  auto again = app::send_thanks(*t, {"bob", hours, "Thank you again"});
  REQUIRE(again.ok());
  CHECK(app::erase_thanks(*t, {"bob", again->id}).ok());
  auto third = app::send_thanks(*t, {"bob", hours, "Thank you, third time"});
  REQUIRE(third.ok());
  CHECK(app::erase_thanks(*t, {"dave", third->id}).ok());
  CHECK(app::list_thanks(*t, {"bob"})->sent.empty());
}

TEST_CASE("thanks: member forget erases what the member sent and what they received") {
  TestNode t;
  t.add("erin", {"volunteer"});
  REQUIRE(app::send_thanks(*t, {"bob", logged(t, "alice", "bob", 90), "from bob to alice"}).ok());
  REQUIRE(app::send_thanks(*t, {"carol", logged(t, "alice", "carol", 60), "from carol to alice"}).ok());
  REQUIRE(app::send_thanks(*t, {"bob", logged(t, "erin", "bob", 45), "from bob to erin"}).ok());

  auto forgot_bob = app::forget_member(*t, {"bob", "dave"});
  REQUIRE_MESSAGE(forgot_bob.ok(), forgot_bob.status().message());
  CHECK(forgot_bob->thanks_erased == 2);
  auto alice = app::list_thanks(*t, {"alice"});
  REQUIRE(alice.ok());
  REQUIRE(alice->received.size() == 1);
  CHECK(alice->received[0].text == "from carol to alice");
  CHECK(app::list_thanks(*t, {"erin"})->received.empty());

  auto forgot_alice = app::forget_member(*t, {"alice", "dave"});
  REQUIRE(forgot_alice.ok());
  CHECK(forgot_alice->thanks_erased == 1);
  CHECK(app::list_thanks(*t, {"carol"})->sent.empty());
}
