// CSV as `cohours export` writes it and `audit verify --export` reads it
// back (RFC 4180). Apart from the commands so the parser can be fuzzed
// (tests/fuzz/fuzz_export_csv.cpp).
#pragma once

#include <string>
#include <vector>

#include "cohours/app/export.h"
#include "cohours/result.h"

namespace cohours::cli {

// One field: quoted, its quotes doubled, when it holds a comma, quote or
// line break.
std::string csv_field(const std::string& value);
// The records of `text` (CRLF or LF line ends); corruption naming `file`
// when it ends inside a quoted field.
Result<std::vector<app::ExportRow>> parse_csv(const std::string& text, const std::string& file);

}  // namespace cohours::cli
