// A timesheet's rows as written (timesheet_import.cpp resolves the names):
// the header, one row per piece of help, dates and durations parsed, and
// every problem a row has on its own.
#pragma once

#include <string>
#include <vector>

#include "cohours/result.h"

namespace cohours::app {

struct SheetRow {
  int line = 0;
  std::string volunteer, recipient, date, duration, category, note;  // trimmed
  std::int32_t date_days = 0;
  std::int64_t minutes = 0;
  std::vector<std::string> problems;  // empty: dates and durations parsed
};

// The header names the columns, in any order and any case: volunteer,
// recipient, date, duration, category, and note (optional). Rows of empty
// fields are skipped. malformed for a file that is not such a timesheet.
Result<std::vector<SheetRow>> read_timesheet(const std::string& text, const std::string& file);

}  // namespace cohours::app
