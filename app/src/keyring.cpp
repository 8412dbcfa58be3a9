#include "cohours/app/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "cohours/crypto.h"

namespace cohours::app {

namespace fs = std::filesystem;

Result<std::string> read_key_file_text(const fs::path& path) {
  // Only a regular file, and only its first bytes: a key file linked to a
  // device (/dev/zero) or replaced by something large must fail at once,
  // not be read for ever.
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status))
    return Result<std::string>(Code::not_found, "cannot read key file " + path.string());
  if (!fs::is_regular_file(status))
    return Result<std::string>(Code::corruption, "key file " + path.string() + " is not a regular file");
  // As ssh does: a secret others could read may already be copied, and
  // using it would hide that. cohours writes every key file 0600.
  const fs::perms open_to_others = fs::perms::group_all | fs::perms::others_all;
  if ((status.permissions() & open_to_others) != fs::perms::none)
    return Result<std::string>(Code::not_permitted,
                               "key file " + path.string() +
                                   " can be read or changed by other users; only its owner may. If that was "
                                   "not meant, treat the key as copied (docs/threat-model.md); else `chmod 600 " +
                                   path.string() + "` and run the command again");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Result<std::string>(Code::not_found, "cannot read key file " + path.string());
  constexpr std::size_t kMaxKeyFileBytes = 1024;
  std::string text(kMaxKeyFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxKeyFileBytes) {
    wipe(text);
    return Result<std::string>(Code::corruption, "key file " + path.string() + " is over 1 KiB: not a key file");
  }
  return text;
}

namespace {

struct KeyRead {
  SecretKey secret;
  std::optional<EncryptedKey> encrypted;  // the file's header, when it was encrypted
};

Result<KeyRead> from_hex_text(const fs::path& path, std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  const std::string_view hex =
      first == std::string::npos ? std::string_view() : text.substr(first, last - first + 1);
  auto key = secret_key_from_hex(hex);
  if (!key)
    return Result<KeyRead>(Code::corruption, "key file " + path.string() + " does not hold a 64-byte hex key");
  return KeyRead{std::move(*key), std::nullopt};
}

Result<KeyRead> read_key(const fs::path& path, KeyUnlocker* unlocker) {
  auto text = read_key_file_text(path);
  if (!text.ok()) return text.status();
  Result<KeyRead> read(Code::corruption, "");
  switch (key_file_form(text.value())) {
    case KeyFileForm::plain_hex:
      read = from_hex_text(path, text.value());
      break;
    case KeyFileForm::unknown:
      read = Result<KeyRead>(Code::corruption, "key file " + path.string() +
                                                   " is in a format this cohours does not know (a newer one?)");
      break;
    case KeyFileForm::encrypted: {
      auto file = parse_encrypted_key(text.value());
      if (!file.ok()) {
        read = Result<KeyRead>(Code::corruption, "key file " + path.string() + ": " + file.status().message() +
                                                     "; put back the file from a backup");
        break;
      }
      KeyUnlocker none;
      auto secret = (unlocker ? *unlocker : none).open(file.value(), path);
      if (!secret.ok())
        read = secret.status();
      else
        read = KeyRead{std::move(secret).value(), file.value()};
      break;
    }
  }
  wipe(text.value());
  if (!read.ok()) return read;
  // The file holds the seed and the public key made from it. A changed
  // digit in the seed would sign with a key nobody can check against the
  // public half, and every head signed so would break the log for good.
  if (!secret_key_consistent(read->secret))
    return Result<KeyRead>(Code::corruption,
                           "key file " + path.string() +
                               " is damaged: its secret half does not make its public half (a changed "
                               "digit?); put back the file from a backup");
  return read;
}

}  // namespace

Result<SecretKey> read_secret_key(const fs::path& path, KeyUnlocker* unlocker) {
  auto read = read_key(path, unlocker);
  if (!read.ok()) return read.status();
  return std::move(read.value().secret);
}

Result<NodeIdentity> read_node_key(const fs::path& data_dir, KeyUnlocker& unlocker) {
  auto read = read_key(data_dir / "node.key", &unlocker);
  if (!read.ok()) return read.status();
  if (read->encrypted) unlocker.seal_new_keys_like(*read->encrypted);
  NodeIdentity identity;
  identity.secret_key = std::move(read.value().secret);
  identity.public_key = public_key_of(identity.secret_key);
  return identity;
}

namespace {

// Writes all of `text` to a new file of mode 0600 and syncs it to disk.
bool write_private_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = ::fchmod(fd, 0600) == 0;  // an old file of that name may have had another mode
  for (std::size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

// Makes a rename in `dir` durable.
void sync_directory(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

// Written to a temporary file, synced, then renamed over the old one: a
// crash leaves the old key or the new one, never a part of either (a lost
// node key costs the co-op its log).
Status write_secret_key(const fs::path& path, const SecretKey& key, const KeyFileKey* seal) {
  const std::string tmp = path.string() + ".tmp";
  std::string text = seal ? format_encrypted_key(encrypt_key(key, *seal)) : to_hex(key) + "\n";
  const bool written = write_private_file(tmp, text);
  wipe(text);
  if (!written) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return Status(Code::io_error, "cannot write key file " + tmp + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status(Code::io_error, "cannot write key file " + path.string() + ": " + ec.message());
  sync_directory(path.has_parent_path() ? path.parent_path() : fs::path("."));
  return Status();
}

Result<PublicKey> read_node_public_key(const fs::path& data_dir) {
  const fs::path path = data_dir / "node.key";
  auto text = read_key_file_text(path);
  if (!text.ok()) return text.status();
  std::optional<PublicKey> key;
  if (key_file_form(text.value()) == KeyFileForm::encrypted) {
    if (auto file = parse_encrypted_key(text.value()); file.ok()) key = file->public_key;
    wipe(text.value());
  } else {
    wipe(text.value());
    auto secret = read_secret_key(path);  // plain: no passphrase needed
    if (!secret.ok()) return secret.status();
    key = public_key_of(secret.value());
  }
  if (!key) return Result<PublicKey>(Code::corruption, "key file " + path.string() + " is damaged");
  return *key;
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
  return read_secret_key(path_of(member), unlocker_.get());
}

Result<PublicKey> Keyring::generate() {
  KeyPair pair = generate_keypair();
  const auto seal = unlocker_->sealing();
  if (Status s = write_secret_key(path_of(pair.public_key), pair.secret_key, seal.get()); !s.ok()) return s;
  return pair.public_key;
}

Status Keyring::remove(const PublicKey& member) {
  std::error_code ec;
  fs::remove(path_of(member), ec);
  if (ec) return Status(Code::io_error, "cannot remove " + path_of(member).string() + ": " + ec.message());
  return Status();
}

}  // namespace cohours::app
