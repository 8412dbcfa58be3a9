// Time comes from a Clock passed in; the engine never reads the system clock
// itself, so tests and simulations control time.
#pragma once

#include <atomic>
#include <cstdint>

namespace cohours {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (UTC).
  virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
};

// The system clock moved by a fixed offset: time passes at the normal rate
// but reads `offset_ms` later (earlier if negative). Lets a test or a
// rehearsal run a whole process at a chosen date (app/clock_source.h).
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(std::int64_t offset_ms) : offset_ms_(offset_ms) {}
  std::int64_t now_ms() const override;

 private:
  std::int64_t offset_ms_;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'790'000'000'000) : now_ms_(start_ms) {}
  std::int64_t now_ms() const override { return now_ms_.load(); }
  void advance_ms(std::int64_t delta_ms) { now_ms_ += delta_ms; }
  void set_ms(std::int64_t value_ms) { now_ms_ = value_ms; }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace cohours
