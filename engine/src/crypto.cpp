// The only file in cohours that includes sodium.h.
#include "cohours/crypto.h"

#include <sodium.h>

#include <cstring>

namespace cohours {

static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == 64);
static_assert(sizeof(crypto_generichash_state) <= 384);

bool crypto_init() {
  return sodium_init() >= 0;
}

KeyPair generate_keypair() {
  KeyPair pair;
  crypto_sign_keypair(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

KeyPair keypair_from_seed(const FixedBytes<32>& seed) {
  KeyPair pair;
  crypto_sign_seed_keypair(pair.public_key.data(), pair.secret_key.data(), seed.data());
  return pair;
}

PublicKey public_key_of(const SecretKey& secret) {
  PublicKey key;
  crypto_sign_ed25519_sk_to_pk(key.data(), secret.data());
  return key;
}

Signature sign(std::span<const std::uint8_t> message, const SecretKey& secret) {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret.data());
  return sig;
}

bool verify(const Signature& signature, std::span<const std::uint8_t> message, const PublicKey& key) {
  return crypto_sign_verify_detached(signature.data(), message.data(), message.size(), key.data()) == 0;
}

Hash32 blake2b_256(std::span<const std::uint8_t> data) {
  Hash32 out;
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

Hash32 blake2b_256(std::string_view data) {
  return blake2b_256(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Hash32 keyed_blake2b_256(std::span<const std::uint8_t> salt, std::string_view data) {
  Hash32 out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     salt.data(), salt.size());
  return out;
}

Hash32 sha256(std::span<const std::uint8_t> data) {
  Hash32 out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

void random_bytes(std::span<std::uint8_t> out) {
  randombytes_buf(out.data(), out.size());
}

std::uint64_t random_u64() {
  std::uint64_t value;
  randombytes_buf(&value, sizeof value);
  return value;
}

Blake2bStream::Blake2bStream() {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, 32);
}
Blake2bStream::~Blake2bStream() {
  sodium_memzero(state_, sizeof state_);
}

void Blake2bStream::update(std::span<const std::uint8_t> data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(), data.size());
}
void Blake2bStream::update(std::string_view data) {
  update(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}
Hash32 Blake2bStream::finish() {
  Hash32 out;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), out.data(), 32);
  return out;
}

}  // namespace cohours
