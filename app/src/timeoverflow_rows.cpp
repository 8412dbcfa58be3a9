#include "timeoverflow_rows.h"

#include <array>
#include <string_view>

#include "cohours/app/csv.h"
#include "cohours/app/timeoverflow_import.h"

namespace cohours::app {

namespace {

// The member report's columns in the order TimeOverflow writes them
// (app/decorators/report/member_decorator.rb upstream). Their titles are
// translated into the time bank's language, so only their number and the
// first, "N" in every language, are checked.
enum TimeOverflowColumn { number, name, email, phone, alt_phone, created, last_login, locale, balance, count };
constexpr const char* kExpectedHeader =
    "N,Name,Email,Phone,Alternative Phone,Created,Last login,Locale,Balance (TimeOverflow's member report as CSV, "
    "in any language; see docs/moving-from-timeoverflow.md)";

std::string trimmed_field(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool all_blank(const std::vector<std::string>& fields) {
  for (const auto& field : fields)
    if (!trimmed_field(field).empty()) return false;
  return true;
}

// A positive whole number of at most 9 digits.
bool parse_member_number(const std::string& text, std::uint32_t* out) {
  if (text.empty() || text.size() > 9) return false;
  std::uint32_t value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    value = value * 10 + static_cast<std::uint32_t>(ch - '0');
  }
  if (value == 0) return false;
  *out = value;
  return true;
}

// Accented Latin letters of Catalan, Spanish, Basque, Galician, French and
// Portuguese names, as UTF-8, and the letter each stands for in an alias.
struct Unaccented {
  std::string_view utf8;
  char letter;
};
constexpr std::array<Unaccented, 44> kUnaccented{{
    {"\xC3\xA0", 'a'}, {"\xC3\xA1", 'a'}, {"\xC3\xA2", 'a'}, {"\xC3\xA3", 'a'}, {"\xC3\xA4", 'a'},
    {"\xC3\x80", 'a'}, {"\xC3\x81", 'a'}, {"\xC3\x82", 'a'}, {"\xC3\x84", 'a'}, {"\xC3\xA7", 'c'},
    {"\xC3\x87", 'c'}, {"\xC3\xA8", 'e'}, {"\xC3\xA9", 'e'}, {"\xC3\xAA", 'e'}, {"\xC3\xAB", 'e'},
    {"\xC3\x88", 'e'}, {"\xC3\x89", 'e'}, {"\xC3\x8A", 'e'}, {"\xC3\xAC", 'i'}, {"\xC3\xAD", 'i'},
    {"\xC3\xAE", 'i'}, {"\xC3\xAF", 'i'}, {"\xC3\x8D", 'i'}, {"\xC3\x8F", 'i'}, {"\xC3\xB1", 'n'},
    {"\xC3\x91", 'n'}, {"\xC3\xB2", 'o'}, {"\xC3\xB3", 'o'}, {"\xC3\xB4", 'o'}, {"\xC3\xB5", 'o'},
    {"\xC3\xB6", 'o'}, {"\xC3\x92", 'o'}, {"\xC3\x93", 'o'}, {"\xC3\x96", 'o'}, {"\xC3\xB9", 'u'},
    {"\xC3\xBA", 'u'}, {"\xC3\xBB", 'u'}, {"\xC3\xBC", 'u'}, {"\xC3\x9A", 'u'}, {"\xC3\x9C", 'u'},
    {"\xC3\xBF", 'y'}, {"\xC5\x93", 'o'}, {"\xC3\x9F", 's'}, {"\xC3\xB8", 'o'},
}};

}  // namespace

bool parse_timeoverflow_balance(const std::string& raw, std::int64_t* minutes) {
  const std::string text = trimmed_field(raw);
  if (text.empty() || text == "&mdash;" || text == "\xE2\x80\x94" || text == "0" || text == "0:00") {
    *minutes = 0;
    return true;
  }
  std::string_view rest = text;
  const bool negative = rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 6 || rest.size() != colon + 3) return false;
  std::int64_t hours = 0, mins = 0;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (i == colon) continue;
    const char ch = rest[i];
    if (ch < '0' || ch > '9') return false;
    (i < colon ? hours : mins) = (i < colon ? hours : mins) * 10 + (ch - '0');
  }
  if (mins >= 60) return false;
  *minutes = (negative ? -1 : 1) * (hours * 60 + mins);
  return true;
}

std::string alias_from_name(const std::string& name) {
  std::string out;
  bool gap = false;
  auto put = [&](char letter) {
    if (gap && !out.empty()) out.push_back('.');
    gap = false;
    out.push_back(letter);
  };
  for (std::size_t i = 0; i < name.size();) {
    const unsigned char ch = static_cast<unsigned char>(name[i]);
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
      put(static_cast<char>(ch));
      ++i;
      continue;
    }
    if (ch >= 'A' && ch <= 'Z') {
      put(static_cast<char>(ch - 'A' + 'a'));
      ++i;
      continue;
    }
    bool matched = false;
    for (const auto& u : kUnaccented) {
      if (std::string_view(name).substr(i, u.utf8.size()) == u.utf8) {
        put(u.letter);
        i += u.utf8.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    // Catalan's middle dot (l·l) joins a word; anything else separates.
    if (std::string_view(name).substr(i, 2) == "\xC2\xB7") {
      i += 2;
      continue;
    }
    gap = true;
    ++i;
    while (i < name.size() && (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) ++i;
  }
  if (out.size() > 32) out.resize(32);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

Result<std::vector<TimeOverflowRow>> read_timeoverflow_members(const std::string& text, const std::string& file) {
  auto body = spreadsheet_text(text, file);
  if (!body.ok()) return body.status();
  auto records = parse_csv_records(*body, file);
  // A file the admin gave, not the store: bad input, not corruption.
  if (!records.ok()) return Status(Code::malformed, records.status().message());
  std::vector<TimeOverflowRow> rows;
  bool header_seen = false;
  for (const CsvRecord& record : records.value()) {
    if (all_blank(record.fields)) continue;
    if (!header_seen) {
      if (record.fields.size() != count || trimmed_field(record.fields[0]) != "N")
        return Status(Code::malformed, file + " line " + std::to_string(record.line) +
                                           ": not a TimeOverflow member list; its header reads " + kExpectedHeader);
      header_seen = true;
      continue;
    }
    TimeOverflowRow row;
    row.line = record.line;
    if (rows.size() >= kMaxTimeOverflowMembers)
      return Status(Code::limit_reached, file + " has more than " + std::to_string(kMaxTimeOverflowMembers) +
                                             " members; split it and import each part");
    if (record.fields.size() != count) {
      row.problems.push_back("has " + std::to_string(record.fields.size()) + " fields, the header " +
                             std::to_string(count));
      rows.push_back(std::move(row));
      continue;
    }
    auto field = [&](TimeOverflowColumn column) { return trimmed_field(record.fields[column]); };
    if (!parse_member_number(field(number), &row.number))
      row.problems.push_back("member number '" + field(number) + "' is not a whole number from 1");
    row.name = field(name);
    row.email = field(email);
    row.phone = field(phone);
    row.alt_phone = field(alt_phone);
    if (row.name.empty()) row.problems.push_back("no name");
    if (!parse_timeoverflow_balance(field(balance), &row.balance_minutes))
      row.problems.push_back("balance '" + field(balance) + "' is not hours and minutes as TimeOverflow writes "
                             "them (12:30, -1:05)");
    rows.push_back(std::move(row));
  }
  if (!header_seen)
    return Status(Code::malformed, file + " is empty; a TimeOverflow member list's header reads " + kExpectedHeader);
  return rows;
}

}  // namespace cohours::app
