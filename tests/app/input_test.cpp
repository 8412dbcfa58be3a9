#include "cohours/app/input.h"

#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;

TEST_CASE("durations as people write them, in whole minutes only") {
  // Not a structured binding: clang before 16 cannot capture one (CAPTURE).
  for (const auto& example : std::initializer_list<std::pair<const char*, std::int64_t>>{
           {"90", 90}, {"90m", 90}, {"1h", 60}, {"1h30", 90}, {"1h30m", 90}, {"1h 30m", 90}, {"1h 30", 90},
           {"1.5h", 90}, {"0.25h", 15}, {"2.75h", 165}, {"0.1h", 6}, {"12h", 720}, {"0", 0}, {"1h 05m", 65}}) {
    const char* text = example.first;
    CAPTURE(text);
    CHECK(app::parse_duration(text) == std::optional<std::int64_t>(example.second));
  }
  for (const char* text : {"", "h", "m", "1.01h", "1.5", "1.5m", "90s", "1h60", "1h 75m", "1h30x", "-5", "+5",
                           " 90", "90 ", "1 h", "1,5h", "1.h", ".5h", "1h30m5", "1234567890123", "1.0000001h",
                           "1hh", "ninety"}) {
    CAPTURE(text);
    CHECK_FALSE(app::parse_duration(text).has_value());
  }
}

TEST_CASE("days: today, yesterday or a real date; months to their first and last day") {
  const std::int32_t today = *parse_date("2026-03-01");
  CHECK(app::parse_day("today", today) == today);
  CHECK(app::parse_day("yesterday", today) == *parse_date("2026-02-28"));
  CHECK(app::parse_day("2026-11-20", today) == *parse_date("2026-11-20"));
  CHECK_FALSE(app::parse_day("2026-02-30", today).has_value());
  CHECK_FALSE(app::parse_day("Today", today).has_value());
  CHECK_FALSE(app::parse_day("tomorrow", today).has_value());

  auto feb = app::parse_month("2028-02");
  REQUIRE(feb.has_value());
  CHECK(feb->first == *parse_date("2028-02-01"));
  CHECK(feb->last == *parse_date("2028-02-29"));
  auto dec = app::parse_month("2026-12");
  REQUIRE(dec.has_value());
  CHECK(dec->last == *parse_date("2026-12-31"));
  for (const char* text : {"2026-13", "2026-1", "2026/11", "26-11", "2026-11-01", "", "9999-12"}) {
    CAPTURE(text);
    CHECK_FALSE(app::parse_month(text).has_value());
  }
}
