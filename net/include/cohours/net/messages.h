// The sync messages (net/MESSAGES.md): what peers say to each other inside
// the secure channel, one message per frame. Strict codecs: every message has
// exactly one encoding, and decoding rejects anything else without throwing.
// The codec checks the layout only; what a message means (signatures, sizes
// that agree with each other) is the sync layer's to check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cohours/ledger.h"
#include "cohours/record.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::net {

// The latest head the sender holds of every log it has.
struct Heads {
  std::vector<SignedTreeHead> heads;
};

// Asks for the records of `log` after `from_size`, at most `max_records`.
struct GetRecords {
  PublicKey log;
  std::uint64_t from_size = 0;
  // The requester's signed head at from_size: present exactly when
  // from_size > 0, so the answer can prove it extends it.
  std::optional<SignedTreeHead> have;
  std::uint32_t max_records = 0;
};

// Records from_size+1 .. head.size of `log`, with the proof that `head`
// extends the requester's head at from_size.
struct Records {
  PublicKey log;
  std::uint64_t from_size = 0;
  SignedTreeHead head;
  std::vector<Hash32> consistency_proof;
  std::vector<Bytes> records;  // encoded records, each non-empty
};

// Two signed heads of one log that cannot both be honest (equivocation).
struct Evidence {
  SignedTreeHead first;
  SignedTreeHead second;
};

struct Cosignatures {
  std::vector<Cosignature> cosignatures;
};

enum class GoodbyeReason : std::uint8_t {
  shutdown = 1,        // the sender is stopping
  refused = 2,         // the sender will not serve this peer now (e.g. too many peers)
  protocol_error = 3,  // the peer sent something the sender could not accept
  banned = 4,          // the peer sent forged or invalid data and is banned
};
inline constexpr std::size_t kMaxGoodbyeMessageBytes = 1000;
inline constexpr std::size_t kMaxAliasBytes = 200;

// The last message before the sender closes the connection.
struct Goodbye {
  GoodbyeReason reason = GoodbyeReason::shutdown;
  std::string message;  // for the other operator's log; cut to kMaxGoodbyeMessageBytes when encoded
};

// Which key has this alias in the peer's member directory?
struct AliasQuery {
  std::uint64_t request_id = 0;
  std::string alias;  // at most kMaxAliasBytes (a precondition of encoding)
};

struct AliasAnswer {
  std::uint64_t request_id = 0;  // the query's
  bool found = false;
  PublicKey key;  // zero when not found
};

// Asks for the peer's signed head of `log` at exactly `size`.
struct GetHead {
  PublicKey log;
  std::uint64_t size = 0;
};

// What alias, if any, does this member key have in the peer's member
// directory? The reverse of AliasQuery, so a statement can name the person
// at the other end of a cross-co-op transfer. Sent only to a peer that
// answered the feature probe with kFeatureMemberAlias: a node that predates
// these kinds would take the unknown type as malformed and drop the link.
struct MemberAliasQuery {
  std::uint64_t request_id = 0;
  PublicKey member;
};

inline constexpr std::size_t kMaxMemberAliasBytes = 32;  // directory.h valid_alias

struct MemberAliasAnswer {
  std::uint64_t request_id = 0;  // the query's
  bool found = false;
  std::string alias;  // 1..kMaxMemberAliasBytes when found, empty when not
};

// The feature probe: an AliasQuery for this text, which is never an alias
// (valid aliases have no '?'). A node that predates the probe answers it
// "not found" like any unknown alias; a node that knows it answers found,
// with the kinds it knows beyond 1-9 as bits of the key's first byte (the
// other 31 bytes zero). Sent once per link, in the greeting.
inline constexpr std::string_view kFeatureProbe = "?features";
inline constexpr std::uint8_t kFeatureMemberAlias = 1;  // MemberAliasQuery and MemberAliasAnswer
inline constexpr std::uint8_t kFeaturesKnown = kFeatureMemberAlias;

// The alternatives in wire-type order: a message's type byte is its index + 1.
using Message = std::variant<Heads, GetRecords, Records, Evidence, Cosignatures, Goodbye, AliasQuery,
                             AliasAnswer, GetHead, MemberAliasQuery, MemberAliasAnswer>;

enum class MessageType : std::uint8_t {
  heads = 1,
  get_records = 2,
  records = 3,
  evidence = 4,
  cosignatures = 5,
  goodbye = 6,
  alias_query = 7,
  alias_answer = 8,
  get_head = 9,
  member_alias_query = 10,
  member_alias_answer = 11,
};

MessageType message_type(const Message& message);
// Stable lower-case name for logs, e.g. "get_records".
const char* message_type_name(MessageType type);

// Caps on the lists in a message (net/MESSAGES.md "Caps"). A list over its
// cap is refused when its count is read, before any of its items is
// decoded, so a flood costs the receiver nothing per item.
//
// A consistency proof between two trees of at most 2^64 - 1 leaves has at
// most ceil(log2(new size)) + 1 = 65 hashes (e.g. from size 2^63 - 1 to
// 2^63 + 1).
inline constexpr std::size_t kMaxProofHashes = 65;
// A batch ends at a signed head and two heads are never more than
// kMaxRecordsBetweenHeads apart (ledger.h), so no batch an honest node
// serves is longer (SyncNode asks for at most this many).
inline constexpr std::size_t kMaxBatchRecords = kMaxRecordsBetweenHeads;

// What the caps of per-log lists depend on: the consortium of the link.
struct MessageLimits {
  // Nodes in the consortium file, this node included. Heads holds at most
  // one head per log and Cosignatures at most one cosignature per witness
  // of a log, so neither needs more items than there are nodes.
  std::size_t consortium_nodes = 0;
};

// The plaintext of one frame. Oversized content and lists over their caps
// are the caller's bug, except a Goodbye message, which is cut. A Records
// message holds at most what fits in kMaxMessageBytes (frame.h); the caller
// sizes batches.
Bytes encode_message(const Message& message);
// malformed on: empty input, an unknown type, truncation, a count or length
// larger than the input can hold, a list over its cap in `limits`, two heads
// of one log in Heads or two cosignatures of one witness and log in
// Cosignatures, a bool or enum out of range, a string over its limit, a
// tree head or cosignature the engine cannot decode, an inconsistent
// optional, or bytes after the message.
Result<Message> decode_message(std::span<const std::uint8_t> bytes, const MessageLimits& limits);

}  // namespace cohours::net
