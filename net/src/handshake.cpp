#include "cohours/net/handshake.h"

#include <algorithm>
#include <string>
#include <utility>

#include "cohours/entry.h"
#include "wire.h"

namespace cohours::net {

namespace {

// magic, version, consortium id, node (log id), signing key, ephemeral kx
// key, rotation count; then each rotation entry (u16 length, bytes).
constexpr std::size_t kFixedHelloBytes = kHandshakeMagic.size() + 2 + 32 + 32 + 32 + 32 + 1;
constexpr std::size_t kMsg3Bytes = Signature::size();
static_assert(kFixedHelloBytes == 143);

// Distinct prefixes, so neither side's signature can be replayed as the
// other's, and neither can be mistaken for a node's other signatures.
constexpr std::string_view kResponderDomain = "cohours-handshake-v1 responder";
constexpr std::string_view kInitiatorDomain = "cohours-handshake-v1 initiator";

struct Hello {
  Hash32 consortium_id;
  PublicKey node;    // the log id
  PublicKey signer;  // the key that signs for it now
  FixedBytes<32> ephemeral;
  std::vector<Bytes> rotations;
  std::size_t bytes = 0;  // the hello's length, before any signature
};

const PublicKey& own_log(const HandshakeConfig& config) {
  return config.log.is_zero() ? config.node->public_key : config.log;
}

Bytes encode_hello(const HandshakeConfig& config, const KxKeyPair& ephemeral) {
  Bytes out;
  wire::Writer w(out);
  w.raw({reinterpret_cast<const std::uint8_t*>(kHandshakeMagic.data()), kHandshakeMagic.size()});
  w.u16(kProtocolVersion);
  w.fixed(config.consortium_id);
  w.fixed(own_log(config));
  w.fixed(config.node->public_key);
  w.fixed(ephemeral.public_key);
  w.u8(static_cast<std::uint8_t>(config.rotations.size()));
  for (const Bytes& rotation : config.rotations) {
    w.u16(static_cast<std::uint16_t>(rotation.size()));
    w.raw(rotation);
  }
  return out;
}

// Magic and version come first and are checked before the length, so a node
// of another protocol version gets a message naming the versions, whatever
// its handshake looks like.
Result<Hello> decode_hello(std::span<const std::uint8_t> message, std::size_t signature_bytes) {
  wire::Reader r(message);
  auto magic = r.raw(kHandshakeMagic.size(), "magic");
  if (!r.ok() || !std::equal(magic.begin(), magic.end(), kHandshakeMagic.begin()))
    return Status(Code::malformed, "peer does not speak the cohours sync protocol");
  std::uint16_t version = r.u16("version");
  if (!r.ok()) return Status(Code::malformed, "peer's handshake is truncated");
  if (version != kProtocolVersion)
    return Status(Code::malformed, "peer speaks protocol version " + std::to_string(version) +
                                       ", this node speaks " + std::to_string(kProtocolVersion) +
                                       "; upgrade the older node");
  Hello hello;
  hello.consortium_id = r.fixed<Hash32>("consortium id");
  hello.node = r.fixed<PublicKey>("node key");
  hello.signer = r.fixed<PublicKey>("signing key");
  hello.ephemeral = r.fixed<FixedBytes<32>>("ephemeral key");
  const std::uint8_t rotations = r.u8("rotation count");
  if (r.ok() && rotations > kMaxRotationsInHello)
    return Status(Code::malformed, "peer's handshake lists " + std::to_string(rotations) +
                                       " key rotations, more than the " + std::to_string(kMaxRotationsInHello) +
                                       " allowed");
  for (std::uint8_t i = 0; i < rotations && r.ok(); ++i) {
    const std::uint16_t size = r.u16("rotation length");
    if (size > kMaxEntryBytes) r.fail("a key rotation is longer than an entry may be");
    auto bytes = r.raw(size, "key rotation");
    hello.rotations.emplace_back(bytes.begin(), bytes.end());
  }
  if (!r.ok()) return Status(Code::malformed, "peer's handshake message is malformed: " + r.error());
  if (r.remaining() != signature_bytes)
    return Status(Code::malformed, "peer's handshake message is " + std::to_string(message.size()) +
                                       " bytes, expected " +
                                       std::to_string(message.size() - r.remaining() + signature_bytes));
  hello.bytes = message.size() - signature_bytes;
  return hello;
}

// The peer's key rotations must lead, each signed by the key before, from
// its log id to the key it signs with, and must not stop short of the
// rotations of its log this node already holds: a key a rotation retired
// (a stolen one, say) is refused by every node that has seen the rotation.
Status check_rotations(const Hello& hello, const HandshakeConfig& config) {
  auto followed = follow_rotations(hello.node, hello.rotations);
  if (!followed.ok()) return {followed.code(), "node " + to_hex(hello.node) + "'s " + followed.status().message()};
  const std::vector<PublicKey>& chain = followed.value();
  if (chain.back() != hello.signer)
    return {Code::not_permitted, "node " + to_hex(hello.node) + " signs with key " + to_hex(hello.signer) +
                                     ", which its key rotations do not lead to"};
  if (config.known_signers) {
    const ChainFit fit = chain_fit(config.known_signers(hello.node), chain);
    if (fit == ChainFit::forked)
      return {Code::not_permitted,
              "node " + to_hex(hello.node) + " shows key rotations that differ from the ones this node holds for "
                  "its log: two keys were each made its successor, so one of them is in the wrong hands (a stolen "
                  "node key); its operator must be told"};
    if (fit == ChainFit::retired)
      return {Code::not_permitted,
              "node " + to_hex(hello.node) + " presents key " + to_hex(hello.signer) +
                  ", but this node holds a key rotation of its log that retired it; the node must use its current "
                  "key (a retired key may be stolen)"};
  }
  return Status::success();
}

// The checks both sides make on the other's identity claims.
Status check_peer(const Hello& hello, const HandshakeConfig& config) {
  if (hello.consortium_id != config.consortium_id)
    return {Code::not_permitted,
            "peer " + to_hex(hello.node) +
                " belongs to another consortium: the consortium files differ (theirs has id " +
                to_hex(hello.consortium_id) + ", ours " + to_hex(config.consortium_id) + ")"};
  if (hello.node == own_log(config) || hello.signer == config.node->public_key)
    return {
        Code::not_permitted,
        "peer presents this node's own key: the node reached itself, or another node uses a copy of its key"};
  if (!config.allowed || !config.allowed(hello.node))
    return {Code::not_permitted, "node " + to_hex(hello.node) + " is not in the consortium file"};
  return check_rotations(hello, config);
}

Hash32 transcript_digest(std::string_view domain, std::span<const std::uint8_t> first,
                         std::span<const std::uint8_t> second) {
  Blake2bStream hash;
  hash.update(domain);
  hash.update(first);
  hash.update(second);
  return hash.finish();
}

Bytes signature_bytes(const Signature& signature) {
  return Bytes(signature.bytes.begin(), signature.bytes.end());
}

Signature signature_from(std::span<const std::uint8_t> bytes) {
  Signature signature;
  std::copy(bytes.begin(), bytes.end(), signature.bytes.begin());
  return signature;
}

Status out_of_order() {
  return {Code::wrong_state, "handshake step out of order, or the handshake already failed"};
}

}  // namespace

InitiatorHandshake::InitiatorHandshake(HandshakeConfig config, const PublicKey& expected_responder)
    : config_(std::move(config)), expected_(expected_responder), ephemeral_(generate_kx_keypair()) {}

InitiatorHandshake::~InitiatorHandshake() {
  secure_wipe(ephemeral_.secret_key.bytes);
  secure_wipe(outcome_.keys.rx.bytes);
  secure_wipe(outcome_.keys.tx.bytes);
}

Bytes InitiatorHandshake::start() {
  if (step_ != Step::start) return {};
  step_ = Step::await_msg2;
  msg1_ = encode_hello(config_, ephemeral_);
  return msg1_;
}

Result<Bytes> InitiatorHandshake::on_msg2(std::span<const std::uint8_t> msg2) {
  if (step_ != Step::await_msg2) return out_of_order();
  step_ = Step::failed;  // until every check below passed
  auto hello = decode_hello(msg2, Signature::size());
  if (!hello.ok()) return hello.status();
  // The expected-node check comes first: it is the clearest message when an
  // address book points at the wrong machine.
  if (hello->node != expected_ && hello->node != own_log(config_))
    return Status(Code::not_permitted, "dialled node " + to_hex(expected_) + " but node " +
                                           to_hex(hello->node) + " answered; check the peer's address");
  if (Status peer = check_peer(*hello, config_); !peer.ok()) return peer;

  auto body = msg2.first(hello->bytes);
  Signature signature = signature_from(msg2.subspan(hello->bytes));
  if (!verify(signature, transcript_digest(kResponderDomain, msg1_, body).bytes, hello->signer))
    return Status(Code::bad_signature,
                  "node " + to_hex(hello->node) +
                      " did not prove it holds its key (handshake signature does not verify)");

  KxSessionKeys keys;
  if (!kx_client_session_keys(ephemeral_, hello->ephemeral, &keys))
    return Status(Code::malformed, "node " + to_hex(hello->node) + " sent an unusable ephemeral key");
  // Forward secrecy: once the session keys exist, the ephemeral secret goes.
  secure_wipe(ephemeral_.secret_key.bytes);

  Signature ours = sign(transcript_digest(kInitiatorDomain, msg1_, msg2).bytes, config_.node->secret_key);
  outcome_ = {hello->node, hello->signer, keys};
  secure_wipe(keys.rx.bytes);
  secure_wipe(keys.tx.bytes);
  step_ = Step::done;
  return signature_bytes(ours);
}

Result<HandshakeOutcome> InitiatorHandshake::outcome() const {
  if (step_ != Step::done) return Status(Code::wrong_state, "the handshake has not completed");
  return outcome_;
}

ResponderHandshake::ResponderHandshake(HandshakeConfig config)
    : config_(std::move(config)), ephemeral_(generate_kx_keypair()) {}

ResponderHandshake::~ResponderHandshake() {
  secure_wipe(ephemeral_.secret_key.bytes);
  secure_wipe(outcome_.keys.rx.bytes);
  secure_wipe(outcome_.keys.tx.bytes);
}

Result<Bytes> ResponderHandshake::on_msg1(std::span<const std::uint8_t> msg1) {
  if (step_ != Step::await_msg1) return out_of_order();
  step_ = Step::failed;
  auto hello = decode_hello(msg1, 0);
  if (!hello.ok()) return hello.status();
  // Refuse strangers before signing anything for them.
  if (Status peer = check_peer(*hello, config_); !peer.ok()) return peer;

  KxSessionKeys keys;
  if (!kx_server_session_keys(ephemeral_, hello->ephemeral, &keys))
    return Status(Code::malformed, "node " + to_hex(hello->node) + " sent an unusable ephemeral key");
  secure_wipe(ephemeral_.secret_key.bytes);
  // Held back until msg3 proves the initiator holds its node key.
  outcome_ = {hello->node, hello->signer, keys};
  secure_wipe(keys.rx.bytes);
  secure_wipe(keys.tx.bytes);

  Bytes msg2 = encode_hello(config_, ephemeral_);
  Signature signature = sign(transcript_digest(kResponderDomain, msg1, msg2).bytes, config_.node->secret_key);
  msg2.insert(msg2.end(), signature.bytes.begin(), signature.bytes.end());
  transcript_.assign(msg1.begin(), msg1.end());
  msg1_bytes_ = msg1.size();
  transcript_.insert(transcript_.end(), msg2.begin(), msg2.end());
  step_ = Step::await_msg3;
  return msg2;
}

Status ResponderHandshake::on_msg3(std::span<const std::uint8_t> msg3) {
  if (step_ != Step::await_msg3) return out_of_order();
  step_ = Step::failed;
  if (msg3.size() != kMsg3Bytes)
    return {Code::malformed, "peer's handshake message is " + std::to_string(msg3.size()) +
                                 " bytes, expected " + std::to_string(kMsg3Bytes)};
  auto msg1 = std::span<const std::uint8_t>(transcript_).first(msg1_bytes_);
  auto msg2 = std::span<const std::uint8_t>(transcript_).subspan(msg1_bytes_);
  if (!verify(signature_from(msg3), transcript_digest(kInitiatorDomain, msg1, msg2).bytes, outcome_.signer))
    return {Code::bad_signature, "node " + to_hex(outcome_.peer) +
                                     " did not prove it holds its key (handshake signature does not verify)"};
  step_ = Step::done;
  return Status::success();
}

Result<HandshakeOutcome> ResponderHandshake::outcome() const {
  if (step_ != Step::done) return Status(Code::wrong_state, "the handshake has not completed");
  return outcome_;
}

}  // namespace cohours::net
