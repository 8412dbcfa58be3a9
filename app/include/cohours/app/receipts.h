// The erasable receipts store: receipt files (photos, scans, PDFs) kept in
// DATA/receipts, each named by the lower-case hex of its BLAKE2b-256 digest,
// the digest an expense.claim carries (docs/data-format.md "Receipts"). Not
// in the store, the log or the state digest: `member forget` erases them.
//
// Every front end keeps receipts through these calls, with one size cap:
// the CLI sends the bytes of the file the person named (expense claim
// --receipt, in the claim itself), the phone API those of its upload
// (POST /v1/receipts). The bytes are kept as they come; what they hold is
// the person's, and no content type is kept (the file's own first bytes
// say what it is). Thread-safe: writes go through a temporary file renamed
// into place, so a reader never sees half a receipt.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "cohours/app/node.h"

namespace cohours::app {

// The largest receipt, in bytes (8 MiB), for every front end.
inline constexpr std::size_t kMaxReceiptBytes = 8u * 1024 * 1024;

// What a front end that is told a file's type (the phone API's
// Content-Type) takes as a receipt: photos and PDFs, which whoever checks
// the claim can open. The type is not kept and the bytes are not looked
// into; the CLI is told no type and keeps any file.
inline constexpr std::array<std::string_view, 4> kReceiptMediaTypes = {"image/jpeg", "image/png", "image/webp",
                                                                      "application/pdf"};

// The most receipts one member may have uploaded (POST /v1/receipts) that
// no claim in the log names yet. Each waits for its claim; the cap keeps a
// phone (or a stolen key) from filling the disk with files only `member
// forget` would erase.
inline constexpr std::size_t kMaxUncitedReceipts = 20;

// Keeps `bytes` under their digest (a second copy of the same bytes is the
// same file). malformed, naming `name`, when empty or over
// kMaxReceiptBytes; io_error if the file cannot be written.
//
// With an uploader (the phone API: the member's identity key), the node
// also records in its directory that this member sent these bytes, never
// in the log, so `member forget` erases them if no claim names them. The
// upload is refused limit_reached when the member already has
// kMaxUncitedReceipts such files and these bytes are neither one of them
// nor named by a claim. A zero uploader (the CLI, whose claim is made in
// the same call) records nothing and has no cap.
struct StoreReceipt {
  Bytes bytes;
  std::string name;   // the file as the person named it, for messages ("" : "the receipt")
  PublicKey uploader{};  // zero: none
};
struct ReceiptStored {
  Hash32 digest;
  std::uint64_t size = 0;
  bool created = false;  // false: the same bytes were kept already
};
Result<ReceiptStored> store_receipt(Node& node, const StoreReceipt& request);

// The kept receipt with that digest. not_found if none (never kept, or
// erased by `member forget`).
struct ShowReceipt {
  Hash32 digest;
};
struct ReceiptFile {
  Hash32 digest;
  Bytes bytes;
};
Result<ReceiptFile> read_receipt(Node& node, const ShowReceipt& request);

// Whether the receipt with that digest is kept. False for a zero digest.
bool receipt_kept(const Node& node, const Hash32& digest);

// Removes a kept receipt; absent is not an error. For use cases that take
// back what they kept (a refused claim) or erase on request (member forget);
// no front end calls it directly.
Status erase_receipt(Node& node, const Hash32& digest);

// For member forget: removes every upload row of `member` and erases each
// file they uploaded that no claim in the log names and no other member
// uploaded too; returns how many files. A file a claim names stays: the
// claimant's own forget erases it.
Result<std::uint64_t> erase_uploads(Node& node, const PublicKey& member);

// For backups and restores, which handle the files, not one receipt at a
// time: the receipts directory of the node in `data_dir`, and the digest a
// file there is named by (nullopt for any other name, such as a temporary
// file being written).
std::filesystem::path receipts_dir_in(const std::filesystem::path& data_dir);
std::optional<Hash32> receipt_file_digest(const std::string& file_name);

}  // namespace cohours::app
