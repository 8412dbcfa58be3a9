// The client API over real HTTP: a real cohoursd on loopback, signed
// requests from "phones" made here, every endpoint and every error of
// docs/api.md, the web app's files, and a clean stop.
//   http_daemon_test (COHOURS_BIN and COHOURSD_BIN name the binaries)
#include <fstream>
#include <sstream>

#include "cohours/app/invitations.h"
#include "cohours/app/policy.h"
#include "cohours/dates.h"
#include "http_daemon.h"

using namespace cohours;
using namespace cohours::test::http_daemon;

TEST_CASE("the client API through a real cohoursd") {
  if (!std::getenv("COHOURSD_BIN") || !std::getenv("COHOURS_BIN")) {
    MESSAGE("COHOURSD_BIN / COHOURS_BIN not set: skipped");
    return;
  }
  test::TempDir tmp;
  // The node is made at the fixed test instant, but the daemon runs on the
  // wall clock here, as a phone's requests are signed with the phone's own.
  fs::path dir = make_node(tmp.path);
  ::unsetenv("COHOURS_NOW");
  Daemon daemon(dir, {"--http-requests-per-minute", "40"});

  // Open to anyone.
  Reply health = daemon.request("GET", "/v1/health");
  CHECK(health.status == 200);
  CHECK(health.parsed()["node"] == "Hilltop Care Co-op");
  CHECK(health.header("X-Content-Type-Options") == "nosniff");
  CHECK(daemon.request("GET", "/v1/schema/me").status == 200);
  CHECK(daemon.request("GET", "/nothing-here").status == 404);
  CHECK(daemon.request("GET", "/../node.key").status == 404);
  CHECK(daemon.request("DELETE", "/v1/health").status == 405);

  // A coordinator invites through the CLI, which hands the call to the daemon.
  fs::path out_file = tmp.path / "invite.json";
  const std::string invite = std::string(std::getenv("COHOURS_BIN")) + " --data " + dir.string() +
                             " --json member invite erin --role volunteer --as dave >" + out_file.string();
  REQUIRE(std::system(invite.c_str()) == 0);
  const std::string code = json::parse(read_file(out_file))["code"];
  Phone erin;
  Reply enrolled = daemon.request("POST", "/v1/enrol",
                                  json{{"code", code}, {"public_key", to_hex(erin.key.public_key)}}.dump());
  REQUIRE_MESSAGE(enrolled.status == 200, enrolled.body);
  CHECK(enrolled.parsed()["alias"] == "erin");
  CHECK(daemon.request("POST", "/v1/enrol", json{{"code", code}, {"public_key", to_hex(Phone().key.public_key)}}.dump())
            .parsed()["error"] == "bad_code");
  Reply bad_schema = daemon.request("POST", "/v1/enrol", R"({"code": "x", "public_key": 1})");
  CHECK(bad_schema.status == 400);
  CHECK(bad_schema.parsed()["field"] == "code");

  // Signed reads; and every way a signature can be wrong.
  Reply me = daemon.request("GET", "/v1/me", "", &erin);
  REQUIRE_MESSAGE(me.status == 200, me.body);
  CHECK(me.parsed()["alias"] == "erin");
  CHECK(daemon.request("GET", "/v1/me").status == 401);
  CHECK(daemon.request("GET", "/v1/me", "", &erin, -600).status == 401);
  Phone stranger;
  CHECK(daemon.request("GET", "/v1/me", "", &stranger).status == 401);
  CHECK(daemon.request("GET", "/v1/members/alice/statement", "", &erin).status == 403);

  // An hours entry signed on the phone, sent twice; one for another node.
  const PublicKey node_key = *fixed_from_hex<PublicKey>(health.parsed()["node_key"].get<std::string>());
  auto members = daemon.request("GET", "/v1/members", "", &erin).parsed()["members"];
  PublicKey carol;
  for (const auto& m : members)
    if (m["alias"] == "carol") carol = *fixed_from_hex<PublicKey>(m["key"].get<std::string>());
  auto entry_for = [&](const PublicKey& node) {
    HoursLog h;
    h.recipient = carol;
    h.minutes = 60;
    h.category = "shopping";
    h.date_days = days_from_ms(SystemClock().now_ms()) - 1;
    Entry e{kEntryFormatVersion, node, erin.key.public_key, {}, SystemClock().now_ms(), ++erin.nonce, h};
    return to_hex(sign_entry(e, erin.key.secret_key).bytes);
  };
  const std::string body = json{{"entries", {entry_for(node_key)}}}.dump();
  Reply first = daemon.request("POST", "/v1/entries", body, &erin);
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(first.parsed()["results"][0]["status"] == "stored");
  Reply again = daemon.request("POST", "/v1/entries", body, &erin);
  CHECK(again.parsed()["results"][0]["status"] == "duplicate");
  CHECK(again.parsed()["results"][0]["seq"] == first.parsed()["results"][0]["seq"]);
  Reply other = daemon.request("POST", "/v1/entries", json{{"entries", {entry_for(generate_keypair().public_key)}}}.dump(),
                               &erin);
  CHECK(other.parsed()["results"][0]["error"] == "wrong_node");
  CHECK(daemon.request("POST", "/v1/entries", R"({"entries": []})", &erin).status == 400);

  // A receipt photo: kept in DATA/receipts under its digest, which a claim
  // then names (docs/api.md "POST /v1/receipts").
  const std::string photo("\x89PNG\r\n\x1a\n\x00\x01\xff a bus ticket", 24);
  Reply receipt = daemon.request("POST", "/v1/receipts", photo, &erin, 0, "image/png");
  REQUIRE_MESSAGE(receipt.status == 200, receipt.body);
  const std::string digest = receipt.parsed()["digest"];
  CHECK(digest == to_hex(blake2b_256(photo)));
  CHECK(read_file(dir / "receipts" / digest) == photo);
  CHECK(daemon.request("POST", "/v1/receipts", photo, &erin, 0, "text/plain").status == 415);
  CHECK(daemon.request("POST", "/v1/receipts", "", &erin, 0, "image/png").status == 400);
  CHECK(daemon.request("POST", "/v1/receipts", photo, nullptr, 0, "image/png").status == 401);
  Phone forger;  // erin's key in the header, signed with another
  forger.key.public_key = erin.key.public_key;
  CHECK(daemon.request("POST", "/v1/receipts", photo, &forger, 0, "image/png").status == 401);
  // 8 MiB is read and kept; a byte more is refused from its Content-Length.
  const std::string biggest(8 * 1024 * 1024, 'r');
  Reply big = daemon.request("POST", "/v1/receipts", biggest, &erin, 0, "image/jpeg");
  CHECK_MESSAGE(big.status == 200, big.body);
  CHECK(fs::file_size(dir / "receipts" / to_hex(blake2b_256(biggest))) == biggest.size());
  Reply over = daemon.request("POST", "/v1/receipts", biggest + "r", &erin, 0, "image/jpeg");
  CHECK(over.status == 413);
  CHECK(over.parsed()["error"] == "too_large");
  auto claim_naming = [&](const Hash32& receipt_digest) {
    ExpenseClaim c;
    c.pence = 1240;
    c.currency = *Currency::parse("GBP");
    c.category = ExpenseCategory::travel;
    c.date_days = days_from_ms(SystemClock().now_ms()) - 1;
    c.receipt_digest = receipt_digest;
    Entry e{kEntryFormatVersion, node_key, erin.key.public_key, {}, SystemClock().now_ms(), ++erin.nonce, c};
    return json{{"entries", {to_hex(sign_entry(e, erin.key.secret_key).bytes)}}}.dump();
  };
  Reply claimed = daemon.request("POST", "/v1/entries", claim_naming(*fixed_from_hex<Hash32>(digest)), &erin);
  CHECK_MESSAGE(claimed.parsed()["results"][0]["status"] == "stored", claimed.body);
  Reply unknown = daemon.request("POST", "/v1/entries", claim_naming(blake2b_256("never sent")), &erin);
  CHECK(unknown.parsed()["results"][0]["status"] == "refused");
  CHECK(unknown.parsed()["results"][0]["error"] == "not_found");

  // Every claim: for an auditor, not for a volunteer.
  CHECK(daemon.request("GET", "/v1/coop/expenses", "", &erin).status == 403);
  const std::string invite_auditor = std::string(std::getenv("COHOURS_BIN")) + " --data " + dir.string() +
                                     " --json member invite hana --role auditor --as dave >" + out_file.string();
  REQUIRE(std::system(invite_auditor.c_str()) == 0);
  Phone hana;
  REQUIRE(daemon.request("POST", "/v1/enrol",
                         json{{"code", json::parse(read_file(out_file))["code"]},
                              {"public_key", to_hex(hana.key.public_key)}}.dump())
              .status == 200);
  Reply expenses = daemon.request("GET", "/v1/coop/expenses", "", &hana);
  REQUIRE_MESSAGE(expenses.status == 200, expenses.body);
  REQUIRE(expenses.parsed()["claims"].size() == 1);
  json row = expenses.parsed()["claims"][0];
  CHECK(row["member"] == "erin");
  CHECK(row["id"] == claimed.parsed()["results"][0]["id"]);
  CHECK(row["pence"] == 1240);
  CHECK(row["status"] == "claimed");
  CHECK(row["receipt"] == digest);
  // Over the cap: refused from its Content-Length, before the body is read.
  Reply huge = daemon.request("POST", "/v1/entries", std::string(2 * 1024 * 1024, 'x'), &erin);
  CHECK(huge.status == 413);

  // Not HTTP, or a header over 16 KiB: told so, then the connection closes;
  // the daemon goes on serving.
  const std::string garbage = daemon.raw(std::string("GARBAGE\0\xff\r\n\r\n", 13));
  CHECK_MESSAGE(garbage.rfind("HTTP/1.1 400", 0) == 0, garbage);
  CHECK(garbage.find("bad_request") != std::string::npos);
  const std::string big_header =
      daemon.raw("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  CHECK_MESSAGE(big_header.rfind("HTTP/1.1 431", 0) == 0, big_header.substr(0, 200));
  CHECK(daemon.request("GET", "/v1/health").status == 200);

  // The request limit (40 a minute for this daemon): the rest get 429.
  int limited = 0;
  for (int i = 0; i < 45; ++i)
    if (daemon.request("GET", "/v1/me?nonce=" + std::to_string(i), "", &erin).status == 429) ++limited;
  CHECK(limited >= 5);

  // SIGTERM: a clean stop.
  int status = daemon.stop();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(read_file(dir / "daemon.log").find("stopped") != std::string::npos);
}
