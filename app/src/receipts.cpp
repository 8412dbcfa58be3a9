#include "cohours/app/receipts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>

#include "cohours/crypto.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

fs::path receipts_dir(const Node& node) {
  return receipts_dir_in(node.data_dir());
}

fs::path receipt_path(const Node& node, const Hash32& digest) {
  return receipts_dir(node) / to_hex(digest);
}

std::string named(const std::string& name) {
  return name.empty() ? std::string("the receipt") : "receipt file '" + name + "'";
}

// Writes `bytes` to `path` through a temporary file of mode 0600 renamed
// into place: a receipt is personal data from the first byte, and a reader
// (or a crash) never sees half of one.
Status write_private_file(const fs::path& path, const Bytes& bytes) {
  // A name of its own: two use cases may keep the same bytes at once.
  const std::string tmp = path.string() + ".tmp-" + std::to_string(random_u64());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status(Code::io_error, "cannot store a receipt in " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status(Code::io_error, "cannot store a receipt in " + tmp + ": " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status(Code::io_error, "cannot store a receipt in " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    return Status(Code::io_error, "cannot store a receipt in " + path.string() + ": " + ec.message());
  }
  return Status();
}

// Every receipt digest a claim in the log names. The ledger keeps claims
// by id, not by receipt, so this reads them all: one pass per upload or
// forget, cheap beside reading a photo.
Result<std::set<Hash32>> cited_receipts(Node& node) {
  TRY_ASSIGN(auto claims, node.ledger().expenses());
  std::set<Hash32> cited;
  for (const auto& claim : claims)
    if (!claim.receipt_digest.is_zero()) cited.insert(claim.receipt_digest);
  return cited;
}

// Uploads are counted and recorded under one lock, so two at once from the
// same member cannot both pass the cap.
std::mutex upload_mutex;

// Records `uploader` for `digest` unless the cap refuses it. Rows of files
// a claim now names are dropped here: forget finds those through the claim,
// and the member's range stays at most the cap.
Status record_upload(Node& node, const PublicKey& uploader, const Hash32& digest) {
  TRY_ASSIGN(std::set<Hash32> cited, cited_receipts(node));
  TRY_ASSIGN(std::vector<Hash32> uploads, node.directory().uploads(uploader));
  std::size_t uncited = 0;
  bool held = false;
  for (const Hash32& d : uploads) {
    if (cited.count(d)) {
      TRY_STATUS(node.directory().remove_upload(uploader, d));
      continue;
    }
    if (d == digest) held = true;
    ++uncited;
  }
  if (held || cited.count(digest)) return Status();  // a resend, or a claim names it: not a new waiting file
  if (uncited >= kMaxUncitedReceipts)
    return Status(Code::limit_reached,
                  "you have sent " + std::to_string(uncited) +
                      " receipts that no claim names yet; send the claims for them before sending another");
  return node.directory().put_upload(uploader, digest);
}

}  // namespace

Result<ReceiptStored> store_receipt(Node& node, const StoreReceipt& r) {
  using Answer = Result<ReceiptStored>;
  if (r.bytes.empty()) return Answer(Code::malformed, named(r.name) + " is empty");
  if (r.bytes.size() > kMaxReceiptBytes)
    return Answer(Code::malformed, named(r.name) + " is over 8 MiB (" + std::to_string(kMaxReceiptBytes) +
                                       " bytes); scan or photograph it at a lower resolution");
  Blake2bStream hash;
  hash.update(std::span<const std::uint8_t>(r.bytes.data(), r.bytes.size()));
  ReceiptStored stored{hash.finish(), r.bytes.size(), false};
  std::error_code ec;
  const fs::path dir = receipts_dir(node);
  fs::create_directories(dir, ec);
  if (ec) return Answer(Code::io_error, "cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  const fs::path path = receipt_path(node, stored.digest);
  // The row goes before the file: never a phone's file that forget cannot
  // find. If the file then fails, the row stays and counts until a resend.
  std::unique_lock<std::mutex> lock(upload_mutex, std::defer_lock);
  if (!r.uploader.is_zero()) {
    lock.lock();
    TRY_STATUS(record_upload(node, r.uploader, stored.digest));
  }
  if (fs::exists(path, ec)) return stored;
  if (Status s = write_private_file(path, r.bytes); !s.ok()) return s;
  stored.created = true;
  return stored;
}

Result<ReceiptFile> read_receipt(Node& node, const ShowReceipt& r) {
  const fs::path path = receipt_path(node, r.digest);
  std::ifstream in(path, std::ios::binary);
  if (r.digest.is_zero() || !in)
    return Result<ReceiptFile>(Code::not_found, "no receipt " + to_hex(r.digest) + " is kept here");
  ReceiptFile file{r.digest, Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
  if (in.bad()) return Result<ReceiptFile>(Code::io_error, "cannot read " + path.string());
  return file;
}

bool receipt_kept(const Node& node, const Hash32& digest) {
  std::error_code ec;
  return !digest.is_zero() && fs::exists(receipt_path(node, digest), ec);
}

Status erase_receipt(Node& node, const Hash32& digest) {
  if (digest.is_zero()) return Status();
  const fs::path path = receipt_path(node, digest);
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return Status(Code::io_error, "cannot remove " + path.string() + ": " + ec.message());
  return Status();
}

Result<std::uint64_t> erase_uploads(Node& node, const PublicKey& member) {
  std::lock_guard<std::mutex> lock(upload_mutex);
  TRY_ASSIGN(std::set<Hash32> cited, cited_receipts(node));
  TRY_ASSIGN(std::vector<Hash32> uploads, node.directory().uploads(member));
  std::uint64_t erased = 0;
  for (const Hash32& digest : uploads) {
    TRY_STATUS(node.directory().remove_upload(member, digest));
    if (cited.count(digest)) continue;
    // The same bytes sent by another member are theirs too: keep them.
    TRY_ASSIGN(std::vector<PublicKey> others, node.directory().uploaders(digest));
    if (!others.empty() || !receipt_kept(node, digest)) continue;
    TRY_STATUS(erase_receipt(node, digest));
    ++erased;
  }
  return erased;
}

fs::path receipts_dir_in(const fs::path& data_dir) {
  return data_dir / "receipts";
}

std::optional<Hash32> receipt_file_digest(const std::string& file_name) {
  if (file_name.size() != 64) return std::nullopt;
  auto digest = fixed_from_hex<Hash32>(file_name);
  if (!digest || to_hex(*digest) != file_name) return std::nullopt;  // lower-case only, as kept
  return digest;
}

}  // namespace cohours::app
