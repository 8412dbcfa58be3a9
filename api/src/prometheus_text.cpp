#include "prometheus_text.h"

namespace cohours::api {

std::string prom_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '\\')
      out += "\\\\";
    else if (ch == '"')
      out += "\\\"";
    else if (ch == '\n')
      out += "\\n";
    else
      out += ch;
  }
  return out;
}

std::string prom_seconds(std::uint64_t micros) {
  std::string fraction = std::to_string(micros % 1'000'000);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  return std::to_string(micros / 1'000'000) + (fraction.empty() ? "" : "." + fraction);
}

void PromText::family(std::string_view name, std::string_view type, std::string_view help) {
  name_ = std::string(name);
  // HELP text escapes only backslash and newline.
  std::string escaped;
  for (char ch : help) escaped += ch == '\\' ? std::string("\\\\") : ch == '\n' ? std::string("\\n") : std::string(1, ch);
  out_ += "# HELP " + name_ + " " + escaped + "\n";
  out_ += "# TYPE " + name_ + " " + std::string(type) + "\n";
}

void PromText::sample(std::string_view suffix, const PromLabels& labels, std::string_view value) {
  out_ += name_;
  out_ += suffix;
  if (!labels.empty()) {
    out_ += '{';
    bool first = true;
    for (const auto& label : labels) {
      if (!first) out_ += ',';
      first = false;
      out_ += label.first;
      out_ += "=\"" + prom_escape(label.second) + "\"";
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

}  // namespace cohours::api
