// Calendar dates in entries are whole days since 1970-01-01 (UTC), int32.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cohours {

// Parses YYYY-MM-DD (a real date between 1970-01-01 and 9999-12-31).
std::optional<std::int32_t> parse_date(std::string_view text);
std::string format_date(std::int32_t days);
std::int32_t days_from_ms(std::int64_t unix_ms);
// ISO 8601 UTC timestamp to the second, e.g. 2026-11-23T08:30:00Z.
std::string format_time_ms(std::int64_t unix_ms);
// Parses that form back (YYYY-MM-DDTHH:MM:SSZ, UTC, a real date and time).
std::optional<std::int64_t> parse_time_ms(std::string_view text);
// RFC 7231 IMF-fixdate, the HTTP Date header's form, to the second:
// e.g. Mon, 23 Nov 2026 08:30:00 GMT.
std::string format_http_date_ms(std::int64_t unix_ms);

}  // namespace cohours
