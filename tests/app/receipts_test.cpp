#include "cohours/app/receipts.h"

#include <sys/stat.h>

#include <filesystem>

#include "app_support.h"
#include "cohours/crypto.h"

using namespace cohours;
using cohours::test::TestNode;
namespace fs = std::filesystem;

namespace {

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

Hash32 digest_of(const Bytes& bytes) {
  Blake2bStream hash;
  hash.update(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
  return hash.finish();
}

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
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
