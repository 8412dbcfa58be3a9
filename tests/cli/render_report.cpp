// Test helper: renders a period report's JSON as the HTML page, without a
// ledger, so the browser test can feed it fixtures and hostile aliases.
//   render_report REPORT.json OUT.html
#include <fstream>
#include <iostream>

#include "report_html.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: render_report REPORT.json OUT.html\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "render_report: cannot read " << argv[1] << "\n";
    return 1;
  }
  auto report = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded()) {
    std::cerr << "render_report: " << argv[1] << " is not valid JSON\n";
    return 1;
  }
  std::ofstream out(argv[2], std::ios::binary);
  out << cohours::cli::render_report_html(report);
  if (!out.flush()) {
    std::cerr << "render_report: cannot write " << argv[2] << "\n";
    return 1;
  }
  return 0;
}
