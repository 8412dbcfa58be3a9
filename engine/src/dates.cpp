#include "cohours/dates.h"

#include <chrono>
#include <cstdio>

namespace cohours {

using namespace std::chrono;

std::optional<std::int32_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (std::size_t i = starts[f]; i < starts[f] + lengths[f]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  year_month_day ymd{year{fields[0]}, month{static_cast<unsigned>(fields[1])},
                     day{static_cast<unsigned>(fields[2])}};
  if (!ymd.ok() || fields[0] < 1970) return std::nullopt;
  return static_cast<std::int32_t>(sys_days{ymd}.time_since_epoch().count());
}

std::string format_date(std::int32_t days_since_epoch) {
  year_month_day ymd{sys_days{days{days_since_epoch}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::int32_t days_from_ms(std::int64_t unix_ms) {
  return static_cast<std::int32_t>(
      floor<days>(sys_time<milliseconds>{milliseconds{unix_ms}}).time_since_epoch().count());
}

std::string format_time_ms(std::int64_t unix_ms) {
  auto tp = sys_time<milliseconds>{milliseconds{unix_ms}};
  auto day_point = floor<days>(tp);
  year_month_day ymd{day_point};
  hh_mm_ss hms{floor<seconds>(tp - day_point)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::string format_http_date_ms(std::int64_t unix_ms) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto tp = sys_time<milliseconds>{milliseconds{unix_ms}};
  auto day_point = floor<days>(tp);
  year_month_day ymd{day_point};
  weekday wd{day_point};
  hh_mm_ss hms{floor<seconds>(tp - day_point)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02ld GMT", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<long>(hms.hours().count()),
                static_cast<long>(hms.minutes().count()), static_cast<long>(hms.seconds().count()));
  return buf;
}

std::optional<std::int64_t> parse_time_ms(std::string_view text) {
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  auto day = parse_date(text.substr(0, 10));
  if (!day) return std::nullopt;
  int fields[3] = {0, 0, 0};
  for (std::size_t f = 0; f < 3; ++f) {
    for (std::size_t i = 11 + 3 * f; i < 13 + 3 * f; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  if (fields[0] > 23 || fields[1] > 59 || fields[2] > 59) return std::nullopt;
  return (static_cast<std::int64_t>(*day) * 86400 + fields[0] * 3600 + fields[1] * 60 + fields[2]) * 1000;
}

}  // namespace cohours
