// The CSV an auditor's `audit verify --export` reads (cli/csv.cpp): files
// that have passed through other hands. Rows parsed and written again as
// `cohours export` writes them must parse to the same rows.
#include <string>

#include "cohours/app/csv.h"
#include "fuzz_support.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto rows = app::parse_csv(text, "records.csv");
  if (!rows.ok()) return 0;
  std::string written;
  for (const auto& row : rows.value()) {
    for (std::size_t i = 0; i < row.size(); ++i) written += (i ? "," : "") + app::csv_field(row[i]);
    written += "\r\n";
  }
  auto again = app::parse_csv(written, "records.csv");
  FUZZ_CHECK(again.ok() && again.value() == rows.value());
  return 0;
}
