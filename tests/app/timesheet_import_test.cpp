#include "cohours/app/timesheet_import.h"

#include <variant>

#include "cohours/app/exchanges.h"
#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

constexpr const char* kHeader = "volunteer,recipient,date,duration,category,note\n";

// 39 good rows (from line 2): alice's and erin's visits to bob (a service
// user, so the pool pays) and community gardening, on different days.
std::vector<std::string> good_rows() {
  std::vector<std::string> rows;
  for (int i = 0; i < 39; ++i) {
    const std::string volunteer = i % 2 ? "erin" : "alice";
    const std::string recipient = i % 3 ? "bob" : "community";
    const std::string category = i % 3 ? "befriending" : "gardening";
    rows.push_back(volunteer + "," + recipient + ",2026-10-" + (i / 2 + 1 < 10 ? "0" : "") +
                   std::to_string(i / 2 + 1) + "," + std::to_string(30 + i) + "m," + category + ",");
  }
  return rows;
}

std::string sheet(const std::vector<std::string>& rows) {
  std::string text = kHeader;
  for (const auto& row : rows) text += row + "\n";
  return text;
}

std::uint64_t log_size(TestNode& t) { return t.node->ledger().log_size(); }

std::size_t notes_kept(TestNode& t) {
  std::size_t n = 0;
  for (auto cursor = t.node->store().scan(Column::notes, "", std::string(40, '\xff')); cursor->valid();
       cursor->next())
    ++n;
  return n;
}

app::HoursImported import(TestNode& t, const std::string& csv, bool dry_run = false, bool again = false) {
  auto done = app::import_hours(*t, {"dave", csv, "week.csv", dry_run, again});
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  return done.value();
}

// The private note an imported row's entry points at, if any.
std::optional<std::string> note_of(TestNode& t, const EntryId& id) {
  auto seq = t.node->ledger().movement(id);
  REQUIRE(seq.ok());
  auto record = t.node->ledger().record(seq->seq);
  REQUIRE(record.ok());
  auto entry = decode_entry(record->entry);
  REQUIRE(entry.ok());
  return t.node->directory().note(std::get<HoursLog>(entry->entry.body).note_digest);
}

struct TimesheetNode : TestNode {
  TimesheetNode() { add("erin", {"volunteer"}); }
};

}  // namespace

TEST_CASE("a 40-row timesheet with a bad row on line 17: every problem listed, nothing stored") {
  TimesheetNode t;
  const std::uint64_t before = log_size(t);
  const std::size_t notes_before = notes_kept(t);
  std::vector<std::string> rows = good_rows();
  rows[0] = "alice,bob,2026-10-01,30m,befriending,\"Walked to the shops, then tea\"";
  rows.insert(rows.begin() + 15, "alice,bob,2026-10-20,2 hours,befriending,");  // line 17
  REQUIRE(rows.size() == 40);

  app::HoursImported done = import(t, sheet(rows));
  REQUIRE(done.rows.size() == 40);
  CHECK(done.refused == 1);
  CHECK(done.added == 0);
  const app::ImportedRow& bad = done.rows[15];
  CHECK(bad.line == 17);
  CHECK(bad.outcome == app::RowOutcome::refused);
  CHECK(bad.code == Code::malformed);
  CHECK(bad.message.find("'2 hours'") != std::string::npos);
  CHECK(bad.message.find("1h30") != std::string::npos);  // says how to write it
  for (std::size_t i = 0; i < done.rows.size(); ++i)
    if (i != 15) CHECK(done.rows[i].outcome == app::RowOutcome::held_back);
  CHECK(log_size(t) == before);
  CHECK(notes_kept(t) == notes_before);  // the good rows' notes are not kept either

  SUBCASE("corrected, it goes in whole; the same file again adds nothing") {
    rows[15] = "alice,bob,2026-10-20,2h,befriending,";
    app::HoursImported stored = import(t, sheet(rows));
    CHECK(stored.added == 40);
    CHECK(stored.refused == 0);
    CHECK(log_size(t) == before + 40);
    CHECK(note_of(t, stored.rows[0].id) == "Walked to the shops, then tea");
    auto alice = t.node->ledger().movement(stored.rows[15].id);
    REQUIRE(alice.ok());
    CHECK(alice->minutes == 120);
    CHECK(alice->provider == t.key("alice"));
    CHECK(alice->status == MovementStatus::pending);

    app::HoursImported again = import(t, sheet(rows));
    CHECK(again.added == 0);
    CHECK(again.already_imported == 40);
    CHECK(again.refused == 0);
    for (std::size_t i = 0; i < again.rows.size(); ++i) CHECK(again.rows[i].id == stored.rows[i].id);
    CHECK(log_size(t) == before + 40);

    // A row added to the file later: only it goes in, the others are known.
    rows.push_back("erin,bob,2026-11-02,1h,befriending,new this week");
    app::HoursImported grown = import(t, sheet(rows));
    CHECK(grown.added == 1);
    CHECK(grown.already_imported == 40);
    CHECK(log_size(t) == before + 41);
  }
}

TEST_CASE("a dry run checks every row and stores nothing; the real import makes the same entries") {
  TimesheetNode t;
  const std::uint64_t before = log_size(t);
  const std::string csv = sheet({"alice,bob,2026-11-02,1h30,befriending,a private word", "erin,community,03/11/2026,45,gardening,"});
  app::HoursImported dry = import(t, csv, /*dry_run=*/true);
  CHECK(dry.dry_run);
  CHECK(dry.added == 0);
  CHECK(dry.rows[0].outcome == app::RowOutcome::would_add);
  CHECK(dry.rows[1].date_days == *parse_date("2026-11-03"));  // day first
  CHECK(log_size(t) == before);
  CHECK_FALSE(t.node->directory().note(Hash32{}).has_value());
  app::HoursImported real = import(t, csv);
  CHECK(real.added == 2);
  CHECK(real.rows[0].id == dry.rows[0].id);
  CHECK(real.rows[1].id == dry.rows[1].id);
}

TEST_CASE("a note over several lines keeps the line numbers of the rows after it, and stays off the log") {
  TimesheetNode t;
  const std::string csv = std::string(kHeader) +
                          "alice,bob,2026-11-02,1h,befriending,\"Hospital run,\nwaited for her,\nthen home\"\n"
                          "erin,bob,2026-11-02,1h,befriending,\n"
                          "erin,bob,2026-11-03,1h,knitting,\n";
  app::HoursImported done = import(t, csv);
  REQUIRE(done.rows.size() == 3);
  CHECK(done.rows[1].line == 5);
  CHECK(done.rows[2].line == 6);
  CHECK(done.rows[2].code == Code::unknown_category);
  const std::string fixed = csv.substr(0, csv.find("knitting")) + "shopping,\n";
  app::HoursImported stored = import(t, fixed);
  REQUIRE(stored.added == 3);
  auto record = t.node->ledger().record(t.node->ledger().movement(stored.rows[0].id)->seq);
  REQUIRE(record.ok());
  CHECK(std::string(record->entry.begin(), record->entry.end()).find("Hospital") == std::string::npos);
  CHECK(note_of(t, stored.rows[0].id) == "Hospital run,\nwaited for her,\nthen home");
}

TEST_CASE("the same hours twice need --again, in the file or beside hours already logged") {
  TimesheetNode t;
  const std::string row = "alice,bob,2026-11-02,1h,befriending,";
  app::HoursImported twice = import(t, sheet({row, row}));
  CHECK(twice.rows[1].outcome == app::RowOutcome::refused);
  CHECK(twice.rows[1].code == Code::possible_duplicate);
  CHECK(twice.rows[1].message.find("line 2") != std::string::npos);

  app::HoursImported more = import(t, sheet({row, row}), false, /*again=*/true);
  CHECK(more.added == 2);
  CHECK(more.rows[0].id != more.rows[1].id);
  // Retried, still with --again: the file's two rows are known, not added.
  app::HoursImported retried = import(t, sheet({row, row}), false, true);
  CHECK(retried.already_imported == 2);
  CHECK(retried.added == 0);

  // Hours logged by hand, then a timesheet with the same help on it.
  auto logged = app::log_hours(*t, {"dave", "erin", "bob", 45, "befriending", *parse_date("2026-11-05"), "", false});
  REQUIRE(logged.ok());
  const std::string same = sheet({"erin,bob,2026-11-05,45m,befriending,"});
  app::HoursImported possible = import(t, same);
  CHECK(possible.rows[0].code == Code::possible_duplicate);
  CHECK(possible.rows[0].message.find("possible duplicate") != std::string::npos);
  CHECK(possible.rows[0].message.find(to_hex(logged->entry.id).substr(0, 12)) != std::string::npos);
  CHECK(import(t, same, false, true).added == 1);
}

TEST_CASE("a refusal by the ledger's rules holds back the rows before and after it") {
  TimesheetNode t;
  const std::uint64_t before = log_size(t);
  const std::size_t notes_before = notes_kept(t);
  // The rules, not the file's reading, refuse these: over the co-op's
  // maximum per entry, and help not yet given.
  app::HoursImported done = import(t, sheet({"alice,bob,2026-11-02,1h,befriending,kept?",
                                             "erin,bob,2026-11-02,13h,befriending,", "alice,bob,2027-01-01,1h,befriending,"}));
  CHECK(done.rows[0].outcome == app::RowOutcome::held_back);
  CHECK(done.rows[1].outcome == app::RowOutcome::refused);
  CHECK(done.rows[2].code == Code::bad_date);
  CHECK(log_size(t) == before);
  CHECK(notes_kept(t) == notes_before);
}

TEST_CASE("a file that is not a timesheet, or someone who may not import one, is refused whole") {
  TimesheetNode t;
  auto refused = [&](const std::string& as, const std::string& csv) {
    auto done = app::import_hours(*t, {as, csv, "week.csv", false, false});
    REQUIRE_FALSE(done.ok());
    return done.status();
  };
  CHECK(refused("alice", sheet({"alice,bob,2026-11-02,1h,befriending,"})).code() == Code::not_permitted);
  CHECK(refused("zoe", sheet({})).code() == Code::unknown_member);
  CHECK(refused("dave", "").message().find("empty") != std::string::npos);
  CHECK(refused("dave", kHeader).message().find("no rows") != std::string::npos);
  CHECK(refused("dave", "volunteer,recipient,date,duration,category,colour\nalice,bob,2026-11-02,1h,x,y\n")
            .message()
            .find("'colour'") != std::string::npos);
  CHECK(refused("dave", "volunteer,recipient,date,category\nalice,bob,2026-11-02,befriending\n")
            .message()
            .find("no 'duration' column") != std::string::npos);
  CHECK(refused("dave", std::string(kHeader) + "alice,bob,2026-11-02,1h,befriending,\"never closed\n")
            .message()
            .find("quoted") != std::string::npos);
  // Not text: a spreadsheet's own file, or a sheet saved as Windows-1252
  // (its "é" one byte, 0xE9), named by line, and nothing of it echoed.
  const Status binary = refused("dave", std::string("PK\x03\x04\0\xff\xfe", 7) + "xl/workbook.xml");
  CHECK(binary.code() == Code::malformed);
  CHECK(binary.message().find("line 1 is not UTF-8 text") != std::string::npos);
  CHECK(binary.message().find("xl/workbook") == std::string::npos);
  CHECK(refused("dave", sheet({"alice,bob,2026-11-02,1h,befriending,caf\xe9 visit"}))
            .message()
            .find("line 2 is not UTF-8 text: save the sheet as \"CSV UTF-8\"") != std::string::npos);
  std::string huge = kHeader;
  for (std::size_t i = 0; i <= app::kMaxTimesheetRows; ++i) huge += "alice,bob,2026-11-02,1h,befriending,\n";
  CHECK(refused("dave", huge).message().find("split") != std::string::npos);
}

TEST_CASE("a spreadsheet's CSV: byte-order mark, capitals, any column order, no note column, blank rows") {
  TimesheetNode t;
  const std::string csv =
      "\xEF\xBB\xBF"
      "Date,Volunteer,Duration,Recipient,Category\r\n"
      "2026-11-02,Alice,1h 30m,BOB,Befriending\r\n"
      ",,,,\r\n"
      "02/11/2026,erin,1.5h,Community,Gardening\r\n";
  std::vector<std::uint64_t> progress;
  t.node->set_progress([&](const char*, std::uint64_t done, std::uint64_t total) {
    CHECK(total == 2);
    progress.push_back(done);
  });
  app::HoursImported done = import(t, csv);
  t.node->set_progress({});
  CHECK(done.added == 2);
  CHECK(done.rows[1].line == 4);
  CHECK(done.rows[1].recipient == "community");
  CHECK(done.rows[1].minutes == 90);
  CHECK(progress == std::vector<std::uint64_t>{1, 2});
}
