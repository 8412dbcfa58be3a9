#include "cohours/app/receipts.h"

#include <sys/stat.h>

#include <filesystem>

#include "app_support.h"
#include "cohours/app/expenses.h"
#include "cohours/app/members.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::bytes_of;
using cohours::test::mode_of;
using cohours::test::TestNode;
namespace fs = std::filesystem;

namespace {

Hash32 digest_of(const Bytes& bytes) {
  Blake2bStream hash;
  hash.update(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
  return hash.finish();
}

// erin, a volunteer who claims from her phone.
PublicKey add_erin(TestNode& t) {
  REQUIRE(app::add_member(*t, {"erin", {"volunteer"}, "", "", "dave"}).ok());
  return t.key("erin");
}

// A claim by `as` whose receipt is `bytes` (the CLI's way: the bytes in the
// claim itself), accepted.
void claim_with(TestNode& t, const std::string& as, const Bytes& bytes) {
  app::ClaimExpense r;
  r.as = as;
  r.pence = 1240;
  r.category = "travel";
  r.date_days = static_cast<std::int32_t>(*parse_date("2026-11-10"));
  r.receipt = bytes;
  auto done = app::claim_expense(*t, r);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
}

}  // namespace

TEST_CASE("receipts: kept under their BLAKE2b-256 digest, readable by the owner only, read back whole") {
  TestNode t(false);
  const Bytes ticket = bytes_of("Bus fare, 2026-11-20, 12.40\n");
  auto stored = app::store_receipt(*t, {ticket, "ticket.txt"});
  REQUIRE(stored.ok());
  CHECK(stored->digest == digest_of(ticket));
  CHECK(stored->size == ticket.size());
  CHECK(stored->created);
  const fs::path file = t.dir / "receipts" / to_hex(stored->digest);
  CHECK(fs::is_regular_file(file));
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(t.dir / "receipts") == 0700);
  CHECK(app::receipt_kept(*t, stored->digest));
  // The same bytes again are the same file.
  auto again = app::store_receipt(*t, {ticket, "copy.txt"});
  REQUIRE(again.ok());
  CHECK(again->digest == stored->digest);
  CHECK_FALSE(again->created);

  auto read = app::read_receipt(*t, {stored->digest});
  REQUIRE(read.ok());
  CHECK(read->bytes == ticket);
  // Any bytes: a photo is not text.
  Bytes photo(256);
  for (std::size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<std::uint8_t>(255 - i);
  auto binary = app::store_receipt(*t, {photo, ""});
  REQUIRE(binary.ok());
  CHECK(app::read_receipt(*t, {binary->digest})->bytes == photo);

  // Erased: gone, and no longer readable.
  REQUIRE(app::erase_receipt(*t, stored->digest).ok());
  CHECK_FALSE(fs::exists(file));
  CHECK_FALSE(app::receipt_kept(*t, stored->digest));
  CHECK(app::read_receipt(*t, {stored->digest}).code() == Code::not_found);
  CHECK(app::erase_receipt(*t, stored->digest).ok());  // absent is not an error
  CHECK(app::read_receipt(*t, {Hash32{}}).code() == Code::not_found);
  CHECK_FALSE(app::receipt_kept(*t, Hash32{}));
}

TEST_CASE("receipts: one cap for every front end, 8 MiB; empty is refused; nothing is kept") {
  TestNode t(false);
  Bytes largest(app::kMaxReceiptBytes, 'x');
  auto kept = app::store_receipt(*t, {largest, "scan.pdf"});
  REQUIRE(kept.ok());
  CHECK(kept->size == 8u * 1024 * 1024);
  REQUIRE(app::erase_receipt(*t, kept->digest).ok());

  largest.push_back('x');
  auto over = app::store_receipt(*t, {largest, "scan.pdf"});
  CHECK(over.code() == Code::malformed);
  CHECK(over.status().message().find("receipt file 'scan.pdf' is over 8 MiB") == 0);
  auto unnamed = app::store_receipt(*t, {largest, ""});
  CHECK(unnamed.status().message().find("the receipt is over 8 MiB") == 0);
  auto empty = app::store_receipt(*t, {{}, "blank.jpg"});
  CHECK(empty.code() == Code::malformed);
  CHECK(empty.status().message() == "receipt file 'blank.jpg' is empty");
  CHECK(fs::is_empty(t.dir / "receipts"));
}

TEST_CASE("receipts: a phone's upload records its member; forget erases what no claim names") {
  TestNode t;
  const PublicKey erin = add_erin(t);
  const PublicKey alice = t.key("alice");
  const Bytes unclaimed = bytes_of("Taxi, 2026-11-21, 9.00\n");
  const Bytes claimed = bytes_of("Bus fare, 2026-11-20, 12.40\n");
  const Bytes shared = bytes_of("Parking, 2026-11-22, 3.00\n");
  auto stored = app::store_receipt(*t, {unclaimed, "", erin});
  REQUIRE(stored.ok());
  REQUIRE(app::store_receipt(*t, {claimed, "", erin}).ok());
  claim_with(t, "erin", claimed);
  // The same bytes from two phones: recorded for both.
  REQUIRE(app::store_receipt(*t, {shared, "", erin}).ok());
  REQUIRE(app::store_receipt(*t, {shared, "", alice}).ok());
  CHECK(t.node->directory().uploaders(digest_of(shared))->size() == 2);
  // The CLI (no uploader) records nothing.
  REQUIRE(app::store_receipt(*t, {bytes_of("cli"), "cli.txt"}).ok());
  CHECK(t.node->directory().uploaders(digest_of(bytes_of("cli")))->empty());

  auto forgotten = app::forget_member(*t, {"erin", "dave"});
  REQUIRE(forgotten.ok());
  // The unclaimed upload and the file her own claim names; not alice's too.
  CHECK(forgotten->receipts_erased == 2);
  CHECK_FALSE(app::receipt_kept(*t, stored->digest));
  CHECK_FALSE(app::receipt_kept(*t, digest_of(claimed)));
  CHECK(app::receipt_kept(*t, digest_of(shared)));
  CHECK(t.node->directory().uploads(erin)->empty());
  CHECK(t.node->directory().uploads(alice)->size() == 1);

  // alice's forget erases the shared file: nobody else holds it now.
  auto alice_gone = app::forget_member(*t, {"alice", "dave"});
  REQUIRE(alice_gone.ok());
  CHECK(alice_gone->receipts_erased == 1);
  CHECK_FALSE(app::receipt_kept(*t, digest_of(shared)));
  CHECK(app::receipt_kept(*t, digest_of(bytes_of("cli"))));
}

TEST_CASE("receipts: an upload another member's claim names stays until that claimant is forgotten") {
  TestNode t;
  const PublicKey erin = add_erin(t);
  const Bytes ticket = bytes_of("Bus fare, 2026-11-20, 12.40\n");
  REQUIRE(app::store_receipt(*t, {ticket, "", erin}).ok());
  claim_with(t, "carol", ticket);
  auto forgotten = app::forget_member(*t, {"erin", "dave"});
  REQUIRE(forgotten.ok());
  CHECK(forgotten->receipts_erased == 0);
  CHECK(app::receipt_kept(*t, digest_of(ticket)));
  CHECK(t.node->directory().uploads(erin)->empty());
  auto carol_gone = app::forget_member(*t, {"carol", "dave"});
  REQUIRE(carol_gone.ok());
  CHECK(carol_gone->receipts_erased == 1);
  CHECK_FALSE(app::receipt_kept(*t, digest_of(ticket)));
}

TEST_CASE("receipts: at most 20 uploads per member that no claim names; a claim frees room") {
  TestNode t;
  const PublicKey erin = add_erin(t);
  auto photo = [](int i) { return bytes_of("photo " + std::to_string(i)); };
  for (int i = 0; i < static_cast<int>(app::kMaxUncitedReceipts); ++i)
    REQUIRE(app::store_receipt(*t, {photo(i), "", erin}).ok());
  auto refused = app::store_receipt(*t, {photo(20), "", erin});
  CHECK(refused.code() == Code::limit_reached);
  CHECK(refused.status().message() ==
        "you have sent 20 receipts that no claim names yet; send the claims for them before sending another");
  CHECK_FALSE(app::receipt_kept(*t, digest_of(photo(20))));
  // A resend of one she holds is not a new one; others' room is their own;
  // the CLI has no cap.
  CHECK(app::store_receipt(*t, {photo(3), "", erin}).ok());
  CHECK(app::store_receipt(*t, {photo(20), "", t.key("alice")}).ok());
  CHECK(app::store_receipt(*t, {photo(21), "x.txt"}).ok());
  // Her claim names one: room for one more, and that row is dropped.
  claim_with(t, "erin", photo(0));
  CHECK(app::store_receipt(*t, {photo(22), "", erin}).ok());
  CHECK(t.node->directory().uploads(erin)->size() == 20);
  CHECK(app::store_receipt(*t, {photo(23), "", erin}).code() == Code::limit_reached);
  // Bytes a claim already names are never refused.
  CHECK(app::store_receipt(*t, {photo(0), "", erin}).ok());
}
