// The engine's only door to libsodium (src/crypto.cpp is the one file that
// includes sodium.h). All functions are thread-safe once crypto_init() ran.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "cohours/types.h"

namespace cohours {

// Must be called once before any other function here; idempotent.
// Returns false if libsodium cannot initialise (no entropy source).
bool crypto_init();

struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;
  KeyPair copy() const { return {public_key, secret_key.copy()}; }
};

KeyPair generate_keypair();
// A secret key from its 128 hex digits, leaving no copy of it behind.
std::optional<SecretKey> secret_key_from_hex(std::string_view hex);
// Overwrites text that held a secret (a key file's contents) before it goes.
void wipe(std::string& text);
// Deterministic key pair from a 32-byte seed (test vectors, key backups).
KeyPair keypair_from_seed(const FixedBytes<32>& seed);
// Derives the key pair from the 64-byte secret (whose tail is the public key).
PublicKey public_key_of(const SecretKey& secret);
// Whether a 64-byte secret key's seed (first half) makes its public key
// (second half), as every key libsodium made does.
bool secret_key_consistent(const SecretKey& secret);
Signature sign(std::span<const std::uint8_t> message, const SecretKey& secret);
bool verify(const Signature& signature, std::span<const std::uint8_t> message, const PublicKey& key);

Hash32 blake2b_256(std::span<const std::uint8_t> data);
Hash32 blake2b_256(std::string_view data);
// BLAKE2b-256 keyed with `salt`: the digest of a private note, unlinkable
// once the salt is erased.
Hash32 keyed_blake2b_256(std::span<const std::uint8_t> salt, std::string_view data);
Hash32 sha256(std::span<const std::uint8_t> data);
void random_bytes(std::span<std::uint8_t> out);
std::uint64_t random_u64();
// Overwrites secrets in a way the compiler cannot optimise away.
void secure_wipe(std::span<std::uint8_t> bytes);

// Secret bytes (a passphrase, a key derived from one) in libsodium's guarded
// memory: sodium_malloc puts them between inaccessible pages and locks them
// out of swap where RLIMIT_MEMLOCK allows (best effort: a failed lock is not
// an error), and sodium_free wipes them. Move-only. Holds up to capacity()
// bytes, of which the first size() are in use.
class GuardedBytes {
 public:
  // Throws std::bad_alloc when libsodium cannot allocate.
  explicit GuardedBytes(std::size_t capacity);
  ~GuardedBytes();
  GuardedBytes(GuardedBytes&& other) noexcept;
  GuardedBytes& operator=(GuardedBytes&& other) noexcept;
  GuardedBytes(const GuardedBytes&) = delete;
  GuardedBytes& operator=(const GuardedBytes&) = delete;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  // Shrinks or grows within capacity(); bytes past the new size are wiped.
  void resize(std::size_t size);
  std::span<const std::uint8_t> view() const { return {data_, size_}; }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

// Argon2id (crypto_pwhash, ALG_ARGON2ID13): a 32-byte key from a passphrase
// and a 16-byte salt at a cost of `ops` passes over `mem_bytes` of memory.
// nullopt when libsodium refuses the limits or cannot get the memory.
inline constexpr std::size_t kPwhashSaltBytes = 16;
std::uint64_t pwhash_ops_min();
std::uint64_t pwhash_mem_min();
std::optional<GuardedBytes> argon2id_key(std::span<const std::uint8_t> passphrase,
                                         const FixedBytes<kPwhashSaltBytes>& salt, std::uint64_t ops,
                                         std::uint64_t mem_bytes);

// crypto_secretbox_easy (XSalsa20-Poly1305) under a 32-byte key. The box is
// the plaintext's length plus kSecretboxMacBytes. A nonce must never be used
// twice under one key: take a random one each time.
inline constexpr std::size_t kSecretboxNonceBytes = 24;
inline constexpr std::size_t kSecretboxMacBytes = 16;
Bytes secretbox_seal(std::span<const std::uint8_t> plaintext, const FixedBytes<kSecretboxNonceBytes>& nonce,
                     const GuardedBytes& key);
// Writes the plaintext (box.size() - kSecretboxMacBytes bytes) into `out`;
// false (and `out` wiped) when the box does not authenticate under the key.
bool secretbox_open(std::span<std::uint8_t> out, std::span<const std::uint8_t> box,
                    const FixedBytes<kSecretboxNonceBytes>& nonce, const GuardedBytes& key);

// Incremental BLAKE2b-256 for streaming (files, state digests).
class Blake2bStream {
 public:
  Blake2bStream();
  ~Blake2bStream();
  Blake2bStream(const Blake2bStream&) = delete;
  Blake2bStream& operator=(const Blake2bStream&) = delete;
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data);
  Hash32 finish();

 private:
  alignas(64) unsigned char state_[384];
};

// X25519 key exchange (crypto_kx). A KxKeyPair is ephemeral: one per
// connection, never a node's ed25519 identity.
struct KxKeyPair {
  FixedBytes<32> public_key;
  FixedBytes<32> secret_key;
};
// One direction's key each: what this side receives with, what it sends with.
// The client's tx equals the server's rx and vice versa.
struct KxSessionKeys {
  FixedBytes<32> rx;
  FixedBytes<32> tx;
};

KxKeyPair generate_kx_keypair();
// Session keys for the side that opened the connection. Return false (and
// leave `keys` untouched) when the peer's public key is unusable (a
// low-order point): the peer is broken or hostile.
bool kx_client_session_keys(const KxKeyPair& client, const FixedBytes<32>& server_public_key,
                            KxSessionKeys* keys);
// The same for the side that accepted the connection.
bool kx_server_session_keys(const KxKeyPair& server, const FixedBytes<32>& client_public_key,
                            KxSessionKeys* keys);

// crypto_secretstream_xchacha20poly1305: an ordered stream of authenticated
// messages under one key. Each pushed message can be pulled exactly once, in
// the order pushed; dropping, reordering, replaying or altering one makes
// pull fail.
inline constexpr std::size_t kSecretStreamKeyBytes = 32;
inline constexpr std::size_t kSecretStreamHeaderBytes = 24;
// Bytes a pushed message gains over its plaintext.
inline constexpr std::size_t kSecretStreamOverheadBytes = 17;
using SecretStreamHeader = FixedBytes<kSecretStreamHeaderBytes>;

// The sending end. Not thread-safe; the state is wiped on destruction.
class SecretStreamPush {
 public:
  // Starts a stream under `key` with a fresh random header.
  explicit SecretStreamPush(const FixedBytes<kSecretStreamKeyBytes>& key);
  ~SecretStreamPush();
  SecretStreamPush(const SecretStreamPush&) = delete;
  SecretStreamPush& operator=(const SecretStreamPush&) = delete;

  // The receiver needs it (it is not secret) to start pulling.
  const SecretStreamHeader& header() const { return header_; }
  // The next message of the stream: plaintext.size() + kSecretStreamOverheadBytes bytes.
  Bytes push(std::span<const std::uint8_t> plaintext);

 private:
  alignas(16) unsigned char state_[64];
  SecretStreamHeader header_;
};

// The receiving end. Not thread-safe; the state is wiped on destruction.
class SecretStreamPull {
 public:
  SecretStreamPull(const FixedBytes<kSecretStreamKeyBytes>& key, const SecretStreamHeader& header);
  ~SecretStreamPull();
  SecretStreamPull(const SecretStreamPull&) = delete;
  SecretStreamPull& operator=(const SecretStreamPull&) = delete;

  // The plaintext of the next message, or nullopt if it does not
  // authenticate as the next message of this stream (the state is then
  // unchanged), or if it carries a tag other than an ordinary message: this
  // wrapper never pushes FINAL, REKEY or PUSH, so such a message ends the
  // stream and every later pull fails.
  std::optional<Bytes> pull(std::span<const std::uint8_t> ciphertext);

 private:
  alignas(16) unsigned char state_[64];
  bool initialised_ = false;
};

}  // namespace cohours
