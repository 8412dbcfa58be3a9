#include "cohours/net/messages.h"

#include <algorithm>
#include <cassert>
#include <string>
#include <type_traits>
#include <utility>

#include "wire.h"

namespace cohours::net {

static_assert(std::is_same_v<std::variant_alternative_t<0, Message>, Heads>);
static_assert(std::is_same_v<std::variant_alternative_t<8, Message>, GetHead>);
static_assert(std::is_same_v<std::variant_alternative_t<10, Message>, MemberAliasAnswer>);
static_assert(std::variant_size_v<Message> == 11);

namespace {

// Smallest wire size of a length-prefixed element: the engine's decoders
// need more than a signature (64 bytes) for a head, more than key and
// signature (96) for a cosignature; a record is never empty. Counts are
// checked against these before anything is reserved.
constexpr std::size_t kMinHeadWire = 4 + 65;
constexpr std::size_t kMinCosignatureWire = 4 + 97;
constexpr std::size_t kMinRecordWire = 4 + 1;

// ---- encoding ----

void write_head(wire::Writer& w, const SignedTreeHead& head) {
  w.blob32(encode_signed_tree_head(head));
}

void write_body(wire::Writer& w, const Heads& m) {
  w.u32(static_cast<std::uint32_t>(m.heads.size()));
  for (const auto& head : m.heads) write_head(w, head);
}

void write_body(wire::Writer& w, const GetRecords& m) {
  w.fixed(m.log);
  w.u64(m.from_size);
  w.u8(m.have ? 1 : 0);
  if (m.have) write_head(w, *m.have);
  w.u32(m.max_records);
}

void write_body(wire::Writer& w, const Records& m) {
  w.fixed(m.log);
  w.u64(m.from_size);
  write_head(w, m.head);
  w.u32(static_cast<std::uint32_t>(m.consistency_proof.size()));
  for (const auto& hash : m.consistency_proof) w.fixed(hash);
  w.u32(static_cast<std::uint32_t>(m.records.size()));
  for (const auto& record : m.records) w.blob32(record);
}

void write_body(wire::Writer& w, const Evidence& m) {
  write_head(w, m.first);
  write_head(w, m.second);
}

void write_body(wire::Writer& w, const Cosignatures& m) {
  w.u32(static_cast<std::uint32_t>(m.cosignatures.size()));
  for (const auto& cosignature : m.cosignatures) w.blob32(encode_cosignature(cosignature));
}

void write_body(wire::Writer& w, const Goodbye& m) {
  w.u8(static_cast<std::uint8_t>(m.reason));
  // Cutting may split a UTF-8 sequence; the text is only ever logged.
  w.string16(std::string_view(m.message).substr(0, kMaxGoodbyeMessageBytes));
}

void write_body(wire::Writer& w, const AliasQuery& m) {
  assert(m.alias.size() <= kMaxAliasBytes);
  w.u64(m.request_id);
  w.string16(m.alias);
}

void write_body(wire::Writer& w, const AliasAnswer& m) {
  w.u64(m.request_id);
  w.u8(m.found ? 1 : 0);
  // One encoding per answer: no stray key bytes in a "not found".
  w.fixed(m.found ? m.key : PublicKey{});
}

void write_body(wire::Writer& w, const GetHead& m) {
  w.fixed(m.log);
  w.u64(m.size);
}

void write_body(wire::Writer& w, const MemberAliasQuery& m) {
  w.u64(m.request_id);
  w.fixed(m.member);
}

void write_body(wire::Writer& w, const MemberAliasAnswer& m) {
  assert(m.alias.size() <= kMaxMemberAliasBytes);
  w.u64(m.request_id);
  w.u8(m.found ? 1 : 0);
  // One encoding per answer: no stray alias in a "not found".
  w.string16(m.found ? std::string_view(m.alias) : std::string_view());
}

// ---- decoding ----

SignedTreeHead read_head(wire::Reader& r, std::string_view field) {
  auto bytes = r.blob32(field);
  if (!r.ok()) return {};
  auto head = decode_signed_tree_head(bytes);
  if (!head.ok()) {
    r.fail(std::string(field) + ": " + head.status().message());
    return {};
  }
  return std::move(head).value();
}

bool read_bool(wire::Reader& r, std::string_view field) {
  std::uint8_t value = r.u8(field);
  if (value > 1) r.fail(std::string(field) + " is " + std::to_string(value) + ", not 0 or 1");
  return value == 1;
}

// One head per log: a second one of the same log is no news and only costs
// the receiver a signature check (one message with 55,000 copies of one
// head once cost 12 s of CPU).
void read_body(wire::Reader& r, Heads& m, const MessageLimits& limits) {
  std::uint32_t count = r.count(kMinHeadWire, limits.consortium_nodes, "heads");
  m.heads.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) m.heads.push_back(read_head(r, "head"));
  if (!r.ok()) return;
  std::vector<PublicKey> logs;
  logs.reserve(m.heads.size());
  for (const auto& head : m.heads) logs.push_back(head.head.log);
  std::sort(logs.begin(), logs.end());
  if (std::adjacent_find(logs.begin(), logs.end()) != logs.end()) r.fail("two heads of one log");
}

void read_body(wire::Reader& r, GetRecords& m, const MessageLimits&) {
  m.log = r.fixed<PublicKey>("log");
  m.from_size = r.u64("from_size");
  bool has_head = read_bool(r, "have flag");
  if (has_head) m.have = read_head(r, "have");
  if (r.ok() && has_head != (m.from_size > 0))
    r.fail(has_head ? "a signed head at size 0"
                    : "no signed head for from_size " + std::to_string(m.from_size));
  m.max_records = r.u32("max_records");
}

void read_body(wire::Reader& r, Records& m, const MessageLimits&) {
  m.log = r.fixed<PublicKey>("log");
  m.from_size = r.u64("from_size");
  m.head = read_head(r, "head");
  std::uint32_t proof = r.count(Hash32::size(), kMaxProofHashes, "consistency proof");
  m.consistency_proof.reserve(proof);
  for (std::uint32_t i = 0; i < proof && r.ok(); ++i)
    m.consistency_proof.push_back(r.fixed<Hash32>("proof hash"));
  std::uint32_t count = r.count(kMinRecordWire, kMaxBatchRecords, "records");
  m.records.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    auto record = r.blob32("record");
    if (r.ok() && record.empty()) r.fail("an empty record");
    m.records.emplace_back(record.begin(), record.end());
  }
}

void read_body(wire::Reader& r, Evidence& m, const MessageLimits&) {
  m.first = read_head(r, "first head");
  m.second = read_head(r, "second head");
}

// Only the newest cosignature of a witness for a log is kept, so a message
// needs at most one per (log, witness); senders send one message per log.
void read_body(wire::Reader& r, Cosignatures& m, const MessageLimits& limits) {
  std::uint32_t count = r.count(kMinCosignatureWire, limits.consortium_nodes, "cosignatures");
  m.cosignatures.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    auto bytes = r.blob32("cosignature");
    if (!r.ok()) break;
    auto cosignature = decode_cosignature(bytes);
    if (!cosignature.ok()) {
      r.fail("cosignature: " + cosignature.status().message());
      break;
    }
    m.cosignatures.push_back(std::move(cosignature).value());
  }
  if (!r.ok()) return;
  std::vector<std::pair<PublicKey, PublicKey>> pairs;
  pairs.reserve(m.cosignatures.size());
  for (const auto& cosignature : m.cosignatures) pairs.push_back({cosignature.head.log, cosignature.witness});
  std::sort(pairs.begin(), pairs.end());
  if (std::adjacent_find(pairs.begin(), pairs.end()) != pairs.end())
    r.fail("two cosignatures of one witness for one log");
}

void read_body(wire::Reader& r, Goodbye& m, const MessageLimits&) {
  std::uint8_t reason = r.u8("reason");
  if (r.ok() && (reason < 1 || reason > 4)) r.fail("unknown goodbye reason " + std::to_string(reason));
  m.reason = static_cast<GoodbyeReason>(reason);
  m.message = r.string16(kMaxGoodbyeMessageBytes, "goodbye message");
}

void read_body(wire::Reader& r, AliasQuery& m, const MessageLimits&) {
  m.request_id = r.u64("request_id");
  m.alias = r.string16(kMaxAliasBytes, "alias");
}

void read_body(wire::Reader& r, AliasAnswer& m, const MessageLimits&) {
  m.request_id = r.u64("request_id");
  m.found = read_bool(r, "found");
  m.key = r.fixed<PublicKey>("key");
  if (r.ok() && !m.found && !m.key.is_zero()) r.fail("a key in a \"not found\" answer");
}

void read_body(wire::Reader& r, GetHead& m, const MessageLimits&) {
  m.log = r.fixed<PublicKey>("log");
  m.size = r.u64("size");
}

void read_body(wire::Reader& r, MemberAliasQuery& m, const MessageLimits&) {
  m.request_id = r.u64("request_id");
  m.member = r.fixed<PublicKey>("member");
}

void read_body(wire::Reader& r, MemberAliasAnswer& m, const MessageLimits&) {
  m.request_id = r.u64("request_id");
  m.found = read_bool(r, "found");
  m.alias = r.string16(kMaxMemberAliasBytes, "alias");
  if (r.ok() && m.found && m.alias.empty()) r.fail("an empty alias in a \"found\" answer");
  if (r.ok() && !m.found && !m.alias.empty()) r.fail("an alias in a \"not found\" answer");
}

template <typename T>
Result<Message> decode_as(wire::Reader& r, MessageType type, const MessageLimits& limits) {
  T message;
  read_body(r, message, limits);
  if (r.ok() && r.remaining() > 0)
    r.fail(std::to_string(r.remaining()) + " bytes after the end of the message");
  if (!r.ok())
    return Status(Code::malformed, std::string("malformed ") + message_type_name(type) + ": " + r.error());
  return Message(std::move(message));
}

}  // namespace

MessageType message_type(const Message& message) {
  return static_cast<MessageType>(message.index() + 1);
}

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::heads:
      return "heads";
    case MessageType::get_records:
      return "get_records";
    case MessageType::records:
      return "records";
    case MessageType::evidence:
      return "evidence";
    case MessageType::cosignatures:
      return "cosignatures";
    case MessageType::goodbye:
      return "goodbye";
    case MessageType::alias_query:
      return "alias_query";
    case MessageType::alias_answer:
      return "alias_answer";
    case MessageType::get_head:
      return "get_head";
    case MessageType::member_alias_query:
      return "member_alias_query";
    case MessageType::member_alias_answer:
      return "member_alias_answer";
  }
  return "unknown";
}

Bytes encode_message(const Message& message) {
  Bytes out;
  wire::Writer w(out);
  w.u8(static_cast<std::uint8_t>(message_type(message)));
  std::visit([&](const auto& body) { write_body(w, body); }, message);
  return out;
}

Result<Message> decode_message(std::span<const std::uint8_t> bytes, const MessageLimits& limits) {
  wire::Reader r(bytes);
  std::uint8_t type = r.u8("type");
  if (!r.ok()) return Status(Code::malformed, "empty message");
  switch (static_cast<MessageType>(type)) {
    case MessageType::heads:
      return decode_as<Heads>(r, MessageType::heads, limits);
    case MessageType::get_records:
      return decode_as<GetRecords>(r, MessageType::get_records, limits);
    case MessageType::records:
      return decode_as<Records>(r, MessageType::records, limits);
    case MessageType::evidence:
      return decode_as<Evidence>(r, MessageType::evidence, limits);
    case MessageType::cosignatures:
      return decode_as<Cosignatures>(r, MessageType::cosignatures, limits);
    case MessageType::goodbye:
      return decode_as<Goodbye>(r, MessageType::goodbye, limits);
    case MessageType::alias_query:
      return decode_as<AliasQuery>(r, MessageType::alias_query, limits);
    case MessageType::alias_answer:
      return decode_as<AliasAnswer>(r, MessageType::alias_answer, limits);
    case MessageType::get_head:
      return decode_as<GetHead>(r, MessageType::get_head, limits);
    case MessageType::member_alias_query:
      return decode_as<MemberAliasQuery>(r, MessageType::member_alias_query, limits);
    case MessageType::member_alias_answer:
      return decode_as<MemberAliasAnswer>(r, MessageType::member_alias_answer, limits);
  }
  return Status(Code::malformed, "unknown message type " + std::to_string(type) +
                                     "; the peer may run a newer version of cohours");
}

}  // namespace cohours::net
