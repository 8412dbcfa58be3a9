#include "cohours/crypto.h"

#include <doctest/doctest.h>

#include <cctype>
#include <type_traits>

using namespace cohours;

TEST_CASE("BLAKE2b-256 matches the published digest of the empty string") {
  // RFC 7693 does not list BLAKE2b-256(""); this value is the reference
  // implementation's (b2sum -l 256 of an empty file).
  CHECK(to_hex(blake2b_256(std::string_view(""))) ==
        "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  Blake2bStream stream;
  stream.update(std::string_view("ab"));
  stream.update(std::string_view("c"));
  CHECK(stream.finish() == blake2b_256(std::string_view("abc")));
}

TEST_CASE("SHA-256 of 'abc' (FIPS 180-2 example)") {
  std::string_view abc = "abc";
  CHECK(to_hex(sha256({reinterpret_cast<const std::uint8_t*>(abc.data()), abc.size()})) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("ed25519 RFC 8032 test 1: empty message") {
  auto seed = fixed_from_hex<Hash32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  REQUIRE(seed);
  KeyPair pair = keypair_from_seed(*seed);
  CHECK(to_hex(pair.public_key) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Signature sig = sign({}, pair.secret_key);
  CHECK(to_hex(sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25b"
        "f5f0595bbe24655141438e7a100b");
  CHECK(verify(sig, {}, pair.public_key));
  sig.bytes[0] ^= 1;
  CHECK_FALSE(verify(sig, {}, pair.public_key));
  CHECK(public_key_of(pair.secret_key) == pair.public_key);
}

TEST_CASE("keyed digests differ by salt") {
  std::array<std::uint8_t, 32> a{}, b{};
  b[0] = 1;
  CHECK(keyed_blake2b_256(a, "note") != keyed_blake2b_256(b, "note"));
  CHECK(keyed_blake2b_256(a, "note") == keyed_blake2b_256(a, "note"));
}

TEST_CASE("hex round trip and rejection") {
  CHECK(to_hex(*from_hex("00ff10Ab")) == "00ff10ab");
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
  CHECK_FALSE(fixed_from_hex<Hash32>("00"));
}

TEST_CASE("a secret key is moved, never copied by accident, and a moved-from key is wiped") {
  static_assert(!std::is_copy_constructible_v<SecretKey> && !std::is_copy_assignable_v<SecretKey>);
  static_assert(std::is_nothrow_move_constructible_v<SecretKey>);
  KeyPair pair = generate_keypair();
  SecretKey twin = pair.secret_key.copy();  // the deliberate copy
  CHECK(twin == pair.secret_key);
  SecretKey moved = std::move(pair.secret_key);
  CHECK(moved == twin);
  CHECK(pair.secret_key.is_zero());  // NOLINT(bugprone-use-after-move): the point of the test
  SecretKey assigned;
  assigned = std::move(moved);
  CHECK(assigned == twin);
  CHECK(moved.is_zero());  // NOLINT(bugprone-use-after-move)
  CHECK(public_key_of(assigned) == pair.public_key);
}

TEST_CASE("secret_key_from_hex takes exactly 128 hex digits") {
  KeyPair pair = generate_keypair();
  const std::string hex = to_hex(pair.secret_key);
  auto parsed = secret_key_from_hex(hex);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == pair.secret_key);
  std::string upper = hex;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(secret_key_from_hex(upper).has_value());
  CHECK_FALSE(secret_key_from_hex(hex.substr(1)).has_value());
  CHECK_FALSE(secret_key_from_hex(hex + "0").has_value());
  CHECK_FALSE(secret_key_from_hex(hex.substr(0, 127) + "g").has_value());
  CHECK_FALSE(secret_key_from_hex("").has_value());
  std::string text = hex;
  wipe(text);
  CHECK(text.empty());
}
