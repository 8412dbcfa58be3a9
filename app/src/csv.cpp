#include "cohours/app/csv.h"

#include <string_view>

#include "cohours/text.h"

namespace cohours::app {

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

Result<std::vector<CsvRecord>> parse_csv_records(const std::string& text, const std::string& file) {
  std::vector<CsvRecord> records;
  CsvRecord record{1, {}};
  std::string field;
  int line = 1;
  bool quoted = false, in_row = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (quoted) {
      if (ch == '\n') ++line;
      if (ch != '"')
        field += ch;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        field += text[++i];
      else
        quoted = false;
    } else if (ch == '"' && field.empty()) {
      quoted = in_row = true;
    } else if (ch == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      in_row = true;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.fields.push_back(std::move(field));
      field.clear();
      records.push_back(std::move(record));
      record = CsvRecord{++line, {}};
      in_row = false;
    } else {
      field += ch;
      in_row = true;
    }
  }
  if (quoted) return Status(Code::corruption, file + " ends inside a quoted field");
  if (in_row || !field.empty()) {
    record.fields.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

Result<std::string> spreadsheet_text(const std::string& bytes, const std::string& file) {
  constexpr std::string_view bom = "\xEF\xBB\xBF";
  std::string text = bytes.starts_with(bom) ? bytes.substr(bom.size()) : bytes;
  int line = 1;
  for (std::size_t start = 0; start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view one(text.data() + start, end - start);
    if (one.find('\0') != std::string_view::npos || !utf8_characters(one))
      return Status(Code::malformed, file + " line " + std::to_string(line) +
                                         " is not UTF-8 text: save the sheet as \"CSV UTF-8\" (a CSV file, not a "
                                         "spreadsheet or another encoding)");
    start = end + 1;
  }
  return text;
}

Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& text, const std::string& file) {
  auto records = parse_csv_records(text, file);
  if (!records.ok()) return records.status();
  std::vector<std::vector<std::string>> rows;
  rows.reserve(records->size());
  for (auto& record : records.value()) rows.push_back(std::move(record.fields));
  return rows;
}

}  // namespace cohours::app
