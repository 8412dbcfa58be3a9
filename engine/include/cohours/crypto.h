// The engine's only door to libsodium (src/crypto.cpp is the one file that
// includes sodium.h). All functions are thread-safe once crypto_init() ran.
#pragma once

#include <cstdint>
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
};

KeyPair generate_keypair();
// Deterministic key pair from a 32-byte seed (test vectors, key backups).
KeyPair keypair_from_seed(const FixedBytes<32>& seed);
// Derives the key pair from the 64-byte secret (whose tail is the public key).
PublicKey public_key_of(const SecretKey& secret);
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

}  // namespace cohours
