#include "cohours/net/logger.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace cohours::net {

static std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
static std::mutex g_write_mu;

void set_log_level(LogLevel level) {
  g_level = static_cast<int>(level);
}
LogLevel log_level() {
  return static_cast<LogLevel>(g_level.load());
}

bool parse_log_level(std::string_view text, LogLevel* level) {
  static constexpr std::pair<std::string_view, LogLevel> kNames[] = {{"debug", LogLevel::debug},
                                                                     {"info", LogLevel::info},
                                                                     {"warn", LogLevel::warn},
                                                                     {"error", LogLevel::error}};
  for (const auto& [name, value] : kNames)
    if (text == name) {
      *level = value;
      return true;
    }
  return false;
}

std::string log_safe(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (char ch : message) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte >= 0x20 && byte != 0x7f) {
      out += ch;
      continue;
    }
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
    out += escaped;
  }
  return out;
}

void log_line(LogLevel level, std::string_view component, std::string_view message) {
  if (static_cast<int>(level) < g_level.load()) return;
  static constexpr const char* kTags[] = {"debug", "info", "warn", "error"};
  // UTC time to the millisecond: operators compare logs of several nodes.
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[64];
  std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  std::string line = std::string(stamp) + " " + kTags[static_cast<int>(level)] + " ";
  line += component;
  line += ": ";
  line += log_safe(message);
  line += '\n';
  std::lock_guard lock(g_write_mu);
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(2, line.data() + done, line.size() - done);
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
}

std::vector<LogLimiter::Line> LogLimiter::close_if_over(const std::string& kind, Window& w, std::int64_t now_ms) {
  std::vector<Line> out;
  if (now_ms - w.start_ms < window_ms_) return out;
  if (w.left_out > 0)
    out.push_back({w.level, std::to_string(w.left_out) + " more lines like '" + kind + "' left out of the log in " +
                                std::to_string((now_ms - w.start_ms) / 1000) + " s"});
  w = Window{w.level, now_ms, 0, 0};
  return out;
}

std::vector<LogLimiter::Line> LogLimiter::admit(LogLevel level, std::string_view kind_text, std::string_view message,
                                                std::int64_t now_ms) {
  std::string kind(kind_text);
  if (!windows_.count(kind) && windows_.size() >= max_kinds_) kind = "other";
  auto [it, fresh] = windows_.try_emplace(kind, Window{level, now_ms, 0, 0});
  Window& w = it->second;
  std::vector<Line> out = close_if_over(kind, w, now_ms);
  w.level = level;
  if (w.written < lines_per_window_) {
    ++w.written;
    out.push_back({level, std::string(message)});
  } else {
    ++w.left_out;
  }
  return out;
}

std::vector<LogLimiter::Line> LogLimiter::flush(std::int64_t now_ms) {
  std::vector<Line> out;
  for (auto it = windows_.begin(); it != windows_.end();) {
    // A kind whose window passed with nothing left out is forgotten: the
    // map holds only the kinds seen lately.
    if (now_ms - it->second.start_ms >= window_ms_ && it->second.left_out == 0) {
      it = windows_.erase(it);
      continue;
    }
    auto lines = close_if_over(it->first, it->second, now_ms);
    out.insert(out.end(), lines.begin(), lines.end());
    ++it;
  }
  return out;
}

namespace {
std::mutex g_limiter_mu;
LogLimiter g_limiter(5, std::chrono::seconds(10), 64);
// The component of a limited line: its kind's first word ("http 431");
// the kinds past the cap share "other", written as the daemon's.
std::string_view limited_component(std::string_view kind) {
  std::string_view word = kind.substr(0, kind.find(' '));
  return word == "other" || word.empty() ? std::string_view("daemon") : word;
}
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void log_limited(LogLevel level, std::string_view kind, std::string_view message) {
  if (static_cast<int>(level) < g_level.load()) return;
  std::vector<LogLimiter::Line> lines;
  {
    std::lock_guard lock(g_limiter_mu);
    lines = g_limiter.admit(level, kind, message, steady_ms());
  }
  for (const auto& line : lines) log_line(line.level, limited_component(kind), line.text);
}

void flush_limited_logs() {
  std::vector<LogLimiter::Line> lines;
  {
    std::lock_guard lock(g_limiter_mu);
    lines = g_limiter.flush(steady_ms());
  }
  // A summary names its kind in quotes: "N more lines like 'http 431' ...".
  for (const auto& line : lines) {
    const std::size_t open = line.text.find('\'');
    const std::string_view kind =
        open == std::string::npos ? std::string_view() : std::string_view(line.text).substr(open + 1);
    log_line(line.level, limited_component(kind.substr(0, kind.find('\''))), line.text);
  }
}

}  // namespace cohours::net
