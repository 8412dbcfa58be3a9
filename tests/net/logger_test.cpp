// The daemon's log (net/src/logger.cpp): whatever a peer sends that ends up
// in a line (a Goodbye's reason, an alias) cannot move a terminal's cursor,
// change its colours or forge a second line.
#include "cohours/net/logger.h"

#include <doctest/doctest.h>

using namespace cohours::net;

TEST_CASE("log lines show control characters as \\xNN and keep the rest") {
  CHECK(log_safe("peer said goodbye: shutting down") == "peer said goodbye: shutting down");
  CHECK(log_safe("\x1b[2J\x1b[31mred") == "\\x1b[2J\\x1b[31mred");
  CHECK(log_safe("one\ntwo\rthree") == "one\\x0atwo\\x0dthree");
  CHECK(log_safe(std::string_view("nul\0bell\x07" "del\x7f", 13)) == "nul\\x00bell\\x07del\\x7f");
  CHECK(log_safe("Café coöp") == "Café coöp");  // UTF-8 stays readable
}

// A flood of refusals must not fill the disk (docs/threat-model.md,
// "Hostile peers and phones"): 5 lines of a kind per window, then a count.
TEST_CASE("the limiter writes five lines of a kind per window, then how many it left out") {
  LogLimiter limiter(5, std::chrono::seconds(10), 3);
  std::size_t written = 0;
  for (int i = 0; i < 1000; ++i) written += limiter.admit(LogLevel::warn, "http 401", "refused", 1'000 + i).size();
  CHECK(written == 5);
  // Another kind has its own window.
  CHECK(limiter.admit(LogLevel::warn, "peer handshake", "refused", 2'000).size() == 1);
  // Nothing is summarised before the window ends; then one line says how many.
  CHECK(limiter.flush(10'999).empty());
  auto summary = limiter.flush(11'000);
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].level == LogLevel::warn);
  CHECK(summary[0].text == "995 more lines like 'http 401' left out of the log in 10 s");
  // The next window writes again, and a line after a window's end carries its summary.
  for (int i = 0; i < 7; ++i) limiter.admit(LogLevel::warn, "http 401", "refused", 12'000);
  auto next = limiter.admit(LogLevel::warn, "http 401", "refused", 21'000);
  REQUIRE(next.size() == 2);
  CHECK(next[0].text == "2 more lines like 'http 401' left out of the log in 10 s");
  CHECK(next[1].text == "refused");
  // Kinds past the cap share one window, so the map stays bounded.
  CHECK(limiter.admit(LogLevel::info, "a", "x", 21'000).size() == 1);
  CHECK(limiter.admit(LogLevel::info, "b", "x", 21'000).size() == 1);
  for (int i = 0; i < 10; ++i) limiter.admit(LogLevel::info, "kind " + std::to_string(i), "x", 21'000);
  auto shared = limiter.flush(31'000);
  REQUIRE(shared.size() == 1);
  CHECK(shared[0].text == "6 more lines like 'other' left out of the log in 10 s");
}
