#include "cohours/net/handshake.h"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "cohours/net/channel.h"
#include "../test_helpers.h"

using namespace cohours;
using cohours::test::message_has;
using namespace cohours::net;

namespace {

// A node that never rotated its key: no rotations in its hello.
constexpr std::size_t kMsg1Bytes = 143;
constexpr std::size_t kMsg2Bytes = kMsg1Bytes + 64;
constexpr std::size_t kVersionOffset = 12;
constexpr std::size_t kConsortiumOffset = 14;
constexpr std::size_t kEphemeralOffset = 14 + 32 + 32 + 32;

struct HandshakeSetup {
  Hash32 id;
  KeyPair a = generate_keypair();
  KeyPair b = generate_keypair();
  KeyPair outsider = generate_keypair();

  HandshakeSetup() { random_bytes(id.bytes); }

  // Members are a and b; `extra` lets a test widen the set.
  HandshakeConfig config(const KeyPair& node, std::set<PublicKey> extra = {}) const {
    std::set<PublicKey> allowed = {a.public_key, b.public_key};
    allowed.insert(extra.begin(), extra.end());
    HandshakeConfig made;
    made.consortium_id = id;
    made.node = std::make_shared<const KeyPair>(node.copy());
    made.allowed = [allowed](const PublicKey& key) { return allowed.count(key) > 0; };
    return made;
  }
};

// One full exchange; REQUIREs every step to succeed.
struct Session {
  Bytes msg1, msg2, msg3;
  HandshakeOutcome initiator, responder;
};

Session complete(const HandshakeConfig& initiator_config, const PublicKey& expected,
                 const HandshakeConfig& responder_config) {
  InitiatorHandshake initiator(initiator_config, expected);
  ResponderHandshake responder(responder_config);
  Session s;
  s.msg1 = initiator.start();
  auto msg2 = responder.on_msg1(s.msg1);
  REQUIRE(msg2.ok());
  s.msg2 = msg2.value();
  auto msg3 = initiator.on_msg2(s.msg2);
  REQUIRE(msg3.ok());
  s.msg3 = msg3.value();
  REQUIRE(responder.on_msg3(s.msg3).ok());
  s.initiator = initiator.outcome().value();
  s.responder = responder.outcome().value();
  return s;
}

}  // namespace

TEST_CASE("handshake: both sides authenticate each other and share session keys") {
  HandshakeSetup c;
  Session s = complete(c.config(c.a), c.b.public_key, c.config(c.b));
  CHECK(s.msg1.size() == kMsg1Bytes);
  CHECK(s.msg2.size() == kMsg2Bytes);
  CHECK(s.msg3.size() == 64);
  CHECK(Bytes(s.msg1.begin(), s.msg1.begin() + 12) ==
        Bytes{'c', 'o', 'h', 'o', 'u', 'r', 's', '-', 's', 'y', 'n', 'c'});
  CHECK(s.initiator.peer == c.b.public_key);
  CHECK(s.responder.peer == c.a.public_key);
  CHECK(s.initiator.keys.tx == s.responder.keys.rx);
  CHECK(s.initiator.keys.rx == s.responder.keys.tx);

  // The keys carry messages both ways.
  SecureChannel initiator(s.initiator.keys), responder(s.responder.keys);
  REQUIRE(initiator.receive_header(responder.header()).ok());
  REQUIRE(responder.receive_header(initiator.header()).ok());
  Bytes hello = {1, 2, 3};
  auto opened = responder.open(initiator.seal(hello));
  REQUIRE(opened.ok());
  CHECK(opened.value() == hello);
  Bytes reply = {4, 5};
  auto answered = initiator.open(responder.seal(reply));
  REQUIRE(answered.ok());
  CHECK(answered.value() == reply);

  // Fresh ephemeral keys: the next session between the same nodes differs.
  Session again = complete(c.config(c.a), c.b.public_key, c.config(c.b));
  CHECK(again.initiator.keys.tx != s.initiator.keys.tx);
}

TEST_CASE("handshake: the other direction works the same") {
  HandshakeSetup c;
  Session s = complete(c.config(c.b), c.a.public_key, c.config(c.a));
  CHECK(s.initiator.peer == c.a.public_key);
  CHECK(s.responder.peer == c.b.public_key);
  CHECK(s.initiator.keys.tx == s.responder.keys.rx);
}

TEST_CASE("handshake: a node of another consortium is refused") {
  HandshakeSetup c;
  HandshakeConfig stranger = c.config(c.a);
  random_bytes(stranger.consortium_id.bytes);
  InitiatorHandshake initiator(stranger, c.b.public_key);
  ResponderHandshake responder(c.config(c.b));
  Status refused = responder.on_msg1(initiator.start()).status();
  CHECK(refused.code() == Code::not_permitted);
  CHECK(message_has(refused, "consortium files differ"));

  // The initiator checks msg2's consortium id as well.
  InitiatorHandshake a(c.config(c.a), c.b.public_key);
  ResponderHandshake b(c.config(c.b));
  Bytes msg2 = b.on_msg1(a.start()).value();
  msg2[kConsortiumOffset] ^= 1;
  Status checked = a.on_msg2(msg2).status();
  CHECK(checked.code() == Code::not_permitted);
  CHECK(message_has(checked, "consortium files differ"));
}

TEST_CASE("handshake: a key not in the consortium file is refused by either side") {
  HandshakeSetup c;
  // The outsider knows the consortium id and lets everyone in; b does not.
  InitiatorHandshake outsider(c.config(c.outsider, {c.outsider.public_key}), c.b.public_key);
  ResponderHandshake b(c.config(c.b));
  Status refused = b.on_msg1(outsider.start()).status();
  CHECK(refused.code() == Code::not_permitted);
  CHECK(message_has(refused, "not in the consortium file"));
  CHECK(message_has(refused, to_hex(c.outsider.public_key)));

  // a dials the outsider on purpose, but the outsider is not in a's file.
  InitiatorHandshake a(c.config(c.a), c.outsider.public_key);
  ResponderHandshake responder(c.config(c.outsider, {c.outsider.public_key}));
  auto msg2 = responder.on_msg1(a.start());
  REQUIRE(msg2.ok());
  Status checked = a.on_msg2(msg2.value()).status();
  CHECK(checked.code() == Code::not_permitted);
  CHECK(message_has(checked, "not in the consortium file"));

  // A node configured without a filter lets nobody in.
  HandshakeConfig unset = c.config(c.b);
  unset.allowed = nullptr;
  InitiatorHandshake a2(c.config(c.a), c.b.public_key);
  ResponderHandshake closed(unset);
  CHECK(closed.on_msg1(a2.start()).code() == Code::not_permitted);
}

TEST_CASE("handshake: the initiator refuses a responder it did not dial") {
  HandshakeSetup c;
  KeyPair third = generate_keypair();
  // third is a member too, but a meant to reach b.
  InitiatorHandshake a(c.config(c.a, {third.public_key}), c.b.public_key);
  ResponderHandshake impostor(c.config(third, {third.public_key}));
  auto msg2 = impostor.on_msg1(a.start());
  REQUIRE(msg2.ok());
  Status checked = a.on_msg2(msg2.value()).status();
  CHECK(checked.code() == Code::not_permitted);
  CHECK(message_has(checked, "dialled node " + to_hex(c.b.public_key)));
}

TEST_CASE("handshake: a node meeting its own key refuses") {
  HandshakeSetup c;
  InitiatorHandshake a(c.config(c.a), c.a.public_key);
  ResponderHandshake self(c.config(c.a));
  Status refused = self.on_msg1(a.start()).status();
  CHECK(refused.code() == Code::not_permitted);
  CHECK(message_has(refused, "own key"));
}

TEST_CASE("handshake: a flipped byte in msg2's key exchange or signature breaks the signature") {
  HandshakeSetup c;
  for (std::size_t i = kEphemeralOffset; i < kMsg2Bytes; ++i) {
    if (i == kEphemeralOffset + 32) i = kMsg1Bytes;  // the rotation count is checked earlier
    CAPTURE(i);
    InitiatorHandshake a(c.config(c.a), c.b.public_key);
    ResponderHandshake b(c.config(c.b));
    Bytes msg2 = b.on_msg1(a.start()).value();
    msg2[i] ^= 0x04;
    CHECK(a.on_msg2(msg2).code() == Code::bad_signature);
  }
  // Every other byte is refused too, by an earlier check.
  for (std::size_t i = 0; i < kMsg1Bytes; ++i) {
    if (i == kEphemeralOffset) i = kEphemeralOffset + 32;
    CAPTURE(i);
    InitiatorHandshake a(c.config(c.a), c.b.public_key);
    ResponderHandshake b(c.config(c.b));
    Bytes msg2 = b.on_msg1(a.start()).value();
    msg2[i] ^= 0x04;
    CHECK_FALSE(a.on_msg2(msg2).ok());
  }
}

TEST_CASE("handshake: a tampered msg1 or msg3 fails at the responder") {
  HandshakeSetup c;
  SUBCASE("msg3") {
    for (std::size_t i = 0; i < 64; ++i) {
      CAPTURE(i);
      InitiatorHandshake a(c.config(c.a), c.b.public_key);
      ResponderHandshake b(c.config(c.b));
      Bytes msg1 = a.start();
      Bytes msg3 = a.on_msg2(b.on_msg1(msg1).value()).value();
      msg3[i] ^= 0x10;
      CHECK(b.on_msg3(msg3).code() == Code::bad_signature);
      CHECK_FALSE(b.outcome().ok());
    }
  }
  SUBCASE("msg1's ephemeral key, swapped by a man in the middle") {
    InitiatorHandshake a(c.config(c.a), c.b.public_key);
    ResponderHandshake b(c.config(c.b));
    Bytes msg1 = a.start();
    msg1[kEphemeralOffset + 5] ^= 0x01;
    auto msg2 = b.on_msg1(msg1);  // b cannot tell yet...
    REQUIRE(msg2.ok());
    // ...but a sees that b signed a different msg1.
    CHECK(a.on_msg2(msg2.value()).code() == Code::bad_signature);
  }
}

TEST_CASE("handshake: msg3 from another session is refused") {
  HandshakeSetup c;
  Session earlier = complete(c.config(c.a), c.b.public_key, c.config(c.b));
  // An attacker replays a's first msg1 and then its msg3 to b.
  ResponderHandshake b(c.config(c.b));
  REQUIRE(b.on_msg1(earlier.msg1).ok());
  Status replayed = b.on_msg3(earlier.msg3);
  CHECK(replayed.code() == Code::bad_signature);
  CHECK_FALSE(b.outcome().ok());
}

TEST_CASE("handshake: another protocol version is named in the error") {
  HandshakeSetup c;
  InitiatorHandshake a(c.config(c.a), c.b.public_key);
  Bytes msg1 = a.start();
  msg1[kVersionOffset] = 3;  // little-endian u16
  ResponderHandshake b(c.config(c.b));
  Status refused = b.on_msg1(msg1).status();
  CHECK(refused.code() == Code::malformed);
  CHECK(message_has(refused, "protocol version 3, this node speaks 2"));

  // A future version's hello may be longer: the version is still reported.
  Bytes longer = msg1;
  longer.resize(300, 0);
  ResponderHandshake b2(c.config(c.b));
  CHECK(message_has(b2.on_msg1(longer).status(), "protocol version 3"));

  // And the initiator reports a responder's version the same way.
  InitiatorHandshake a3(c.config(c.a), c.b.public_key);
  ResponderHandshake b3(c.config(c.b));
  Bytes msg2 = b3.on_msg1(a3.start()).value();
  msg2[kVersionOffset + 1] = 1;  // version 258
  CHECK(message_has(a3.on_msg2(msg2).status(), "protocol version 258, this node speaks 2"));
}

TEST_CASE("handshake: other protocols and wrong lengths are malformed") {
  HandshakeSetup c;
  ResponderHandshake http(c.config(c.b));
  std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  Status refused = http.on_msg1(Bytes(get.begin(), get.end())).status();
  CHECK(refused.code() == Code::malformed);
  CHECK(message_has(refused, "does not speak the cohours sync protocol"));

  InitiatorHandshake a(c.config(c.a), c.b.public_key);
  Bytes msg1 = a.start();
  for (std::size_t size : {std::size_t{0}, std::size_t{5}, std::size_t{13}, kMsg1Bytes - 1}) {
    CAPTURE(size);
    ResponderHandshake b(c.config(c.b));
    CHECK(b.on_msg1(std::span(msg1).first(size)).code() == Code::malformed);
  }
  Bytes extra = msg1;
  extra.push_back(0);
  ResponderHandshake b(c.config(c.b));
  CHECK(b.on_msg1(extra).code() == Code::malformed);

  ResponderHandshake b2(c.config(c.b));
  REQUIRE(b2.on_msg1(msg1).ok());
  CHECK(b2.on_msg3(Bytes(63, 0)).code() == Code::malformed);
}

TEST_CASE("handshake: steps out of order, or after a failure, are refused") {
  HandshakeSetup c;
  ResponderHandshake b(c.config(c.b));
  CHECK(b.on_msg3(Bytes(64, 0)).code() == Code::wrong_state);
  CHECK(b.outcome().code() == Code::wrong_state);

  InitiatorHandshake a(c.config(c.a), c.b.public_key);
  CHECK(a.on_msg2(Bytes(174, 0)).code() == Code::wrong_state);
  Bytes msg1 = a.start();
  CHECK(a.outcome().code() == Code::wrong_state);

  ResponderHandshake failed(c.config(c.b));
  CHECK_FALSE(failed.on_msg1(Bytes(3, 0)).ok());
  CHECK(failed.on_msg1(msg1).code() == Code::wrong_state);
}

namespace {

// The signed node.rotate entry by which `from` hands log `log` to `to`.
Bytes rotation_entry(const PublicKey& log, const KeyPair& from, const KeyPair& to) {
  Entry entry{kEntryFormatVersion, log, from.public_key, {}, 1'795'000'000'000, 1,
              NodeRotate{to.public_key, sign(rotation_proof_message(log, from.public_key, to.public_key), to.secret_key)}};
  return sign_entry(entry, from.secret_key).bytes;
}

// Node a, rotated to a2: it names itself a and signs with a2.
HandshakeConfig rotated_config(const HandshakeSetup& c, const KeyPair& a2, std::vector<Bytes> rotations) {
  HandshakeConfig config = c.config(a2);
  config.log = c.a.public_key;
  config.rotations = std::move(rotations);
  return config;
}

}  // namespace

TEST_CASE("handshake: a node that rotated its key proves the new key with its rotations") {
  HandshakeSetup c;
  const KeyPair a2 = generate_keypair(), a3 = generate_keypair();
  const std::vector<Bytes> chain{rotation_entry(c.a.public_key, c.a, a2), rotation_entry(c.a.public_key, a2, a3)};

  SUBCASE("as initiator and as responder; the peer is named by its log id") {
    Session dialled = complete(rotated_config(c, a3, chain), c.b.public_key, c.config(c.b));
    CHECK(dialled.responder.peer == c.a.public_key);
    CHECK(dialled.responder.signer == a3.public_key);
    CHECK(dialled.initiator.peer == c.b.public_key);
    CHECK(dialled.initiator.signer == c.b.public_key);
    Session answered = complete(c.config(c.b), c.a.public_key, rotated_config(c, a3, chain));
    CHECK(answered.initiator.peer == c.a.public_key);
    CHECK(answered.initiator.signer == a3.public_key);
  }
  SUBCASE("a peer that holds the rotations refuses the retired key") {
    HandshakeConfig b = c.config(c.b);
    b.known_signers = [&](const PublicKey& log) {
      return log == c.a.public_key ? std::vector<PublicKey>{c.a.public_key, a2.public_key}
                                   : std::vector<PublicKey>{log};
    };
    // The thief holds a's first key and shows no rotation.
    InitiatorHandshake thief(c.config(c.a), c.b.public_key);
    ResponderHandshake responder(b);
    Status refused = responder.on_msg1(thief.start()).status();
    CHECK(refused.code() == Code::not_permitted);
    CHECK(message_has(refused, "retired"));
    // The honest node, rotated once more since, is let in.
    complete(rotated_config(c, a3, chain), c.b.public_key, b);
  }
  SUBCASE("rotations that fork from the ones held: one key made two successors") {
    HandshakeConfig b = c.config(c.b);
    const KeyPair other = generate_keypair();
    b.known_signers = [&](const PublicKey&) { return std::vector<PublicKey>{c.a.public_key, other.public_key}; };
    InitiatorHandshake a(rotated_config(c, a3, chain), c.b.public_key);
    ResponderHandshake responder(b);
    Status refused = responder.on_msg1(a.start()).status();
    CHECK(refused.code() == Code::not_permitted);
    CHECK(message_has(refused, "in the wrong hands"));
  }
  SUBCASE("a new key without the rotations that lead to it") {
    InitiatorHandshake a(rotated_config(c, a3, {chain[0]}), c.b.public_key);
    ResponderHandshake b(c.config(c.b));
    Status refused = b.on_msg1(a.start()).status();
    CHECK(refused.code() == Code::not_permitted);
    CHECK(message_has(refused, "do not lead to"));
  }
  SUBCASE("a rotation not signed by the key before it, or with a forged signature") {
    const KeyPair stranger = generate_keypair();
    InitiatorHandshake skipped(rotated_config(c, a3, {rotation_entry(c.a.public_key, stranger, a3)}), c.b.public_key);
    ResponderHandshake b1(c.config(c.b));
    CHECK(b1.on_msg1(skipped.start()).code() == Code::not_permitted);
    Bytes forged = chain[0];
    forged.back() ^= 0x01;
    InitiatorHandshake bad(rotated_config(c, a2, {forged}), c.b.public_key);
    ResponderHandshake b2(c.config(c.b));
    CHECK(b2.on_msg1(bad.start()).code() == Code::bad_signature);
  }
  SUBCASE("more rotations than a hello may carry") {
    Bytes msg1 = InitiatorHandshake(c.config(c.a), c.b.public_key).start();
    msg1[kMsg1Bytes - 1] = static_cast<std::uint8_t>(kMaxRotationsInHello + 1);
    ResponderHandshake b(c.config(c.b));
    Status refused = b.on_msg1(msg1).status();
    CHECK(refused.code() == Code::malformed);
    CHECK(message_has(refused, "key rotations"));
  }
}
