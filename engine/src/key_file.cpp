#include "cohours/key_file.h"

#include <charconv>
#include <cstring>
#include <vector>

namespace cohours {

namespace {

std::string_view skip_space(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' ||
                           text.front() == '\n'))
    text.remove_prefix(1);
  return text;
}

Result<EncryptedKey> damaged(const std::string& why) {
  return Result<EncryptedKey>(Code::malformed, "not a whole encrypted key file: " + why);
}

// "NAME VALUE" with exactly that name; the value, or nullopt.
std::optional<std::string_view> field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() + 1 || line.substr(0, name.size()) != name || line[name.size()] != ' ')
    return std::nullopt;
  return line.substr(name.size() + 1);
}

std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 19 || text[0] == '0') return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

template <typename T>
bool hex_field(std::string_view line, std::string_view name, T* out) {
  auto value = field(line, name);
  if (!value) return false;
  auto parsed = fixed_from_hex<T>(*value);
  if (!parsed) return false;
  *out = *parsed;
  return true;
}

Status check_limits(const KdfLimits& limits) {
  if (limits.ops < pwhash_ops_min() || limits.mem_bytes < pwhash_mem_min())
    return Status(Code::malformed, "the Argon2id limits (ops " + std::to_string(limits.ops) + ", mem " +
                                       std::to_string(limits.mem_bytes) + ") are under libsodium's minimum");
  if (limits.ops > kKeyFileKdfMax.ops || limits.mem_bytes > kKeyFileKdfMax.mem_bytes)
    return Status(Code::malformed, "the Argon2id limits (ops " + std::to_string(limits.ops) + ", mem " +
                                       std::to_string(limits.mem_bytes) + " bytes) are over what cohours allows (ops " +
                                       std::to_string(kKeyFileKdfMax.ops) + ", mem " +
                                       std::to_string(kKeyFileKdfMax.mem_bytes) + " bytes)");
  return Status();
}

}  // namespace

KeyFileForm key_file_form(std::string_view text) {
  text = skip_space(text);
  const std::string_view magic = kEncryptedKeyMagic;
  if (text.substr(0, magic.size()) == magic && (text.size() == magic.size() || text[magic.size()] == ' '))
    return KeyFileForm::encrypted;
  if (text.substr(0, 8) == "cohours-") return KeyFileForm::unknown;
  return KeyFileForm::plain_hex;
}

std::string format_encrypted_key(const EncryptedKey& file) {
  return std::string(kEncryptedKeyMagic) + " " + std::to_string(kEncryptedKeyVersion) + "\n" +
         "kdf argon2id13 ops " + std::to_string(file.limits.ops) + " mem " + std::to_string(file.limits.mem_bytes) +
         "\n" + "salt " + to_hex(file.salt) + "\n" + "nonce " + to_hex(file.nonce) + "\n" + "public-key " +
         to_hex(file.public_key) + "\n" + "sealed-seed " + to_hex(file.sealed_seed) + "\n";
}

Result<EncryptedKey> parse_encrypted_key(std::string_view text) {
  text = skip_space(text);
  // Lines; trailing whitespace after the last one is allowed (an editor's newline).
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
    if (skip_space(text).empty()) break;
  }
  if (lines.empty() || !field(lines[0], kEncryptedKeyMagic))
    return damaged("it does not start with '" + std::string(kEncryptedKeyMagic) + "'");
  auto version = whole_number(*field(lines[0], kEncryptedKeyMagic));
  if (!version) return damaged("its version is not a number");
  if (*version != kEncryptedKeyVersion)
    return Result<EncryptedKey>(Code::malformed, "the key file is in encrypted format " + std::to_string(*version) +
                                                     ", written by a newer cohours; this one reads format " +
                                                     std::to_string(kEncryptedKeyVersion));
  const char* names[] = {"kdf", "salt", "nonce", "public-key", "sealed-seed"};
  if (lines.size() < 6) return damaged("it ends before its '" + std::string(names[lines.size() - 1]) + "' line");
  if (lines.size() > 6) return damaged("it has more than six lines");
  EncryptedKey file;
  // kdf argon2id13 ops N mem N
  auto kdf = field(lines[1], "kdf argon2id13 ops");
  const auto mem_at = kdf ? kdf->find(" mem ") : std::string_view::npos;
  auto ops = mem_at == std::string_view::npos ? std::nullopt : whole_number(kdf->substr(0, mem_at));
  auto mem = mem_at == std::string_view::npos ? std::nullopt : whole_number(kdf->substr(mem_at + 5));
  if (!ops || !mem) return damaged("its 'kdf' line is not 'kdf argon2id13 ops N mem N'");
  file.limits = {*ops, *mem};
  if (Status s = check_limits(file.limits); !s.ok()) return Result<EncryptedKey>(Code::malformed, s.message());
  if (!hex_field(lines[2], "salt", &file.salt)) return damaged("its 'salt' is not 32 hex digits");
  if (!hex_field(lines[3], "nonce", &file.nonce)) return damaged("its 'nonce' is not 48 hex digits");
  if (!hex_field(lines[4], "public-key", &file.public_key)) return damaged("its 'public-key' is not 64 hex digits");
  if (!hex_field(lines[5], "sealed-seed", &file.sealed_seed))
    return damaged("its 'sealed-seed' is not 96 hex digits (cut short?)");
  return file;
}

Result<KeyFileKey> derive_key_file_key(std::span<const std::uint8_t> passphrase,
                                       const FixedBytes<kPwhashSaltBytes>& salt, KdfLimits limits) {
  if (Status s = check_limits(limits); !s.ok()) return s;
  auto key = argon2id_key(passphrase, salt, limits.ops, limits.mem_bytes);
  if (!key)
    return Result<KeyFileKey>(Code::io_error, "not enough memory to unlock a key file (Argon2id needs " +
                                                  std::to_string(limits.mem_bytes >> 20) + " MiB)");
  return KeyFileKey{limits, salt, std::move(*key)};
}

Result<KeyFileKey> new_key_file_key(std::span<const std::uint8_t> passphrase, KdfLimits limits) {
  FixedBytes<kPwhashSaltBytes> salt;
  random_bytes(salt.bytes);
  return derive_key_file_key(passphrase, salt, limits);
}

bool derived_for(const KeyFileKey& key, const EncryptedKey& file) {
  return key.limits == file.limits && key.salt == file.salt;
}

EncryptedKey encrypt_key(const SecretKey& secret, const KeyFileKey& key) {
  EncryptedKey file;
  file.limits = key.limits;
  file.salt = key.salt;
  random_bytes(file.nonce.bytes);
  file.public_key = public_key_of(secret);
  // The seed is the first half of libsodium's 64-byte secret key.
  Bytes box = secretbox_seal(std::span(secret.data(), 32), file.nonce, key.key);
  std::memcpy(file.sealed_seed.data(), box.data(), file.sealed_seed.size());
  return file;
}

std::optional<SecretKey> decrypt_key(const EncryptedKey& file, const KeyFileKey& key) {
  if (!derived_for(key, file)) return std::nullopt;
  FixedBytes<32> seed;
  const bool opened = secretbox_open(seed.bytes, file.sealed_seed.bytes, file.nonce, key.key);
  std::optional<SecretKey> secret;
  if (opened) {
    KeyPair pair = keypair_from_seed(seed);
    // A file whose clear public key was changed would otherwise be read as
    // another member's key file; the seal covers only the seed.
    if (pair.public_key == file.public_key) secret = std::move(pair.secret_key);
  }
  secure_wipe(seed.bytes);
  return secret;
}

}  // namespace cohours
