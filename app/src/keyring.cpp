#include "cohours/app/keyring.h"

#include <sys/stat.h>

#include <fstream>

#include "cohours/crypto.h"

namespace cohours::app {

namespace fs = std::filesystem;

Result<SecretKey> read_secret_key(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Result<SecretKey>(Code::not_found, "cannot read key file " + path.string());
  std::string hex;
  in >> hex;
  auto key = fixed_from_hex<SecretKey>(hex);
  if (!key)
    return Result<SecretKey>(Code::corruption,
                             "key file " + path.string() + " does not hold a 64-byte hex key");
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
