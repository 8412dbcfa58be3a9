#include "csv.h"

namespace cohours::cli {

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

// RFC 4180 records; accepts CRLF or LF line ends.
Result<std::vector<app::ExportRow>> parse_csv(const std::string& text, const std::string& file) {
  std::vector<app::ExportRow> rows;
  app::ExportRow row;
  std::string field;
  bool quoted = false, in_row = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch != '"')
        field += ch;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        field += text[++i];
      else
        quoted = false;
    } else if (ch == '"' && field.empty()) {
      quoted = in_row = true;
    } else if (ch == ',') {
      row.push_back(std::move(field));
      field.clear();
      in_row = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      in_row = false;
    } else {
      field += ch;
      in_row = true;
    }
  }
  if (quoted) return Status(Code::corruption, file + " ends inside a quoted field");
  if (in_row || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace cohours::cli
