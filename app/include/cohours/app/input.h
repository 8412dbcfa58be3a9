// Durations, days and months as people type them, the same for every front
// end (the CLI, a timesheet import). Integer arithmetic only: a duration is
// accepted only if it is a whole number of minutes (docs/cli.md, "Durations
// and dates").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cohours::app {

// "90", "90m", "1h", "1h30", "1h30m", "1h 30m", "1.5h", "0.25h" -> minutes.
// nullopt for anything else: no unit but h or m, not a whole number of
// minutes (1.01h), a sign, more than 12 digits.
std::optional<std::int64_t> parse_duration(std::string_view text);

// "today", "yesterday" (relative to `today`, days since 1970-01-01) or a
// real date YYYY-MM-DD.
std::optional<std::int32_t> parse_day(std::string_view text, std::int32_t today);

// "YYYY-MM" -> its first and last day.
struct DayRange {
  std::int32_t first = 0;
  std::int32_t last = 0;
};
std::optional<DayRange> parse_month(std::string_view text);

// An example of each form, for refusal messages.
inline constexpr std::string_view kDurationExamples = "90, 90m, 1h30, 1h 30m or 1.5h";

}  // namespace cohours::app
