#include "cohours/net/channel.h"

#include <doctest/doctest.h>

using namespace cohours;
using namespace cohours::net;

namespace {

struct Pair {
  SecureChannel initiator;
  SecureChannel responder;
};

KxSessionKeys keys_for(bool client, const KxKeyPair& self, const KxKeyPair& other) {
  KxSessionKeys keys;
  bool ok = client ? kx_client_session_keys(self, other.public_key, &keys)
                   : kx_server_session_keys(self, other.public_key, &keys);
  REQUIRE(ok);
  return keys;
}

Pair connected_pair() {
  KxKeyPair a = generate_kx_keypair(), b = generate_kx_keypair();
  Pair pair{SecureChannel(keys_for(true, a, b)), SecureChannel(keys_for(false, b, a))};
  REQUIRE(pair.initiator.receive_header(pair.responder.header()).ok());
  REQUIRE(pair.responder.receive_header(pair.initiator.header()).ok());
  return pair;
}

}  // namespace

TEST_CASE("channel: messages go both ways, in order") {
  Pair p = connected_pair();
  for (std::uint8_t i = 0; i < 5; ++i) {
    Bytes message(i * 10u, i);
    Bytes sealed = p.initiator.seal(message);
    CHECK(sealed.size() == message.size() + kSecretStreamOverheadBytes);
    auto opened = p.responder.open(sealed);
    REQUIRE(opened.ok());
    CHECK(opened.value() == message);
    auto back = p.initiator.open(p.responder.seal(message));
    REQUIRE(back.ok());
    CHECK(back.value() == message);
  }
}

TEST_CASE("channel: a tampered frame fails and poisons the channel") {
  Pair p = connected_pair();
  Bytes sealed = p.initiator.seal(Bytes{1, 2, 3});
  Bytes tampered = sealed;
  tampered[tampered.size() / 2] ^= 0x20;
  auto opened = p.responder.open(tampered);
  CHECK(opened.code() == Code::bad_signature);
  CHECK_FALSE(p.responder.can_open());
  // Even the genuine frame is refused now: the stream is no longer trusted.
  CHECK(p.responder.open(sealed).code() == Code::wrong_state);
}

TEST_CASE("channel: reordered and replayed frames are refused") {
  SUBCASE("reordered") {
    Pair p = connected_pair();
    Bytes first = p.initiator.seal(Bytes{1});
    Bytes second = p.initiator.seal(Bytes{2});
    (void)first;
    CHECK(p.responder.open(second).code() == Code::bad_signature);
  }
  SUBCASE("replayed") {
    Pair p = connected_pair();
    Bytes first = p.initiator.seal(Bytes{1});
    REQUIRE(p.responder.open(first).ok());
    CHECK(p.responder.open(first).code() == Code::bad_signature);
  }
  SUBCASE("reflected back to its sender") {
    Pair p = connected_pair();
    CHECK(p.initiator.open(p.initiator.seal(Bytes{1})).code() == Code::bad_signature);
  }
  SUBCASE("from another session") {
    Pair p = connected_pair();
    Pair other = connected_pair();
    CHECK(p.responder.open(other.initiator.seal(Bytes{1})).code() == Code::bad_signature);
  }
}

TEST_CASE("channel: the peer's header must come first, once, with the right size") {
  KxKeyPair a = generate_kx_keypair(), b = generate_kx_keypair();
  SecureChannel initiator(keys_for(true, a, b));
  SecureChannel responder(keys_for(false, b, a));
  CHECK(initiator.header().size() == kSecretStreamHeaderBytes);
  CHECK(responder.open(initiator.seal(Bytes{1})).code() == Code::wrong_state);
  CHECK(responder.receive_header(Bytes(23, 0)).code() == Code::malformed);
  REQUIRE(responder.receive_header(initiator.header()).ok());
  CHECK(responder.receive_header(initiator.header()).code() == Code::wrong_state);
}
