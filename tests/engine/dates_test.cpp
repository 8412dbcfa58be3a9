#include "cohours/dates.h"

#include <doctest/doctest.h>

using namespace cohours;

TEST_CASE("dates parse strictly and round trip") {
  CHECK(parse_date("1970-01-01") == 0);
  CHECK(parse_date("2026-11-20") == 20'777);
  CHECK(format_date(20'777) == "2026-11-20");
  CHECK(parse_date("2024-02-29").has_value());
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-11-31", "26-11-20", "2026/11/20", "2026-11-2x",
                          "", "2026-11-200", "1969-12-31", " 2026-11-20"})
    CHECK_MESSAGE(!parse_date(bad).has_value(), bad);
}

TEST_CASE("times format as UTC") {
  CHECK(format_time_ms(0) == "1970-01-01T00:00:00Z");
  CHECK(format_time_ms(1'795'000'000'123) == "2026-11-18T11:06:40Z");
  CHECK(days_from_ms(1'795'000'000'123) == 20'775);
  CHECK(days_from_ms(-1) == -1);
}
