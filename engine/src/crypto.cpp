// The only file in cohours that includes sodium.h.
#include "cohours/crypto.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace cohours {

static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == 64);
static_assert(sizeof(crypto_generichash_state) <= 384);
static_assert(crypto_kx_PUBLICKEYBYTES == 32 && crypto_kx_SECRETKEYBYTES == 32);
static_assert(crypto_kx_SESSIONKEYBYTES == 32);
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == kSecretStreamKeyBytes);
static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == kSecretStreamHeaderBytes);
static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == kSecretStreamOverheadBytes);
// The state lives in a byte array of the classes so crypto.h needs no sodium.h.
static_assert(sizeof(crypto_secretstream_xchacha20poly1305_state) <= 64);
static_assert(alignof(crypto_secretstream_xchacha20poly1305_state) <= 16);
static_assert(crypto_pwhash_SALTBYTES == kPwhashSaltBytes);
static_assert(crypto_secretbox_NONCEBYTES == kSecretboxNonceBytes);
static_assert(crypto_secretbox_MACBYTES == kSecretboxMacBytes);
static_assert(crypto_secretbox_KEYBYTES == 32);

SecretKey::~SecretKey() {
  sodium_memzero(bytes.data(), bytes.size());
}

SecretKey::SecretKey(SecretKey&& other) noexcept : FixedBytes<64>{other.bytes} {
  sodium_memzero(other.bytes.data(), other.bytes.size());
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes = other.bytes;
    sodium_memzero(other.bytes.data(), other.bytes.size());
  }
  return *this;
}

SecretKey SecretKey::copy() const {
  SecretKey twin;
  twin.bytes = bytes;
  return twin;
}

bool crypto_init() {
  return sodium_init() >= 0;
}

std::optional<SecretKey> secret_key_from_hex(std::string_view hex) {
  if (hex.size() != 2 * SecretKey::size()) return std::nullopt;
  SecretKey key;
  std::size_t written = 0;
  const int failed =
      sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &written, nullptr);
  if (failed != 0 || written != key.size()) return std::nullopt;
  return key;
}

void wipe(std::string& text) {
  sodium_memzero(text.data(), text.size());
  text.clear();
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

bool secret_key_consistent(const SecretKey& secret) {
  FixedBytes<32> seed;
  std::memcpy(seed.data(), secret.data(), seed.size());
  KeyPair made = keypair_from_seed(seed);
  const bool same = sodium_memcmp(made.secret_key.data(), secret.data(), secret.size()) == 0;
  sodium_memzero(made.secret_key.data(), made.secret_key.size());
  sodium_memzero(seed.data(), seed.size());
  return same;
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

void secure_wipe(std::span<std::uint8_t> bytes) {
  sodium_memzero(bytes.data(), bytes.size());
}

GuardedBytes::GuardedBytes(std::size_t capacity) : capacity_(capacity) {
  // sodium_malloc(0) may return null; one byte keeps "no passphrase" valid.
  data_ = static_cast<std::uint8_t*>(sodium_malloc(std::max<std::size_t>(capacity, 1)));
  if (data_ == nullptr) throw std::bad_alloc();
}

GuardedBytes::~GuardedBytes() {
  if (data_ != nullptr) sodium_free(data_);  // wipes, unlocks, unmaps
}

GuardedBytes::GuardedBytes(GuardedBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)) {}

GuardedBytes& GuardedBytes::operator=(GuardedBytes&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) sodium_free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

void GuardedBytes::resize(std::size_t size) {
  size = std::min(size, capacity_);
  if (size < size_) sodium_memzero(data_ + size, size_ - size);
  size_ = size;
}

std::uint64_t pwhash_ops_min() {
  return crypto_pwhash_OPSLIMIT_MIN;
}
std::uint64_t pwhash_mem_min() {
  return crypto_pwhash_MEMLIMIT_MIN;
}

std::optional<GuardedBytes> argon2id_key(std::span<const std::uint8_t> passphrase,
                                         const FixedBytes<kPwhashSaltBytes>& salt, std::uint64_t ops,
                                         std::uint64_t mem_bytes) {
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_MAX ||
      mem_bytes < crypto_pwhash_MEMLIMIT_MIN || mem_bytes > crypto_pwhash_MEMLIMIT_MAX)
    return std::nullopt;
  GuardedBytes key(crypto_secretbox_KEYBYTES);
  key.resize(crypto_secretbox_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), reinterpret_cast<const char*>(passphrase.data()), passphrase.size(),
                    salt.data(), ops, static_cast<std::size_t>(mem_bytes), crypto_pwhash_ALG_ARGON2ID13) != 0)
    return std::nullopt;  // out of memory
  return key;
}

Bytes secretbox_seal(std::span<const std::uint8_t> plaintext, const FixedBytes<kSecretboxNonceBytes>& nonce,
                     const GuardedBytes& key) {
  Bytes box(plaintext.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(box.data(), plaintext.data(), plaintext.size(), nonce.data(), key.data());
  return box;
}

bool secretbox_open(std::span<std::uint8_t> out, std::span<const std::uint8_t> box,
                    const FixedBytes<kSecretboxNonceBytes>& nonce, const GuardedBytes& key) {
  if (box.size() < crypto_secretbox_MACBYTES || out.size() != box.size() - crypto_secretbox_MACBYTES ||
      key.size() != crypto_secretbox_KEYBYTES)
    return false;
  if (crypto_secretbox_open_easy(out.data(), box.data(), box.size(), nonce.data(), key.data()) != 0) {
    sodium_memzero(out.data(), out.size());
    return false;
  }
  return true;
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

KxKeyPair generate_kx_keypair() {
  KxKeyPair pair;
  crypto_kx_keypair(pair.public_key.data(), pair.secret_key.data());
  return pair;
}

bool kx_client_session_keys(const KxKeyPair& client, const FixedBytes<32>& server_public_key,
                            KxSessionKeys* keys) {
  KxSessionKeys out;
  if (crypto_kx_client_session_keys(out.rx.data(), out.tx.data(), client.public_key.data(),
                                    client.secret_key.data(), server_public_key.data()) != 0)
    return false;
  *keys = out;
  sodium_memzero(&out, sizeof out);
  return true;
}

bool kx_server_session_keys(const KxKeyPair& server, const FixedBytes<32>& client_public_key,
                            KxSessionKeys* keys) {
  KxSessionKeys out;
  if (crypto_kx_server_session_keys(out.rx.data(), out.tx.data(), server.public_key.data(),
                                    server.secret_key.data(), client_public_key.data()) != 0)
    return false;
  *keys = out;
  sodium_memzero(&out, sizeof out);
  return true;
}

static crypto_secretstream_xchacha20poly1305_state* stream_state(unsigned char* bytes) {
  return reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(bytes);
}

SecretStreamPush::SecretStreamPush(const FixedBytes<kSecretStreamKeyBytes>& key) {
  crypto_secretstream_xchacha20poly1305_init_push(stream_state(state_), header_.data(), key.data());
}
SecretStreamPush::~SecretStreamPush() {
  sodium_memzero(state_, sizeof state_);
}

Bytes SecretStreamPush::push(std::span<const std::uint8_t> plaintext) {
  Bytes out(plaintext.size() + kSecretStreamOverheadBytes);
  unsigned long long length = 0;
  crypto_secretstream_xchacha20poly1305_push(stream_state(state_), out.data(), &length, plaintext.data(),
                                             plaintext.size(), nullptr, 0,
                                             crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  out.resize(length);
  return out;
}

SecretStreamPull::SecretStreamPull(const FixedBytes<kSecretStreamKeyBytes>& key,
                                   const SecretStreamHeader& header) {
  initialised_ =
      crypto_secretstream_xchacha20poly1305_init_pull(stream_state(state_), header.data(), key.data()) == 0;
}
SecretStreamPull::~SecretStreamPull() {
  sodium_memzero(state_, sizeof state_);
}

std::optional<Bytes> SecretStreamPull::pull(std::span<const std::uint8_t> ciphertext) {
  if (!initialised_ || ciphertext.size() < kSecretStreamOverheadBytes) return std::nullopt;
  Bytes out(ciphertext.size() - kSecretStreamOverheadBytes);
  unsigned long long length = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(stream_state(state_), out.data(), &length, &tag,
                                                 ciphertext.data(), ciphertext.size(), nullptr, 0) != 0)
    return std::nullopt;
  // Our pushes only ever carry TAG_MESSAGE; any other tag (already applied
  // to the state, e.g. a rekey) comes from a sender that does not follow
  // this protocol, so the stream is dead from here on.
  if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    initialised_ = false;
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

}  // namespace cohours
