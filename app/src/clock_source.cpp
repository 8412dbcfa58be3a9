#include "cohours/app/clock_source.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "cohours/dates.h"

namespace cohours::app {

namespace {

Result<std::unique_ptr<Clock>> choose_clock() {
  const char* text = std::getenv("COHOURS_NOW");
  if (text == nullptr || *text == '\0') return std::unique_ptr<Clock>(new SystemClock());
  auto start_ms = parse_time_ms(text);
  if (!start_ms)
    return Result<std::unique_ptr<Clock>>(Code::malformed,
                                          "COHOURS_NOW is set to '" + std::string(text) +
                                              "', which is not a UTC time like 2026-11-30T12:00:00Z");
  // The offset is taken once, so time still passes normally from the start.
  return std::unique_ptr<Clock>(new OffsetClock(*start_ms - SystemClock().now_ms()));
}

}  // namespace

Result<const Clock*> process_clock() {
  static const Result<std::unique_ptr<Clock>> chosen = choose_clock();
  if (!chosen.ok()) return chosen.status();
  return static_cast<const Clock*>(chosen.value().get());
}

}  // namespace cohours::app
