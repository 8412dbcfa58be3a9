// The daemon's log: one line per event on stderr (docs/operations.md
// "Logs"):
//
//   2026-12-03T12:00:00.123Z info sync: connected to riverside (127.0.0.1:39430)
//
// the UTC time to the millisecond, the level, the component (daemon,
// control, http, sync, store, alerts) and a colon, then the event. Peers are
// named by their consortium name, logs by the first 12 hex digits of their
// node's key; no line holds a member's name, alias, contact details or
// notes (a test greps for them). Written
// with write(2) on file descriptor 2, never through std::cerr, so that the
// CLI commands the daemon runs for the control socket can capture their own
// output without catching log lines.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cohours::net {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

// Lines below `level` are dropped. Thread-safe.
void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug", "info", "warn" or "error".
bool parse_log_level(std::string_view text, LogLevel* level);
// `component`: one of the fixed names above, never text from outside.
void log_line(LogLevel level, std::string_view component, std::string_view message);
// `message` as log_line writes it: control characters (escape codes, a peer's
// text with a newline) as \xNN, so nothing a peer sends moves a terminal's
// cursor or forges a second log line.
std::string log_safe(std::string_view message);

// Lines that a stranger can cause at will (a refused connection, a refused
// request) go through a limiter, so that a flood of them cannot fill the
// disk: of each kind, the first `lines_per_window` lines in a window are
// written, the rest only counted, and when the window has passed one line
// says how many were left out. `kind` must come from a fixed set (a status
// code, a reason's fixed text), never from what the stranger sent; past
// `max_kinds` kinds, the rest share one. Not thread-safe: log_limited()
// holds a lock around it.
class LogLimiter {
 public:
  struct Line {
    LogLevel level;
    std::string text;
  };
  LogLimiter(std::size_t lines_per_window, std::chrono::milliseconds window, std::size_t max_kinds)
      : lines_per_window_(lines_per_window), window_ms_(window.count()), max_kinds_(max_kinds) {}
  // The lines to write now for one more line of `kind` at `now_ms`: the
  // summary of its window if that window has ended, and the line itself
  // unless its window is full.
  std::vector<Line> admit(LogLevel level, std::string_view kind, std::string_view message, std::int64_t now_ms);
  // The summaries of every window that has ended by `now_ms`.
  std::vector<Line> flush(std::int64_t now_ms);

 private:
  struct Window {
    LogLevel level = LogLevel::info;
    std::int64_t start_ms = 0;
    std::size_t written = 0;
    std::size_t left_out = 0;
  };
  std::vector<Line> close_if_over(const std::string& kind, Window& w, std::int64_t now_ms);
  std::size_t lines_per_window_;
  std::int64_t window_ms_;
  std::size_t max_kinds_;
  std::map<std::string, Window, std::less<>> windows_;
};

// log_line through one LogLimiter for the process: 5 lines of a kind per
// 10 s, at most 64 kinds. The kind's first word is the lines' component
// (e.g. "http 431"). Thread-safe.
void log_limited(LogLevel level, std::string_view kind, std::string_view message);
// Writes the summaries of windows that have ended; the daemon calls it on a
// timer, so that the count of a flood that stopped is still written.
void flush_limited_logs();

inline void log_debug(std::string_view component, std::string_view message) {
  log_line(LogLevel::debug, component, message);
}
inline void log_info(std::string_view component, std::string_view message) {
  log_line(LogLevel::info, component, message);
}
inline void log_warn(std::string_view component, std::string_view message) {
  log_line(LogLevel::warn, component, message);
}
inline void log_error(std::string_view component, std::string_view message) {
  log_line(LogLevel::error, component, message);
}

}  // namespace cohours::net
