#include "cohours/app/receipts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cohours/crypto.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

fs::path receipts_dir(const Node& node) {
  return node.data_dir() / "receipts";
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

}  // namespace cohours::app
