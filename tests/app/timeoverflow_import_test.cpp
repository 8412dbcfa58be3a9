// member import-timeoverflow: members and balances from a TimeOverflow
// member list (docs/moving-from-timeoverflow.md).
#include "cohours/app/timeoverflow_import.h"

#include "cohours/app/accounts.h"
#include "cohours/crypto.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

constexpr const char* kTimeOverflowHeader = "N,Name,Email,Phone,Alternative Phone,Created,Last login,Locale,Balance\n";

std::string member_list(const std::vector<std::string>& rows) {
  std::string text = kTimeOverflowHeader;
  for (const auto& row : rows) text += row + "\n";
  return text;
}

std::string to_row(int number, const std::string& name, const std::string& balance) {
  return std::to_string(number) + "," + name + ",,0113 496 000" + std::to_string(number % 10) +
         ",,2024-01-20 14:44:03 UTC,,en," + balance;
}

const std::vector<std::string> kFourMembers{to_row(1, "Maria García", "12:30"), to_row(2, "Joan Puig", "-2:15"),
                                            to_row(3, "Sam O'Neill", "&mdash;"), to_row(7, "Maria Garcia", "0:45")};

app::TimeOverflowImported bring_over(TestNode& t, const std::string& csv, bool dry_run = false) {
  auto done = app::import_timeoverflow(*t, {"dave", csv, "members.csv", dry_run, {"volunteer"}});
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  return done.value();
}

std::int64_t balance_of(TestNode& t, const std::string& alias) {
  auto b = t.node->ledger().balance(AccountId::member(t.key(alias)));
  REQUIRE(b.ok());
  return b->balance_minutes;
}

std::int64_t pool_balance(TestNode& t) {
  return t.node->ledger().balance(AccountId::pool(t.node->ledger().node_key())).value().balance_minutes;
}

}  // namespace

TEST_CASE("a TimeOverflow member list: every member joins with their balance, citing the file") {
  TestNode t;
  const std::string csv = member_list(kFourMembers);
  const std::size_t keys_before = t.keyring_size();

  auto dry = bring_over(t, csv, true);
  CHECK(dry.refused == 0);
  CHECK(dry.added == 0);
  CHECK(dry.net_minutes == 750 - 135 + 0 + 45);
  CHECK(t.keyring_size() == keys_before);  // a dry run makes no keys
  CHECK_FALSE(t.node->directory().key_for("maria.garcia").ok());

  auto done = bring_over(t, csv);
  REQUIRE(done.refused == 0);
  CHECK(done.added == 4);
  CHECK(done.file_digest == blake2b_256(csv));
  CHECK(t.keyring_size() == keys_before + 4);
  // Two Marias: the second takes her number after the alias.
  CHECK(done.rows[0].alias == "maria.garcia");
  CHECK(done.rows[3].alias == "maria.garcia-7");
  CHECK(done.rows[2].alias == "sam.o.neill");
  CHECK(balance_of(t, "maria.garcia") == 750);
  CHECK(balance_of(t, "joan.puig") == -135);
  CHECK(balance_of(t, "sam.o.neill") == 0);
  CHECK(balance_of(t, "maria.garcia-7") == 45);
  CHECK(pool_balance(t) == -(750 - 135 + 45));

  // Each opening balance is a signed entry that cites the file and the row.
  auto opening = t.node->ledger().opening_of(t.key("joan.puig"));
  REQUIRE(opening.ok());
  REQUIRE(opening.value());
  auto seq = t.node->ledger().seq_of(**opening);
  auto entry = decode_entry(t.node->ledger().record(seq.value()).value().entry);
  REQUIRE(entry.ok());
  const auto* body = std::get_if<BalanceOpen>(&entry->entry.body);
  REQUIRE(body);
  CHECK(body->source_digest == blake2b_256(csv));
  CHECK(body->source_row == 2);
  CHECK(body->minutes == -135);
  CHECK(entry->entry.author == t.key("dave"));
  // The phone numbers are kept in the erasable directory, never the log.
  CHECK(t.node->directory().find(t.key("joan.puig"))->contact == "0113 496 0002");

  // The statement says what the line is.
  auto statement = app::statement(*t, {"maria.garcia", INT32_MIN, INT32_MAX, "dave"});
  REQUIRE(statement.ok());
  REQUIRE(statement->lines.size() == 1);
  CHECK(statement->lines[0].about->kind == MovementKind::opening);

  SUBCASE("the same file again adds nothing") {
    const std::uint64_t size = t.node->ledger().log_size();
    auto again = bring_over(t, csv);
    CHECK(again.added == 0);
    CHECK(again.already_imported == 4);
    CHECK(again.refused == 0);
    CHECK(t.node->ledger().log_size() == size);
    CHECK(t.keyring_size() == keys_before + 4);
  }
  SUBCASE("another export naming the same members is refused: a balance comes over once") {
    auto grown = member_list({kFourMembers[0], to_row(9, "Ola Nowak", "1:00")});
    const std::uint64_t size = t.node->ledger().log_size();
    auto app_answer = app::import_timeoverflow(*t, {"dave", grown, "newer.csv", false, {"volunteer"}});
    REQUIRE(app_answer.ok());
    CHECK(app_answer->refused == 1);
    CHECK(app_answer->rows[0].code == Code::already_exists);
    CHECK(app_answer->rows[0].message.find("another file") != std::string::npos);
    CHECK(app_answer->rows[1].outcome == app::RowOutcome::held_back);
    CHECK(t.node->ledger().log_size() == size);
    CHECK_FALSE(t.node->directory().key_for("ola.nowak").ok());
  }
}

TEST_CASE("a member list with a bad row stores nothing and names every problem by line") {
  TestNode t;
  std::vector<std::string> rows;
  for (int i = 1; i <= 20; ++i) rows.push_back(to_row(i, "Member " + std::to_string(i), std::to_string(i) + ":00"));
  rows[15] = to_row(16, "Bad Balance", "1h30");  // line 17 of the file
  rows[17] = to_row(3, "Number Again", "1:00");  // line 19: 3 is on line 4
  const std::size_t keys_before = t.keyring_size();
  const std::uint64_t size = t.node->ledger().log_size();
  auto done = bring_over(t, member_list(rows));
  CHECK(done.refused == 2);
  CHECK(done.added == 0);
  CHECK(done.rows[15].line == 17);
  CHECK(done.rows[15].message.find("balance '1h30'") != std::string::npos);
  CHECK(done.rows[17].message.find("line 4") != std::string::npos);
  CHECK(done.rows[0].outcome == app::RowOutcome::held_back);
  CHECK(t.node->ledger().log_size() == size);
  CHECK(t.keyring_size() == keys_before);
  CHECK_FALSE(t.node->directory().key_for("member.1").ok());
}

TEST_CASE("what is not a TimeOverflow member list is refused whole") {
  TestNode t;
  auto refused = [&](const std::string& csv) {
    auto done = app::import_timeoverflow(*t, {"dave", csv, "x.csv", false, {"volunteer"}});
    REQUIRE_FALSE(done.ok());
    return done.status();
  };
  CHECK(refused("").code() == Code::malformed);
  CHECK(refused("volunteer,recipient,date,duration,category,note\n").message().find("not a TimeOverflow") !=
        std::string::npos);
  CHECK(refused(std::string(kTimeOverflowHeader) + "1,\"unterminated\n").code() == Code::malformed);
  CHECK(refused(std::string("\x89PNG\r\n\x1a\n\0\0", 10)).message().find("x.csv line 1 is not UTF-8 text") !=
        std::string::npos);
  // Only an admin brings members over.
  auto by_volunteer = app::import_timeoverflow(*t, {"alice", member_list(kFourMembers), "m.csv", false, {"volunteer"}});
  CHECK(by_volunteer.code() == Code::not_permitted);
  auto bad_role = app::import_timeoverflow(*t, {"dave", member_list(kFourMembers), "m.csv", false, {"wizard"}});
  CHECK_FALSE(bad_role.ok());
}

TEST_CASE("aliases taken by members who did not come from the file get the member's number") {
  TestNode t;
  t.add("maria.garcia", {"carer"});
  auto done = bring_over(t, member_list({to_row(1, "Maria García", "1:00")}));
  REQUIRE(done.refused == 0);
  CHECK(done.rows[0].alias == "maria.garcia-1");
  CHECK(balance_of(t, "maria.garcia") == 0);
  CHECK(balance_of(t, "maria.garcia-1") == 60);
}

TEST_CASE("TimeOverflow balances and names as the export writes them") {
  std::int64_t m = -1;
  CHECK(app::parse_timeoverflow_balance("12:30", &m));
  CHECK(m == 750);
  CHECK(app::parse_timeoverflow_balance("-0:05", &m));
  CHECK(m == -5);
  CHECK(app::parse_timeoverflow_balance("&mdash;", &m));
  CHECK(m == 0);
  CHECK(app::parse_timeoverflow_balance("", &m));
  CHECK(m == 0);
  CHECK(app::parse_timeoverflow_balance("1234:59", &m));
  CHECK(m == 1234 * 60 + 59);
  for (const char* bad : {"1:60", "1:5", "1.5", "1h30", "--1:00", "1:00:00", ":30", "abc", "9999999:00"})
    CHECK_MESSAGE(!app::parse_timeoverflow_balance(bad, &m), bad);
  CHECK(app::alias_from_name("Maria García") == "maria.garcia");
  CHECK(app::alias_from_name("  Núria  Ferrer-Solà ") == "nuria.ferrer.sola");
  CHECK(app::alias_from_name("Col·lectiu") == "collectiu");
  CHECK(app::alias_from_name("日本") == "");
}
