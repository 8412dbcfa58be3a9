#include "cohours/app/exchanges.h"

#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

TEST_CASE("hours log: the same hours again are a possible duplicate, logged only with again") {
  TestNode t;
  const std::int32_t day = *parse_date("2026-11-16");
  app::LogHours hours{"alice", "", "bob", 90, "befriending", day, "", false};
  auto first = app::log_hours(*t, hours);
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  const std::uint64_t size = t.node->ledger().log_size();

  auto twice = app::log_hours(*t, hours);
  CHECK(twice.code() == Code::possible_duplicate);
  CHECK(twice.status().message().find("--again") != std::string::npos);
  CHECK(twice.status().message().find("pending") != std::string::npos);
  CHECK(t.node->ledger().log_size() == size);

  SUBCASE("confirmed hours count too") {
    REQUIRE(app::confirm_hours(*t, {to_hex(first->entry.id), "bob"}).ok());
    auto again = app::log_hours(*t, hours);
    CHECK(again.code() == Code::possible_duplicate);
    CHECK(again.status().message().find("confirmed") != std::string::npos);
  }
  SUBCASE("voided hours do not") {
    REQUIRE(app::void_hours(*t, {to_hex(first->entry.id), "alice", "typo"}).ok());
    CHECK(app::log_hours(*t, hours).ok());
  }
  SUBCASE("another day, length, recipient or volunteer is not the same help") {
    for (auto change : {0, 1, 2}) {
      app::LogHours other = hours;
      if (change == 0) other.date_days = day - 1;
      if (change == 1) other.minutes = 60;
      if (change == 2) other.to = "community";
      CHECK(app::log_hours(*t, other).ok());
    }
  }
  SUBCASE("with again it is more help") {
    hours.again = true;
    CHECK(app::log_hours(*t, hours).ok());
    CHECK(t.node->ledger().log_size() == size + 1);
  }
}
