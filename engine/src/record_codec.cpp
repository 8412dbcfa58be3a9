#include "codec.h"
#include "cohours/crypto.h"
#include "cohours/entry.h"
#include "cohours/record.h"

namespace cohours {

namespace {

constexpr std::uint16_t kHeadFormatVersion = 1;
constexpr std::string_view kHeadDomain = "cohours-tree-head-v1";

template <typename C>
void layout(C& c, Record& r) {
  c.num(r.seq);
  c.fixed(r.prev_hash);
  c.num(r.received_ms);
  c.blob(r.entry, kMaxEntryBytes);
}

template <typename C>
void layout(C& c, TreeHead& h) {
  std::uint16_t version = kHeadFormatVersion;
  c.num(version);
  if (version != kHeadFormatVersion) throw codec::DecodeError{"unsupported tree head version"};
  c.fixed(h.log);
  c.num(h.size);
  c.fixed(h.root);
  c.num(h.time_ms);
}

template <typename T>
Bytes encode(const T& value) {
  Bytes out;
  {
    codec::Encoder encoder(out);
    layout(encoder, const_cast<T&>(value));
  }
  return out;
}

template <typename T>
Result<T> decode(std::span<const std::uint8_t> bytes, std::size_t* consumed, const char* what) {
  T value;
  try {
    codec::Decoder decoder(bytes.data(), bytes.size());
    layout(decoder, value);
    *consumed = bytes.size() - decoder.remaining();
  } catch (const codec::DecodeError& e) {
    return Status(Code::malformed, std::string("malformed ") + what + ": " + e.what);
  } catch (const std::exception& e) {
    return Status(Code::malformed, std::string("malformed ") + what + ": truncated or corrupt");
  }
  return value;
}

}  // namespace

Bytes encode_record(const Record& record) {
  return encode(record);
}

Result<Record> decode_record(std::span<const std::uint8_t> bytes) {
  std::size_t consumed = 0;
  auto record = decode<Record>(bytes, &consumed, "record");
  if (record.ok() && consumed != bytes.size())
    return Status(Code::malformed, "malformed record: trailing bytes");
  return record;
}

Hash32 record_hash(std::span<const std::uint8_t> record_bytes) {
  return blake2b_256(record_bytes);
}

Bytes encode_tree_head(const TreeHead& head) {
  return encode(head);
}

static Bytes head_message(const TreeHead& head) {
  Bytes message(kHeadDomain.begin(), kHeadDomain.end());
  Bytes body = encode_tree_head(head);
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

SignedTreeHead sign_tree_head(const TreeHead& head, const SecretKey& node_secret) {
  return {head, sign(head_message(head), node_secret)};
}

bool verify_tree_head(const SignedTreeHead& head, const PublicKey& signer) {
  return verify(head.signature, head_message(head.head), signer);
}

std::vector<NodeSigner> node_signers(const PublicKey& log, std::span<const NodeSigner> rotations) {
  std::vector<NodeSigner> signers{{log, 0, 0}};
  signers.insert(signers.end(), rotations.begin(), rotations.end());
  return signers;
}

const PublicKey& head_signer(std::span<const NodeSigner> signers, std::uint64_t size) {
  const NodeSigner* current = &signers.front();
  for (const NodeSigner& signer : signers)
    if (size > signer.after_size) current = &signer;
  return current->key;
}

bool signed_for_node(std::span<const NodeSigner> signers, const PublicKey& key) {
  for (const NodeSigner& signer : signers)
    if (signer.key == key) return true;
  return false;
}

Bytes encode_signed_tree_head(const SignedTreeHead& head) {
  Bytes out = encode_tree_head(head.head);
  out.insert(out.end(), head.signature.bytes.begin(), head.signature.bytes.end());
  return out;
}

Result<SignedTreeHead> decode_signed_tree_head(std::span<const std::uint8_t> bytes) {
  if (bytes.size() <= Signature::size()) return Status(Code::malformed, "tree head too short");
  std::size_t consumed = 0;
  auto head = decode<TreeHead>(bytes.first(bytes.size() - Signature::size()), &consumed, "tree head");
  if (!head.ok()) return head.status();
  if (consumed != bytes.size() - Signature::size())
    return Status(Code::malformed, "malformed tree head: trailing bytes");
  SignedTreeHead out{head.value(), {}};
  std::copy(bytes.end() - Signature::size(), bytes.end(), out.signature.bytes.begin());
  return out;
}

static constexpr std::string_view kWitnessDomain = "cohours-witness-v1";

static Bytes witness_message(const TreeHead& head) {
  Bytes message(kWitnessDomain.begin(), kWitnessDomain.end());
  Bytes body = encode_tree_head(head);
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

Cosignature cosign_tree_head(const TreeHead& head, const PublicKey& witness, const SecretKey& witness_secret) {
  return {head, witness, sign(witness_message(head), witness_secret)};
}

bool verify_cosignature(const Cosignature& cosignature, const PublicKey& signer) {
  return verify(cosignature.signature, witness_message(cosignature.head), signer);
}

Bytes encode_cosignature(const Cosignature& cosignature) {
  Bytes out = encode_tree_head(cosignature.head);
  out.insert(out.end(), cosignature.witness.bytes.begin(), cosignature.witness.bytes.end());
  out.insert(out.end(), cosignature.signature.bytes.begin(), cosignature.signature.bytes.end());
  return out;
}

Result<Cosignature> decode_cosignature(std::span<const std::uint8_t> bytes) {
  constexpr std::size_t kTail = PublicKey::size() + Signature::size();
  if (bytes.size() <= kTail) return Status(Code::malformed, "cosignature too short");
  std::size_t consumed = 0;
  auto head = decode<TreeHead>(bytes.first(bytes.size() - kTail), &consumed, "cosigned tree head");
  if (!head.ok()) return head.status();
  if (consumed != bytes.size() - kTail) return Status(Code::malformed, "malformed cosignature: trailing bytes");
  Cosignature out{head.value(), {}, {}};
  auto tail = bytes.last(kTail);
  std::copy(tail.begin(), tail.begin() + PublicKey::size(), out.witness.bytes.begin());
  std::copy(tail.begin() + PublicKey::size(), tail.end(), out.signature.bytes.begin());
  return out;
}

}  // namespace cohours
