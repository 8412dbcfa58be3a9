// Log records and signed tree heads (docs/data-format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours {

// One accepted entry in a node's log. Record bytes are also the Merkle leaf.
struct Record {
  std::uint64_t seq = 0;         // 1-based position in the log
  Hash32 prev_hash;              // record_hash of seq-1, zero for seq 1
  std::int64_t received_ms = 0;  // node's clock when accepted
  Bytes entry;                   // the signed entry bytes, verbatim
};

Bytes encode_record(const Record& record);
Result<Record> decode_record(std::span<const std::uint8_t> bytes);
// BLAKE2b-256 of the record bytes: the hash chain link.
Hash32 record_hash(std::span<const std::uint8_t> record_bytes);

// A node's signed statement of its log's Merkle root at a size.
struct TreeHead {
  PublicKey log;  // the node key of the log's owner
  std::uint64_t size = 0;
  Hash32 root;
  std::int64_t time_ms = 0;
};
struct SignedTreeHead {
  TreeHead head;
  Signature signature;
};

// The signed message is "cohours-tree-head-v1" followed by these bytes, so
// a head signature can never be mistaken for an entry signature.
Bytes encode_tree_head(const TreeHead& head);
SignedTreeHead sign_tree_head(const TreeHead& head, const SecretKey& node_secret);
// Verifies with `signer`, the key that signs the log's heads of that size
// (head_signer): the log id itself unless the node rotated its key.
bool verify_tree_head(const SignedTreeHead& head, const PublicKey& signer);
Bytes encode_signed_tree_head(const SignedTreeHead& head);
Result<SignedTreeHead> decode_signed_tree_head(std::span<const std::uint8_t> bytes);

// A key that signs a log's heads: the log id from the start, then each key
// a node.rotate record named (entry.h). It signs the heads of sizes larger
// than `after_size` (0 for the first), until the next one takes over.
struct NodeSigner {
  PublicKey key;
  std::uint64_t after_size = 0;  // the node.rotate record's position; 0 for the log id
  std::int64_t since_ms = 0;     // that record's receive time; 0 for the log id
};
// Every key that signed for `log`, oldest first, from the rotations after
// the log id (`rotations` may be empty).
std::vector<NodeSigner> node_signers(const PublicKey& log, std::span<const NodeSigner> rotations);
// The key that signs a head of `size`. `signers` is never empty.
const PublicKey& head_signer(std::span<const NodeSigner> signers, std::uint64_t size);
// Whether `key` is or was one of `signers`.
bool signed_for_node(std::span<const NodeSigner> signers, const PublicKey& key);

// A witness's co-signature on another node's tree head: "I, node `witness`
// (its log id; signed by its current key),
// verified log `head.log` up to `head.size` with root `head.root`, consistent
// with everything I saw of it before". Signed over "cohours-witness-v1"
// followed by encode_tree_head(head), so it is never mistaken for the log
// owner's own head signature.
struct Cosignature {
  TreeHead head;
  PublicKey witness;
  Signature signature;
};
Cosignature cosign_tree_head(const TreeHead& head, const PublicKey& witness, const SecretKey& witness_secret);
// `signer`: the witness's current key (the witness itself unless it rotated).
bool verify_cosignature(const Cosignature& cosignature, const PublicKey& signer);
// head bytes (encode_tree_head) || witness (32) || signature (64)
Bytes encode_cosignature(const Cosignature& cosignature);
Result<Cosignature> decode_cosignature(std::span<const std::uint8_t> bytes);

}  // namespace cohours
