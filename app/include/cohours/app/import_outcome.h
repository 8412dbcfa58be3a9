// What became of one row of a file a coordinator or admin imports (a
// timesheet, a member list from another time bank): imports store every
// good row together or none.
#pragma once

#include <cstdint>

namespace cohours::app {

enum class RowOutcome : std::uint8_t {
  added = 1,             // stored now
  already_imported = 2,  // an earlier import of this row stored it
  would_add = 3,         // dry run: good, and would be stored
  held_back = 4,         // good, but another row was refused, so nothing was stored
  refused = 5,           // see code and message
};
const char* row_outcome_name(RowOutcome outcome);  // "added", "already imported", ...

}  // namespace cohours::app
