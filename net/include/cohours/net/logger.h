// The daemon's log: one line per event on stderr, with a level. Written
// with write(2) on file descriptor 2, never through std::cerr, so that the
// CLI commands the daemon runs for the control socket can capture their own
// output without catching log lines.
#pragma once

#include <string>
#include <string_view>

namespace cohours::net {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

// Lines below `level` are dropped. Thread-safe.
void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug", "info", "warn" or "error".
bool parse_log_level(std::string_view text, LogLevel* level);
void log_line(LogLevel level, std::string_view message);
// `message` as log_line writes it: control characters (escape codes, a peer's
// text with a newline) as \xNN, so nothing a peer sends moves a terminal's
// cursor or forges a second log line.
std::string log_safe(std::string_view message);

inline void log_debug(std::string_view message) {
  log_line(LogLevel::debug, message);
}
inline void log_info(std::string_view message) {
  log_line(LogLevel::info, message);
}
inline void log_warn(std::string_view message) {
  log_line(LogLevel::warn, message);
}
inline void log_error(std::string_view message) {
  log_line(LogLevel::error, message);
}

}  // namespace cohours::net
