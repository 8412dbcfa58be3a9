#include "timesheet_rows.h"

#include <array>
#include <cstdio>
#include <optional>

#include "cohours/app/csv.h"
#include "cohours/app/input.h"
#include "cohours/app/timesheet_import.h"
#include "cohours/dates.h"

namespace cohours::app {

namespace {

enum TimesheetColumn { volunteer, recipient, date, duration, category, note, column_count };
constexpr std::array<const char*, column_count> kColumnNames{"volunteer", "recipient", "date",
                                                             "duration",  "category",  "note"};
constexpr const char* kHeaderHint = "volunteer,recipient,date,duration,category,note (see docs/timesheets.md)";

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string lower(std::string text) {
  for (char& ch : text)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return text;
}

// D/M/YYYY or DD/MM/YYYY, day first as British paper forms write it.
std::optional<std::int32_t> parse_day_first(const std::string& text) {
  int day = 0, month = 0, year = 0, used = 0;
  if (text.size() > 10 || std::sscanf(text.c_str(), "%2d/%2d/%4d%n", &day, &month, &year, &used) != 3 ||
      used != static_cast<int>(text.size()) || text.find_first_of(" +-") != std::string::npos)
    return std::nullopt;
  char iso[32];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
  return parse_date(iso);
}

// A day as a timesheet gives it. today and yesterday are refused: a file
// must mean the same whenever it is imported (again).
std::optional<std::int32_t> parse_sheet_day(const std::string& text, std::string* problem) {
  if (auto day = text.find('/') == std::string::npos ? parse_date(text) : parse_day_first(text)) return day;
  const std::string word = lower(text);
  if (word == "today" || word == "yesterday")
    *problem = "date '" + text + "': a timesheet gives the day itself (2026-11-23 or 23/11/2026), so that it "
               "means the same whenever it is imported";
  else if (text.empty())
    *problem = "no date (write 2026-11-23 or 23/11/2026)";
  else
    *problem = "date '" + text + "' is not a day: write 2026-11-23 or 23/11/2026 (day first)";
  return std::nullopt;
}

// Which column each header field names; malformed for a header that is not
// a timesheet's.
Result<std::array<int, column_count>> read_header(const std::vector<std::string>& fields, const std::string& file) {
  std::array<int, column_count> at;
  at.fill(-1);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string name = lower(trimmed(fields[i]));
    int found = -1;
    for (int c = 0; c < column_count; ++c)
      if (name == kColumnNames[c]) found = c;
    if (found < 0)
      return Status(Code::malformed, file + " line 1: column '" + trimmed(fields[i]) +
                                         "' is not a timesheet column; the header is " + kHeaderHint);
    if (at[found] >= 0)
      return Status(Code::malformed, file + " line 1: column '" + name + "' is named twice");
    at[found] = static_cast<int>(i);
  }
  for (int c = 0; c < column_count; ++c)
    if (at[c] < 0 && c != note)
      return Status(Code::malformed, file + " line 1: the header has no '" + kColumnNames[c] +
                                         "' column; it is " + kHeaderHint);
  return at;
}

bool blank(const std::vector<std::string>& fields) {
  for (const auto& field : fields)
    if (!trimmed(field).empty()) return false;
  return true;
}

}  // namespace

Result<std::vector<SheetRow>> read_timesheet(const std::string& text_in, const std::string& file) {
  if (text_in.size() > kMaxTimesheetBytes)
    return Status(Code::malformed, file + " is larger than " + std::to_string(kMaxTimesheetBytes >> 20) +
                                       " MiB: split it into smaller files");
  auto text = spreadsheet_text(text_in, file);
  if (!text.ok()) return text.status();
  auto records = parse_csv_records(*text, file);
  if (!records.ok())
    return Status(Code::malformed, file + " ends inside a quoted field: a '\"' opens a field that is never closed");
  if (records->empty() || blank(records->front().fields))
    return Status(Code::malformed, file + " is empty: its first line is the header " + kHeaderHint);
  auto at = read_header(records->front().fields, file);
  if (!at.ok()) return at.status();
  const std::size_t width = records->front().fields.size();

  std::vector<SheetRow> rows;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    if (blank(record.fields)) continue;
    if (rows.size() == kMaxTimesheetRows)
      return Status(Code::malformed, file + " has more than " + std::to_string(kMaxTimesheetRows) +
                                         " rows: split it into smaller files");
    SheetRow row;
    row.line = record.line;
    if (record.fields.size() != width) {
      row.problems.push_back("the row has " + std::to_string(record.fields.size()) + " fields and the header " +
                             std::to_string(width) + " (a note with a comma goes in double quotes)");
      rows.push_back(std::move(row));
      continue;
    }
    auto field = [&](TimesheetColumn c) { return (*at)[c] < 0 ? std::string() : trimmed(record.fields[(*at)[c]]); };
    // Aliases and categories are lower case; paper forms are not.
    row.volunteer = lower(field(volunteer));
    row.recipient = lower(field(recipient));
    row.date = field(date);
    row.duration = field(duration);
    row.category = lower(field(category));
    // The note is kept as written, inner line breaks and all.
    row.note = (*at)[note] < 0 ? std::string() : record.fields[(*at)[note]];
    if (trimmed(row.note).empty()) row.note.clear();
    if (row.volunteer.empty()) row.problems.push_back("no volunteer");
    if (row.recipient.empty()) row.problems.push_back("no recipient (a member, or 'community')");
    std::string problem;
    if (auto day = parse_sheet_day(row.date, &problem))
      row.date_days = *day;
    else
      row.problems.push_back(problem);
    if (auto minutes = parse_duration(row.duration); minutes && *minutes > 0)
      row.minutes = *minutes;
    else if (minutes)
      row.problems.push_back("duration '" + row.duration + "' is no time at all");
    else
      row.problems.push_back("duration '" + row.duration + "' is not a length of time: write " +
                             std::string(kDurationExamples));
    if (row.category.empty()) row.problems.push_back("no category");
    rows.push_back(std::move(row));
  }
  if (rows.empty()) return Status(Code::malformed, file + " has a header and no rows");
  return rows;
}

}  // namespace cohours::app
