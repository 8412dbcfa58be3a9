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

TEST_CASE("times parse back strictly") {
  CHECK(parse_time_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_time_ms("2026-11-18T11:06:40Z") == 1'795'000'000'000);
  CHECK(format_time_ms(*parse_time_ms("2027-03-01T23:59:30Z")) == "2027-03-01T23:59:30Z");
  for (const char* bad : {"2026-11-18 11:06:40Z", "2026-11-18T11:06:40", "2026-11-18T24:00:00Z",
                          "2026-11-18T11:60:00Z", "2026-02-30T11:06:40Z", "2026-11-18T1x:06:40Z", ""})
    CHECK_MESSAGE(!parse_time_ms(bad).has_value(), bad);
}

TEST_CASE("HTTP dates: RFC 7231's IMF-fixdate, weekday included, whole seconds") {
  CHECK(format_http_date_ms(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(format_http_date_ms(784'111'777'999) == "Sun, 06 Nov 1994 08:49:37 GMT");  // the RFC's example
  CHECK(format_http_date_ms(1'795'000'000'123) == "Wed, 18 Nov 2026 11:06:40 GMT");
  CHECK(format_http_date_ms(951'782'400'000) == "Tue, 29 Feb 2000 00:00:00 GMT");
  CHECK(format_http_date_ms(4'102'444'799'000) == "Thu, 31 Dec 2099 23:59:59 GMT");
}
