// Logs only errors while a test runs: services log every link, ban and
// equivocation they see as info or warnings.
#pragma once

#include "cohours/net/logger.h"

namespace cohours::test {

struct QuietLogs {
  net::LogLevel before = net::log_level();
  QuietLogs() { net::set_log_level(net::LogLevel::error); }
  ~QuietLogs() { net::set_log_level(before); }
};

}  // namespace cohours::test
