#include "cohours/control/json_basics.h"

namespace cohours {

std::optional<Code> code_from_name(const std::string& name) {
  // Codes are small consecutive values; code_name says "unknown" past the last.
  for (int value = 0; value < 256; ++value) {
    const std::string candidate = code_name(static_cast<Code>(value));
    if (candidate == "unknown") break;
    if (candidate == name) return static_cast<Code>(value);
  }
  return std::nullopt;
}

}  // namespace cohours
