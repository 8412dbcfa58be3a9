#include "cohours/net/handshake.h"

#include <algorithm>
#include <string>
#include <utility>

#include "wire.h"

namespace cohours::net {

namespace {

// magic, version, consortium id, node key, ephemeral kx key
constexpr std::size_t kHelloBytes = kHandshakeMagic.size() + 2 + 32 + 32 + 32;
constexpr std::size_t kMsg1Bytes = kHelloBytes;
constexpr std::size_t kMsg2Bytes = kHelloBytes + Signature::size();
constexpr std::size_t kMsg3Bytes = Signature::size();
static_assert(kHelloBytes == 110);

// Distinct prefixes, so neither side's signature can be replayed as the
// other's, and neither can be mistaken for a node's other signatures.
constexpr std::string_view kResponderDomain = "cohours-handshake-v1 responder";
constexpr std::string_view kInitiatorDomain = "cohours-handshake-v1 initiator";

struct Hello {
  Hash32 consortium_id;
  PublicKey node;
  FixedBytes<32> ephemeral;
};

Bytes encode_hello(const HandshakeConfig& config, const KxKeyPair& ephemeral) {
  Bytes out;
  out.reserve(kMsg2Bytes);
  wire::Writer w(out);
  w.raw({reinterpret_cast<const std::uint8_t*>(kHandshakeMagic.data()), kHandshakeMagic.size()});
  w.u16(kProtocolVersion);
  w.fixed(config.consortium_id);
  w.fixed(config.node->public_key);
  w.fixed(ephemeral.public_key);
  return out;
}

// Magic and version come first and are checked before the length, so a node
// of another protocol version gets a message naming the versions, whatever
// its handshake looks like.
Result<Hello> decode_hello(std::span<const std::uint8_t> message, std::size_t expected_size) {
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
  if (message.size() != expected_size)
    return Status(Code::malformed, "peer's handshake message is " + std::to_string(message.size()) +
                                       " bytes, expected " + std::to_string(expected_size));
  Hello hello;
  hello.consortium_id = r.fixed<Hash32>("consortium id");
  hello.node = r.fixed<PublicKey>("node key");
  hello.ephemeral = r.fixed<FixedBytes<32>>("ephemeral key");
  return hello;
}

// The checks both sides make on the other's identity claims.
Status check_peer(const Hello& hello, const HandshakeConfig& config) {
  if (hello.consortium_id != config.consortium_id)
    return {Code::not_permitted,
            "peer " + to_hex(hello.node) +
                " belongs to another consortium: the consortium files differ (theirs has id " +
                to_hex(hello.consortium_id) + ", ours " + to_hex(config.consortium_id) + ")"};
  if (hello.node == config.node->public_key)
    return {
        Code::not_permitted,
        "peer presents this node's own key: the node reached itself, or another node uses a copy of its key"};
  if (!config.allowed || !config.allowed(hello.node))
    return {Code::not_permitted, "node " + to_hex(hello.node) + " is not in the consortium file"};
  return Status::success();
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
  auto hello = decode_hello(msg2, kMsg2Bytes);
  if (!hello.ok()) return hello.status();
  // The expected-node check comes first: it is the clearest message when an
  // address book points at the wrong machine.
  if (hello->node != expected_ && hello->node != config_.node->public_key)
    return Status(Code::not_permitted, "dialled node " + to_hex(expected_) + " but node " +
                                           to_hex(hello->node) + " answered; check the peer's address");
  if (Status peer = check_peer(*hello, config_); !peer.ok()) return peer;

  auto body = msg2.first(kHelloBytes);
  Signature signature = signature_from(msg2.subspan(kHelloBytes));
  if (!verify(signature, transcript_digest(kResponderDomain, msg1_, body).bytes, hello->node))
    return Status(Code::bad_signature,
                  "node " + to_hex(hello->node) +
                      " did not prove it holds its key (handshake signature does not verify)");

  KxSessionKeys keys;
  if (!kx_client_session_keys(ephemeral_, hello->ephemeral, &keys))
    return Status(Code::malformed, "node " + to_hex(hello->node) + " sent an unusable ephemeral key");
  // Forward secrecy: once the session keys exist, the ephemeral secret goes.
  secure_wipe(ephemeral_.secret_key.bytes);

  Signature ours = sign(transcript_digest(kInitiatorDomain, msg1_, msg2).bytes, config_.node->secret_key);
  outcome_ = {hello->node, keys};
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
  auto hello = decode_hello(msg1, kMsg1Bytes);
  if (!hello.ok()) return hello.status();
  // Refuse strangers before signing anything for them.
  if (Status peer = check_peer(*hello, config_); !peer.ok()) return peer;

  KxSessionKeys keys;
  if (!kx_server_session_keys(ephemeral_, hello->ephemeral, &keys))
    return Status(Code::malformed, "node " + to_hex(hello->node) + " sent an unusable ephemeral key");
  secure_wipe(ephemeral_.secret_key.bytes);
  // Held back until msg3 proves the initiator holds its node key.
  outcome_ = {hello->node, keys};
  secure_wipe(keys.rx.bytes);
  secure_wipe(keys.tx.bytes);

  Bytes msg2 = encode_hello(config_, ephemeral_);
  Signature signature = sign(transcript_digest(kResponderDomain, msg1, msg2).bytes, config_.node->secret_key);
  msg2.insert(msg2.end(), signature.bytes.begin(), signature.bytes.end());
  transcript_.assign(msg1.begin(), msg1.end());
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
  auto msg1 = std::span<const std::uint8_t>(transcript_).first(kMsg1Bytes);
  auto msg2 = std::span<const std::uint8_t>(transcript_).subspan(kMsg1Bytes);
  if (!verify(signature_from(msg3), transcript_digest(kInitiatorDomain, msg1, msg2).bytes, outcome_.peer))
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
