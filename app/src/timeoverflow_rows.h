// The member list a TimeOverflow time bank exports (Reports -> Members, as
// CSV), read row by row: docs/moving-from-timeoverflow.md says which export
// and what each column becomes here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/result.h"

namespace cohours::app {

struct TimeOverflowRow {
  int line = 0;
  std::uint32_t number = 0;  // the member's number in that time bank ("N")
  std::string name, email, phone, alt_phone;  // trimmed
  std::int64_t balance_minutes = 0;
  std::vector<std::string> problems;  // empty: the row reads cleanly
};

// malformed, naming `file`, for text that is not such an export (the header
// says what was expected). Rows of empty fields are skipped.
Result<std::vector<TimeOverflowRow>> read_timeoverflow_members(const std::string& text, const std::string& file);

}  // namespace cohours::app
