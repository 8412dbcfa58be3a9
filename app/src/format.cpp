#include "cohours/app/format.h"

#include <cstdio>

namespace cohours::app {

std::string format_minutes(std::int64_t minutes) {
  std::string sign = minutes < 0 ? "-" : "";
  std::uint64_t magnitude =
      minutes < 0 ? 0 - static_cast<std::uint64_t>(minutes) : static_cast<std::uint64_t>(minutes);
  std::uint64_t hours = magnitude / 60, rest = magnitude % 60;
  if (hours == 0) return sign + std::to_string(rest) + "m";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%lluh %02llum", sign.c_str(), static_cast<unsigned long long>(hours),
                static_cast<unsigned long long>(rest));
  return buf;
}

std::string format_pence(std::int64_t pence) {
  std::uint64_t magnitude =
      pence < 0 ? 0 - static_cast<std::uint64_t>(pence) : static_cast<std::uint64_t>(pence);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%02llu", pence < 0 ? "-" : "",
                static_cast<unsigned long long>(magnitude / 100),
                static_cast<unsigned long long>(magnitude % 100));
  return buf;
}

std::string describe_minutes(std::int64_t minutes) {
  std::int64_t hours = minutes / 60, rest = minutes % 60;
  std::string out;
  if (hours) out = std::to_string(hours) + (hours == 1 ? " hour" : " hours");
  if (rest) out += (out.empty() ? "" : " ") + std::to_string(rest) + (rest == 1 ? " minute" : " minutes");
  return out.empty() ? "0 minutes" : out;
}

}  // namespace cohours::app
