// CSV (RFC 4180, CRLF or LF line ends) as `cohours export` writes it, `audit
// verify --export` reads it back and `hours import` reads a timesheet. Apart
// from its users so the parser can be fuzzed (tests/fuzz/fuzz_export_csv.cpp).
#pragma once

#include <string>
#include <vector>

#include "cohours/result.h"

namespace cohours::app {

// One field: quoted, its quotes doubled, when it holds a comma, quote or
// line break.
std::string csv_field(const std::string& value);

// A record and the line of the text it starts on (from 1): a quoted field
// may hold line breaks, so records and lines differ.
struct CsvRecord {
  int line = 0;
  std::vector<std::string> fields;
};
// The records of `text`; corruption naming `file` when it ends inside a
// quoted field.
Result<std::vector<CsvRecord>> parse_csv_records(const std::string& text, const std::string& file);
// A file a member typed up in a spreadsheet (a timesheet, a member list),
// ready for parse_csv_records: its byte-order mark dropped; malformed,
// naming `file` and the first line, when it is not UTF-8 text (a binary
// file, or a sheet saved in a legacy encoding whose names would be read
// wrong).
Result<std::string> spreadsheet_text(const std::string& bytes, const std::string& file);
// The records' fields alone.
Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& text, const std::string& file);

}  // namespace cohours::app
