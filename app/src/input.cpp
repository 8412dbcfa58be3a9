#include "cohours/app/input.h"

#include <cstdio>
#include <string>

#include "cohours/dates.h"

namespace cohours::app {

namespace {

// Reads up to 12 digits at `i`; nullopt if there are none or too many.
std::optional<std::int64_t> digits_at(std::string_view text, std::size_t& i, std::size_t* count = nullptr) {
  const std::size_t start = i;
  std::int64_t value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (i - start == 12) return std::nullopt;  // a 13th digit: too long, and before it could overflow
    value = value * 10 + (text[i++] - '0');
  }
  if (i == start) return std::nullopt;
  if (count) *count = i - start;
  return value;
}

void skip_spaces(std::string_view text, std::size_t& i) {
  while (i < text.size() && text[i] == ' ') ++i;
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text) {
  std::size_t i = 0;
  auto whole = digits_at(text, i);
  if (!whole) return std::nullopt;
  if (i == text.size()) return whole;  // "90": minutes
  if (text[i] == 'm') return i + 1 == text.size() ? whole : std::nullopt;
  std::int64_t minutes = 0;
  if (text[i] == '.') {
    // Decimal hours: whole minutes only (1.5h = 90, 1.01h refused).
    ++i;
    std::size_t places = 0;
    auto fraction = digits_at(text, i, &places);
    if (!fraction || places > 6 || i + 1 != text.size() || text[i] != 'h') return std::nullopt;
    std::int64_t scale = 1;
    for (std::size_t p = 0; p < places; ++p) scale *= 10;
    if (*fraction * 60 % scale != 0) return std::nullopt;
    return *whole * 60 + *fraction * 60 / scale;
  }
  if (text[i] != 'h') return std::nullopt;
  ++i;
  minutes = *whole * 60;
  skip_spaces(text, i);
  if (i == text.size()) return minutes;  // "2h"
  auto rest = digits_at(text, i);
  if (!rest || *rest >= 60) return std::nullopt;  // "1h 75m" is a typing slip
  if (i < text.size() && text[i] == 'm') ++i;
  if (i != text.size()) return std::nullopt;
  return minutes + *rest;
}

std::optional<std::int32_t> parse_day(std::string_view text, std::int32_t today) {
  if (text == "today") return today;
  if (text == "yesterday") return today - 1;
  return parse_date(text);
}

std::optional<DayRange> parse_month(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  auto first = parse_date(std::string(text) + "-01");
  if (!first) return std::nullopt;
  // The last day: the day before the first of the next month.
  int year = std::stoi(std::string(text.substr(0, 4)));
  int month = std::stoi(std::string(text.substr(5, 2)));
  if (++month == 13) {
    month = 1;
    ++year;
  }
  char next[32];  // room for any int, so the compiler sees no truncation
  std::snprintf(next, sizeof next, "%04d-%02d-01", year, month);
  auto after = parse_date(next);
  if (!after) return std::nullopt;  // 9999-12: past the last date we read
  return DayRange{*first, *after - 1};
}

}  // namespace cohours::app
