// Encrypted key files (cohours/key_file.h): the format round-trips, and a
// wrong passphrase, any changed digit, a file cut short, a newer version or
// limits out of bounds are refused. Cheap Argon2id limits keep it fast; one
// case runs the production limits.
#include "cohours/key_file.h"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "cohours/crypto.h"

using namespace cohours;

namespace {

constexpr KdfLimits kCheap{1, 64 * 1024};

std::span<const std::uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

KeyFileKey key_for(std::string_view passphrase, const EncryptedKey& file) {
  auto key = derive_key_file_key(bytes_of(passphrase), file.salt, file.limits);
  REQUIRE_MESSAGE(key.ok(), key.status().message());
  return std::move(key).value();
}

// Opens `text` as a reader would: parse, derive under its own salt and
// limits, decrypt.
std::optional<SecretKey> open_text(const std::string& text, std::string_view passphrase) {
  auto file = parse_encrypted_key(text);
  if (!file.ok()) return std::nullopt;
  return decrypt_key(file.value(), key_for(passphrase, file.value()));
}

// A fresh key sealed under `passphrase` (cheap limits), as the file's text.
std::string sealed_text(std::string_view passphrase) {
  const KeyPair pair = generate_keypair();
  auto key = new_key_file_key(bytes_of(passphrase), kCheap);
  REQUIRE(key.ok());
  return format_encrypted_key(encrypt_key(pair.secret_key, key.value()));
}

}  // namespace

TEST_CASE("an encrypted key file round-trips and says what it is; a plain one is told apart") {
  const KeyPair pair = generate_keypair();
  auto key = new_key_file_key(bytes_of("correct horse battery staple"), kCheap);
  REQUIRE(key.ok());
  const std::string text = format_encrypted_key(encrypt_key(pair.secret_key, key.value()));
  CHECK(text.rfind("cohours-encrypted-key 1\nkdf argon2id13 ops 1 mem 65536\nsalt ", 0) == 0);
  CHECK(key_file_form(text) == KeyFileForm::encrypted);
  CHECK(key_file_form("\n  " + text) == KeyFileForm::encrypted);
  CHECK(key_file_form(to_hex(pair.secret_key) + "\n") == KeyFileForm::plain_hex);
  CHECK(key_file_form("cohours-sealed-key 1\n") == KeyFileForm::unknown);
  // Neither the seed nor the whole secret appears in the file.
  CHECK(text.find(to_hex(pair.secret_key).substr(0, 64)) == std::string::npos);
  CHECK(text.find(to_hex(pair.public_key)) != std::string::npos);  // named in clear

  auto opened = open_text(text, "correct horse battery staple");
  REQUIRE(opened);
  CHECK(*opened == pair.secret_key);
  // Two encryptions of one key under one passphrase differ (fresh nonce).
  CHECK(format_encrypted_key(encrypt_key(pair.secret_key, key.value())) != text);
}

TEST_CASE("a wrong passphrase does not open the file") {
  const KeyPair pair = generate_keypair();
  auto key = new_key_file_key(bytes_of("correct horse battery staple"), kCheap);
  REQUIRE(key.ok());
  const std::string text = format_encrypted_key(encrypt_key(pair.secret_key, key.value()));
  CHECK_FALSE(open_text(text, "correct horse battery stapler"));
  CHECK_FALSE(open_text(text, ""));
}

TEST_CASE("any changed hex digit of an encrypted key file is refused") {
  const std::string text = sealed_text("pass phrase");
  // Every digit of salt, nonce, public key and sealed seed, one at a time:
  // the salt gives another derived key, the rest fail Poly1305 or the
  // public-key check.
  int changed = 0;
  for (const char* name : {"salt ", "nonce ", "public-key ", "sealed-seed "}) {
    const std::size_t from = text.find(std::string("\n") + name) + 1 + std::strlen(name);
    for (std::size_t at = from; text[at] != '\n'; ++at) {
      std::string bad = text;
      bad[at] = text[at] == '0' ? '1' : '0';
      CHECK_MESSAGE(!open_text(bad, "pass phrase"), name, "digit ", at - from, " changed and still opened");
      ++changed;
    }
  }
  CHECK(changed == 32 + 48 + 64 + 96);
  // The limits are in the seal's derivation too.
  std::string more_ops = text;
  more_ops.replace(more_ops.find("ops 1"), 5, "ops 2");
  CHECK_FALSE(open_text(more_ops, "pass phrase"));
}

TEST_CASE("a file cut short anywhere is refused as damaged, not read") {
  const std::string text = sealed_text("pass phrase");
  REQUIRE(text.back() == '\n');
  for (std::size_t length = 0; length + 1 < text.size(); ++length) {
    auto parsed = parse_encrypted_key(text.substr(0, length));
    CHECK_MESSAGE(!parsed.ok(), "cut at ", length);
    if (!parsed.ok()) CHECK(parsed.code() == Code::malformed);
  }
  auto cut = parse_encrypted_key(text.substr(0, text.size() - 10));
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.status().message().find("sealed-seed") != std::string::npos);
  CHECK(parse_encrypted_key(text.substr(0, text.size() - 1)).ok());  // only the final newline
  CHECK_FALSE(parse_encrypted_key(text + "extra 00\n").ok());
}

TEST_CASE("a newer format and limits out of bounds are refused before any work") {
  const KeyPair pair = generate_keypair();
  auto key = new_key_file_key(bytes_of("pass phrase"), kCheap);
  REQUIRE(key.ok());
  const std::string text = format_encrypted_key(encrypt_key(pair.secret_key, key.value()));

  std::string newer = text;
  newer.replace(0, std::string("cohours-encrypted-key 1").size(), "cohours-encrypted-key 2");
  auto refused = parse_encrypted_key(newer);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("newer cohours") != std::string::npos);

  std::string greedy = text;  // 4 GiB: over kKeyFileKdfMax
  greedy.replace(greedy.find("mem 65536"), 9, "mem 4294967296");
  auto over = parse_encrypted_key(greedy);
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().message().find("over what cohours allows") != std::string::npos);
  CHECK(derive_key_file_key(bytes_of("x"), key->salt, {1, std::uint64_t{4} << 30}).code() == Code::malformed);
  CHECK(derive_key_file_key(bytes_of("x"), key->salt, {0, 65536}).code() == Code::malformed);
}

TEST_CASE("the production limits round-trip (one Argon2id at 64 MiB)") {
  const KeyPair pair = generate_keypair();
  auto key = new_key_file_key(bytes_of("correct horse battery staple"));
  REQUIRE(key.ok());
  CHECK(key->limits == kKeyFileKdfLimits);
  const EncryptedKey file = encrypt_key(pair.secret_key, key.value());
  auto parsed = parse_encrypted_key(format_encrypted_key(file));
  REQUIRE(parsed.ok());
  CHECK(parsed->limits == KdfLimits{3, 64u << 20});
  auto opened = decrypt_key(parsed.value(), key.value());
  REQUIRE(opened);
  CHECK(*opened == pair.secret_key);
}

TEST_CASE("guarded bytes wipe what resize drops and are empty once moved from") {
  GuardedBytes bytes(8);
  bytes.resize(8);
  for (std::size_t i = 0; i < 8; ++i) bytes.data()[i] = 0xAA;
  bytes.resize(3);
  bytes.resize(8);
  CHECK(bytes.data()[2] == 0xAA);
  CHECK(bytes.data()[3] == 0);
  CHECK(bytes.data()[7] == 0);
  GuardedBytes moved = std::move(bytes);
  CHECK(moved.size() == 8);
  CHECK(bytes.size() == 0);  // NOLINT(bugprone-use-after-move): the point of the check
  CHECK(bytes.data() == nullptr);
}
