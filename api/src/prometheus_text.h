// The Prometheus text exposition format 0.0.4, written family by family:
// one # HELP and one # TYPE line, then its samples. Label values are
// escaped (backslash, double quote, newline); the names are the caller's
// fixed text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cohours::api {

using PromLabels = std::vector<std::pair<std::string_view, std::string>>;

class PromText {
 public:
  // Starts a family: `type` is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the family begun last; `suffix` for a histogram's
  // _bucket, _sum and _count.
  void sample(std::string_view suffix, const PromLabels& labels, std::string_view value);
  void sample(const PromLabels& labels, std::uint64_t value) { sample("", labels, std::to_string(value)); }
  const std::string& text() const { return out_; }

 private:
  std::string out_;
  std::string name_;
};

// A label value as the format wants it inside double quotes.
std::string prom_escape(std::string_view value);
// Microseconds as seconds in decimal ("0.0025"), without floating point.
std::string prom_seconds(std::uint64_t micros);

}  // namespace cohours::api
