// hours import: a coordinator brings in a paper timesheet typed up as CSV
// (docs/timesheets.md): one row per piece of help, every row checked before
// anything is stored, nothing stored unless every row is good, and the
// same file imported again adds nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/import_outcome.h"
#include "cohours/app/node.h"

namespace cohours::app {

// Bigger files are split: the whole file's entries are judged and stored
// as one batch, and its answer travels in one control-socket message.
inline constexpr std::size_t kMaxTimesheetBytes = 4u * 1024 * 1024;
inline constexpr std::size_t kMaxTimesheetRows = 10'000;

struct ImportHours {
  std::string as;    // the coordinator who signs every row
  std::string csv;   // the file's text
  std::string file;  // its name, for messages
  bool dry_run = false;
  // Rows with the same volunteer, recipient, day and length as hours
  // already logged, or as an earlier row, are more help, not a mistake.
  bool again = false;
};

struct ImportedRow {
  int line = 0;  // the line of the file the row starts on
  RowOutcome outcome = RowOutcome::refused;
  Code code = Code::ok;  // why it was refused
  std::string message;   // every problem found with the row, "; " between
  EntryId id;            // the row's entry; zero when it could not be made
  std::string volunteer;
  std::string recipient;  // "community" for the pool
  std::int32_t date_days = 0;
  std::int64_t minutes = 0;
  std::string category;
};

struct HoursImported {
  std::vector<ImportedRow> rows;
  std::size_t added = 0;
  std::size_t already_imported = 0;
  std::size_t refused = 0;
  bool dry_run = false;
  Hash32 file_digest;  // BLAKE2b-256 of the file's bytes
};

// Refuses the whole file (malformed, not_permitted, ...) when it cannot be
// read as a timesheet or `as` may not import one; otherwise answers row by
// row, refusals included. Progress: "checked" rows of the file.
Result<HoursImported> import_hours(Node& node, const ImportHours& request);

}  // namespace cohours::app
