// Amounts as people read them, the same in every front end. Integer
// arithmetic only: no floating point anywhere near the ledger.
#pragma once

#include <cstdint>
#include <string>

namespace cohours::app {

// 150 -> "2h 30m", -45 -> "-45m", 0 -> "0m".
std::string format_minutes(std::int64_t minutes);
// 1240 -> "12.40" (no currency sign: the code says it)
std::string format_pence(std::int64_t pence);
// 120 -> "2 hours", 90 -> "1 hour 30 minutes"
std::string describe_minutes(std::int64_t minutes);

}  // namespace cohours::app
