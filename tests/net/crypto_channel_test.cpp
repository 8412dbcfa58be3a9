// The engine's crypto_kx and secretstream wrappers, tested here because the
// peer channel is their only user.
#include "cohours/crypto.h"

#include <doctest/doctest.h>

#include <string_view>
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::bytes_of;

namespace {

FixedBytes<32> random_key() {
  FixedBytes<32> key;
  random_bytes(key.bytes);
  return key;
}

}  // namespace

TEST_CASE("crypto_kx: client and server derive mirrored session keys") {
  KxKeyPair client = generate_kx_keypair();
  KxKeyPair server = generate_kx_keypair();
  KxSessionKeys client_keys, server_keys;
  REQUIRE(kx_client_session_keys(client, server.public_key, &client_keys));
  REQUIRE(kx_server_session_keys(server, client.public_key, &server_keys));
  CHECK(client_keys.tx == server_keys.rx);
  CHECK(client_keys.rx == server_keys.tx);
  CHECK(client_keys.rx != client_keys.tx);

  // A third party's key pair yields different keys.
  KxKeyPair other = generate_kx_keypair();
  KxSessionKeys other_keys;
  REQUIRE(kx_client_session_keys(other, server.public_key, &other_keys));
  CHECK(other_keys.tx != server_keys.rx);
}

TEST_CASE("crypto_kx: a low-order peer key is refused") {
  KxKeyPair client = generate_kx_keypair();
  FixedBytes<32> zero;  // the identity point: the shared secret would be all zero
  KxSessionKeys keys;
  keys.rx.bytes[0] = 7;
  CHECK_FALSE(kx_client_session_keys(client, zero, &keys));
  CHECK_FALSE(kx_server_session_keys(client, zero, &keys));
  CHECK(keys.rx.bytes[0] == 7);  // untouched
}

TEST_CASE("secretstream: messages pull in order under the right key") {
  auto key = random_key();
  SecretStreamPush push(key);
  SecretStreamPull pull(key, push.header());
  Bytes first = push.push(bytes_of("first"));
  Bytes empty = push.push({});
  Bytes second = push.push(bytes_of("second"));
  CHECK(first.size() == 5 + kSecretStreamOverheadBytes);
  CHECK(empty.size() == kSecretStreamOverheadBytes);
  CHECK(pull.pull(first) == bytes_of("first"));
  CHECK(pull.pull(empty) == Bytes{});
  CHECK(pull.pull(second) == bytes_of("second"));
}

TEST_CASE("secretstream: the same plaintext encrypts differently each time") {
  auto key = random_key();
  SecretStreamPush a(key), b(key);
  CHECK(a.header() != b.header());
  CHECK(a.push(bytes_of("x")) != b.push(bytes_of("x")));
}

TEST_CASE("secretstream: tampering, replay, reordering and a wrong key fail") {
  auto key = random_key();
  SecretStreamPush push(key);
  Bytes one = push.push(bytes_of("one"));
  Bytes two = push.push(bytes_of("two"));

  SUBCASE("a flipped bit anywhere") {
    for (std::size_t i = 0; i < one.size(); ++i) {
      SecretStreamPull pull(key, push.header());
      Bytes bad = one;
      bad[i] ^= 0x01;
      CHECK_FALSE(pull.pull(bad));
    }
  }
  SUBCASE("failure leaves the state usable for the genuine message") {
    SecretStreamPull pull(key, push.header());
    Bytes bad = one;
    bad.back() ^= 0x80;
    CHECK_FALSE(pull.pull(bad));
    CHECK(pull.pull(one) == bytes_of("one"));
  }
  SUBCASE("reordered") {
    SecretStreamPull pull(key, push.header());
    CHECK_FALSE(pull.pull(two));
  }
  SUBCASE("replayed") {
    SecretStreamPull pull(key, push.header());
    CHECK(pull.pull(one));
    CHECK_FALSE(pull.pull(one));
    CHECK(pull.pull(two) == bytes_of("two"));
  }
  SUBCASE("truncated") {
    SecretStreamPull pull(key, push.header());
    CHECK_FALSE(pull.pull(std::span(one).first(kSecretStreamOverheadBytes - 1)));
    CHECK_FALSE(pull.pull({}));
  }
  SUBCASE("wrong key or header") {
    SecretStreamPull wrong_key(random_key(), push.header());
    CHECK_FALSE(wrong_key.pull(one));
    SecretStreamHeader header = push.header();
    header.bytes[3] ^= 1;
    SecretStreamPull wrong_header(key, header);
    CHECK_FALSE(wrong_header.pull(one));
  }
}
