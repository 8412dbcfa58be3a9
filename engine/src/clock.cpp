#include "cohours/clock.h"

#include <chrono>

namespace cohours {

std::int64_t SystemClock::now_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t OffsetClock::now_ms() const {
  return SystemClock().now_ms() + offset_ms_;
}

}  // namespace cohours
