#include "cohours/app/export.h"

#include <map>

#include "app_support.h"
#include "cohours/app/expenses.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

// An export held in memory as the front end would write it: head.json's
// fields and each table's rows, read back through ExportSource.
struct MemoryExport : app::ExportSource {
  app::ExportHeadFields head;
  std::map<std::string, std::vector<app::ExportRow>> tables;
  std::string format() const override { return "csv"; }
  Result<std::vector<app::ExportRow>> rows(const app::ExportTable& table) override {
    auto found = tables.find(table.name);
    if (found == tables.end())
      return Status(Code::corruption, std::string(table.name) + ".csv cannot be read");
    return found->second;
  }
};

// Everything the use cases give, page by page, as `cohours export` asks.
MemoryExport export_all(app::Node& node, std::size_t* record_pages = nullptr,
                        std::size_t* pool_pages = nullptr) {
  MemoryExport out;
  auto head = app::start_export(node, {});
  REQUIRE(head.ok());
  out.head = {std::string(app::kExportFormat),
              to_hex(head->node_key),
              to_hex(head->root),
              head->signed_head_hex,
              head->currency,
              to_hex(head->state_digest),
              std::to_string(head->size),
              std::to_string(head->time_ms)};
  auto& records = out.tables["records"];
  std::size_t pages = 0;
  for (std::uint64_t from = 1; from != 0 && head->size > 0; ++pages) {
    auto page = app::export_records(node, {from, head->size});
    REQUIRE(page.ok());
    records.insert(records.end(), page->rows.begin(), page->rows.end());
    from = page->next;
  }
  if (record_pages) *record_pages = pages;
  auto accounts = app::export_accounts(node, {});
  REQUIRE(accounts.ok());
  out.tables["accounts"] = accounts->rows;
  auto& postings = out.tables["postings"];
  for (const AccountId& account : accounts->accounts) {
    std::size_t account_pages = 0;
    for (std::uint64_t from = 0;; ++account_pages) {
      auto page = app::export_postings(node, {account, from});
      REQUIRE(page.ok());
      postings.insert(postings.end(), page->rows.begin(), page->rows.end());
      if (page->next == 0) break;
      CHECK(page->next > from);
      from = page->next;
    }
    if (pool_pages && account == node.ledger().pool_account()) *pool_pages = account_pages + 1;
  }
  auto& expenses = out.tables["expenses"];
  for (std::uint64_t from = 0;;) {
    auto page = app::export_expenses(node, {from});
    REQUIRE(page.ok());
    expenses.insert(expenses.end(), page->rows.begin(), page->rows.end());
    if (page->next == 0) break;
    from = page->next;
  }
  return out;
}

app::ExportVerification verify(MemoryExport& files, std::optional<PublicKey> key = std::nullopt) {
  FakeClock clock;
  auto checked = app::verify_export(files.head, files, key, clock);
  REQUIRE_MESSAGE(checked.ok(), checked.status().message());
  return checked.value();
}

std::size_t column(const app::ExportTable& table, const std::string& name) {
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    if (table.columns[i].name == name) return i;
  FAIL("no column " << name);
  return 0;
}

// `count` hours of alice's for bob, then bob's confirmations: the pool pays
// each, so it gets `count` postings. Signed here and submitted in two groups.
void many_confirmed_hours(TestNode& t, std::size_t count) {
  app::Node& node = *t;
  const PublicKey self = node.identity().public_key, alice = t.key("alice"), bob = t.key("bob");
  const SecretKey alice_secret = node.keyring().secret(alice).value();
  const SecretKey bob_secret = node.keyring().secret(bob).value();
  std::vector<Bytes> logs, confirms;
  for (std::size_t i = 0; i < count; ++i) {
    HoursLog body;
    body.recipient = bob;
    body.payer = Payer::pool;
    body.minutes = 30;
    body.category = "befriending";
    body.date_days = *parse_date("2026-11-10");
    SignedEntry log = sign_entry(
        Entry{kEntryFormatVersion, self, alice, {}, node.clock().now_ms(), random_u64(), body}, alice_secret);
    logs.push_back(log.bytes);
    confirms.push_back(sign_entry(Entry{kEntryFormatVersion,
                                        self,
                                        bob,
                                        {},
                                        node.clock().now_ms(),
                                        random_u64(),
                                        HoursConfirm{log.id}},
                                  bob_secret)
                           .bytes);
  }
  for (const auto* batch : {&logs, &confirms})
    for (const auto& result : node.ledger().submit(*batch)) REQUIRE_MESSAGE(result.ok(), result.message);
}

}  // namespace

TEST_CASE("export: every table in pages that fit a reply; the check passes on what was exported") {
  TestNode t;
  many_confirmed_hours(t, app::kExportPageRows + 4);
  app::ClaimExpense bus;
  bus.as = "alice";
  bus.pence = 1240;
  bus.category = "travel";
  bus.date_days = *parse_date("2026-11-10");
  auto claim = app::claim_expense(*t, bus);
  REQUIRE(claim.ok());
  const std::string id = to_hex(claim->entry.id);
  REQUIRE(app::approve_expense(*t, {id, "dave", ""}).ok());
  REQUIRE(app::pay_expense(*t, {id, "dave", "", *parse_date("2026-11-12")}).ok());

  std::size_t record_pages = 0, pool_pages = 0;
  MemoryExport files = export_all(*t, &record_pages, &pool_pages);
  const std::uint64_t size = t.node->ledger().log_size();
  CHECK(size == 5 + 2 * (app::kExportPageRows + 4) + 3);  // init's policy, 4 joins, ...
  CHECK(record_pages == 3);
  CHECK(pool_pages == 2);
  const auto& records = files.tables["records"];
  REQUIRE(records.size() == size);
  for (std::size_t i = 0; i < records.size(); ++i) CHECK(records[i][0] == std::to_string(i + 1));
  // Entry format 2: the node the entry was signed for.
  const std::string node_hex = to_hex(t.node->identity().public_key);
  CHECK(records.back()[column(app::records_table(), "node")] == node_hex);
  CHECK(records.back()[column(app::records_table(), "kind")] == "expense.paid");
  std::size_t pool_postings = 0;
  for (const auto& row : files.tables["postings"]) pool_postings += row[1] == "pool";
  CHECK(pool_postings == app::kExportPageRows + 4);
  // expense.paid's date, in the claims table.
  REQUIRE(files.tables["expenses"].size() == 1);
  CHECK(files.tables["expenses"][0][column(app::expenses_table(), "paid_date")] == "2026-11-12");
  CHECK(files.tables["expenses"][0][column(app::expenses_table(), "status")] == "paid");
  CHECK(files.tables["expenses"][0][column(app::expenses_table(), "claimant")] == "alice");

  app::ExportVerification checked = verify(files, t.node->identity().public_key);
  CHECK_MESSAGE(checked.passed, checked.failure);
  CHECK(checked.records == size);
  CHECK(checked.postings == files.tables["postings"].size());
  CHECK(checked.accounts == files.tables["accounts"].size());
  CHECK(checked.expenses == 1);
  CHECK(checked.node_key_given);
  CHECK(checked.node_key == node_hex);
  CHECK(checked.state_digest == to_hex(t.node->ledger().state_digest().value()));
}

TEST_CASE("export check: what it catches, and names it does not check") {
  TestNode t;
  app::ClaimExpense bus;
  bus.as = "alice";
  bus.pence = 1240;
  bus.category = "travel";
  bus.date_days = *parse_date("2026-11-10");
  auto claim = app::claim_expense(*t, bus);
  REQUIRE(claim.ok());
  REQUIRE(app::approve_expense(*t, {to_hex(claim->entry.id), "dave", ""}).ok());
  REQUIRE(app::pay_expense(*t, {to_hex(claim->entry.id), "dave", "", *parse_date("2026-11-12")}).ok());
  const MemoryExport clean = export_all(*t);
  MemoryExport copy = clean;
  REQUIRE(verify(copy).passed);

  auto fails = [&](auto change, const std::string& words) {
    MemoryExport files = clean;
    change(files);
    app::ExportVerification checked = verify(files);
    CHECK_FALSE(checked.passed);
    CHECK_MESSAGE(checked.failure.find(words) != std::string::npos, checked.failure);
  };
  fails(
      [](MemoryExport& f) {
        f.tables["expenses"][0][column(app::expenses_table(), "paid_date")] = "2026-11-11";
      },
      "expenses.csv: paid date of claim");
  fails(
      [](MemoryExport& f) {
        auto& cell = f.tables["records"][2][column(app::records_table(), "node")];
        cell[0] = cell[0] == '0' ? '1' : '0';
      },
      "records.csv: node of record 3 differs from the records");
  fails([](MemoryExport& f) { f.tables["accounts"][0][4] = "999"; }, "accounts.csv: balance of");
  fails([](MemoryExport& f) { f.tables["postings"].pop_back(); }, "postings.csv: holds");
  fails([](MemoryExport& f) { f.tables["records"].pop_back(); }, "the head does not match the records");
  fails([](MemoryExport& f) { f.head.signed_head.reset(); }, "head.json has no signed_head");
  fails([](MemoryExport& f) { f.head.format = "cohours-export-v1"; }, "the export is cohours-export-v1");
  fails([](MemoryExport& f) { f.tables.erase("expenses"); }, "expenses.csv cannot be read");
  fails([](MemoryExport& f) { f.head.state_digest = std::string(64, '0'); }, "state_digest differs");
  MemoryExport other_key = clean;
  auto checked = verify(other_key, generate_keypair().public_key);
  CHECK_FALSE(checked.passed);
  CHECK(checked.failure.find("not by the expected node") != std::string::npos);

  // Names come from the erasable directory and are signed by nobody.
  MemoryExport renamed = clean;
  for (auto& row : renamed.tables["accounts"])
    if (row[0] == "alice") row[0] = "alicia";
  renamed.tables["expenses"][0][column(app::expenses_table(), "claimant")] = "alicia";
  CHECK(verify(renamed).passed);
}

TEST_CASE("export pages: a start past the end of the log is refused") {
  TestNode t;
  const std::uint64_t size = t.node->ledger().log_size();
  CHECK(app::export_records(*t, {0, size}).code() == Code::malformed);
  CHECK(app::export_records(*t, {1, size + 1}).code() == Code::not_found);
  auto last = app::export_records(*t, {size, size});
  REQUIRE(last.ok());
  CHECK(last->rows.size() == 1);
  CHECK(last->next == 0);
  auto expenses = app::export_expenses(*t, {7});
  REQUIRE(expenses.ok());
  CHECK(expenses->rows.empty());
  CHECK(expenses->next == 0);
}
