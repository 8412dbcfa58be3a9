#include "cohours/app/keyring.h"

#include <sys/stat.h>

#include <fstream>

#include "cohours/crypto.h"

namespace cohours::app {

namespace fs = std::filesystem;

Result<SecretKey> read_secret_key(const fs::path& path) {
  // Only a regular file, and only its first bytes: a key file linked to a
  // device (/dev/zero) or replaced by something large must fail at once,
  // not be read for ever.
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return Result<SecretKey>(Code::not_found, "cannot read key file " + path.string());
  if (!fs::is_regular_file(status))
    return Result<SecretKey>(Code::corruption, "key file " + path.string() + " is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<SecretKey>(Code::not_found, "cannot read key file " + path.string());
  constexpr std::size_t kMaxKeyFileBytes = 1024;
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  const std::string hex = first == std::string::npos ? "" : text.substr(first, last - first + 1);
  auto key = fixed_from_hex<SecretKey>(hex);
  if (text.size() > kMaxKeyFileBytes || !key)
    return Result<SecretKey>(Code::corruption,
                             "key file " + path.string() + " does not hold a 64-byte hex key");
  // The file holds the seed and the public key made from it. A changed
  // digit in the seed would sign with a key nobody can check against the
  // public half, and every head signed so would break the log for good.
  if (!secret_key_consistent(*key))
    return Result<SecretKey>(Code::corruption,
                             "key file " + path.string() +
                                 " is damaged: its secret half does not make its public half (a changed "
                                 "digit?); put back the file from a backup");
  return *key;
}

Status write_secret_key(const fs::path& path, const SecretKey& key) {
  std::string tmp = path.string() + ".tmp";
  mode_t old_mask = ::umask(077);
  bool written;
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << to_hex(key) << "\n";
    out.flush();
    written = static_cast<bool>(out);
  }
  ::umask(old_mask);
  if (!written) return Status(Code::io_error, "cannot write key file " + tmp);
  std::error_code ec;
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
  if (!ec) fs::rename(tmp, path, ec);
  if (ec) return Status(Code::io_error, "cannot write key file " + path.string() + ": " + ec.message());
  return Status();
}

fs::path Keyring::path_of(const PublicKey& member) const {
  return dir_ / (to_hex(member) + ".key");
}

bool Keyring::holds(const PublicKey& member) const {
  std::error_code ec;
  return fs::exists(path_of(member), ec);
}

Result<SecretKey> Keyring::secret(const PublicKey& member) const {
  if (!holds(member)) return Result<SecretKey>(Code::not_permitted, "key not in this node's keyring");
  return read_secret_key(path_of(member));
}

Result<PublicKey> Keyring::generate() {
  KeyPair pair = generate_keypair();
  if (Status s = write_secret_key(path_of(pair.public_key), pair.secret_key); !s.ok()) return s;
  return pair.public_key;
}

Status Keyring::remove(const PublicKey& member) {
  std::error_code ec;
  fs::remove(path_of(member), ec);
  if (ec) return Status(Code::io_error, "cannot remove " + path_of(member).string() + ": " + ec.message());
  return Status();
}

}  // namespace cohours::app
