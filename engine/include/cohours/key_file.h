// Secret key files at rest (docs/data-format.md "Key files"). A plain file
// holds the 64-byte ed25519 secret key as 128 hex digits. An encrypted one is
// a short text that says what it is on its first line,
// `cohours-encrypted-key 1`, which no hex key can begin with ('o' is not a
// hex digit): the key's 32-byte seed sealed with crypto_secretbox under a
// key that Argon2id derives from a passphrase. The salt and Argon2id limits
// are in the file, so a file always says what it takes to open it, and a
// later change of the default limits never strands an old file.
//
// Here only the format and the sealing; where the passphrase comes from and
// which files are encrypted is app's (app/keyring.h, app/key_protection.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cohours/crypto.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours {

struct KdfLimits {
  std::uint64_t ops = 0;        // Argon2id passes (crypto_pwhash opslimit)
  std::uint64_t mem_bytes = 0;  // Argon2id memory (memlimit)
  bool operator==(const KdfLimits&) const = default;
};

// What a new encrypted key file gets: RFC 9106's recommendation for
// machines short of memory (t=3, 64 MiB; libsodium uses one lane).
// About 0.15 s on the 2-core test VM; docs/decisions.md says why.
inline constexpr KdfLimits kKeyFileKdfLimits{3, std::uint64_t{64} << 20};
// The most a key file may ask for. Larger limits are refused before any
// work, so a changed file cannot make a node allocate or spin without bound.
inline constexpr KdfLimits kKeyFileKdfMax{16, std::uint64_t{1} << 30};

inline constexpr std::string_view kEncryptedKeyMagic = "cohours-encrypted-key";
inline constexpr unsigned kEncryptedKeyVersion = 1;
inline constexpr std::size_t kSealedSeedBytes = 32 + kSecretboxMacBytes;

enum class KeyFileForm {
  plain_hex,  // anything that does not start with "cohours-" (checked as hex by the reader)
  encrypted,  // starts with kEncryptedKeyMagic
  unknown,    // another "cohours-..." header: a format this build does not know
};
// Tells the forms apart by the first word, leading whitespace skipped.
KeyFileForm key_file_form(std::string_view text);

// The fields of an encrypted key file, in file order.
struct EncryptedKey {
  KdfLimits limits;
  FixedBytes<kPwhashSaltBytes> salt;
  FixedBytes<kSecretboxNonceBytes> nonce;
  // In clear: which key this is, readable without the passphrase, and
  // checked against the seed once it is opened.
  PublicKey public_key;
  FixedBytes<kSealedSeedBytes> sealed_seed;
};

std::string format_encrypted_key(const EncryptedKey& file);
// malformed, saying what is wrong (cut short, a bad field, a newer
// version, limits over kKeyFileKdfMax), for anything else.
Result<EncryptedKey> parse_encrypted_key(std::string_view text);

// The key that seals and opens key files: Argon2id of a passphrase under
// one salt and limits. Key files sealed with one KeyFileKey share its salt,
// so one derivation opens them all (a keyring of many keys unlocks once).
struct KeyFileKey {
  KdfLimits limits;
  FixedBytes<kPwhashSaltBytes> salt;
  GuardedBytes key;
};

// malformed if the limits are under libsodium's minimum or over
// kKeyFileKdfMax; io_error if the memory cannot be had.
Result<KeyFileKey> derive_key_file_key(std::span<const std::uint8_t> passphrase,
                                       const FixedBytes<kPwhashSaltBytes>& salt, KdfLimits limits);
// The same with a new random salt: for writing files, never for opening.
Result<KeyFileKey> new_key_file_key(std::span<const std::uint8_t> passphrase,
                                    KdfLimits limits = kKeyFileKdfLimits);
// Whether `key` was derived under the salt and limits `file` names.
bool derived_for(const KeyFileKey& key, const EncryptedKey& file);

// Seals the secret key's seed under `key` with a fresh random nonce.
EncryptedKey encrypt_key(const SecretKey& secret, const KeyFileKey& key);
// The secret key, or nullopt when the seal does not open under `key` (a
// wrong passphrase, or any changed byte of the file: Poly1305 cannot tell
// them apart) or opens to a seed whose public key is not the file's.
std::optional<SecretKey> decrypt_key(const EncryptedKey& file, const KeyFileKey& key);

}  // namespace cohours
