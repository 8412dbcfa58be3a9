// RFC 6962 / RFC 9162 Merkle tree over the log, kept incrementally.
//
// Nodes are identified by (level, index): the node covers leaves
// [index * 2^level, (index + 1) * 2^level). Only perfect subtrees are
// stored; every root and proof is assembled from O(log n) of them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::merkle {

// Leaf hash = H(0x00 || data), node hash = H(0x01 || left || right).
class Hasher {
 public:
  virtual ~Hasher() = default;
  virtual Hash32 leaf(std::span<const std::uint8_t> data) const = 0;
  virtual Hash32 node(const Hash32& left, const Hash32& right) const = 0;
  // Root of the empty tree: H() of no input.
  virtual Hash32 empty_root() const = 0;
};
// BLAKE2b-256: the hash cohours' log uses.
const Hasher& blake2b_hasher();
// SHA-256: RFC 6962 itself, so tests can check against published vectors.
const Hasher& sha256_hasher();

struct NodeId {
  std::uint8_t level;
  std::uint64_t index;
  auto operator<=>(const NodeId&) const = default;
};

// Looks up a stored perfect-subtree hash; nullopt if absent.
using NodeReader = std::function<std::optional<Hash32>(NodeId)>;

// The right-hand frontier of a tree: the roots of the perfect subtrees that
// make up the first size() leaves, largest first. Memory is O(log n).
class Frontier {
 public:
  explicit Frontier(const Hasher& hasher) : hasher_(&hasher) {}
  // Rebuilds the frontier of a tree of `size` leaves from stored nodes.
  static Result<Frontier> load(const Hasher& hasher, const NodeReader& reader, std::uint64_t size);

  // Appends one leaf (already leaf-hashed). Calls `completed` for every
  // perfect subtree the append completes, the leaf itself first.
  void append(const Hash32& leaf_hash, const std::function<void(NodeId, const Hash32&)>& completed = {});
  std::uint64_t size() const { return size_; }
  Hash32 root() const;

 private:
  const Hasher* hasher_;
  std::uint64_t size_ = 0;
  std::vector<Hash32> subtrees_;  // largest first
};

// Hash of the tree made of leaves [0, size). Needs all perfect subtrees of
// that range stored.
Result<Hash32> root_of(const Hasher& hasher, const NodeReader& reader, std::uint64_t size);

// RFC 9162 2.1.3.1: audit path for leaf `index` in the tree of `size`.
Result<std::vector<Hash32>> inclusion_proof(const Hasher& hasher, const NodeReader& reader,
                                            std::uint64_t index, std::uint64_t size);
// RFC 9162 2.1.4.1: proof that the tree of old_size is a prefix of new_size.
Result<std::vector<Hash32>> consistency_proof(const Hasher& hasher, const NodeReader& reader,
                                              std::uint64_t old_size, std::uint64_t new_size);

// RFC 9162 2.1.3.2 and 2.1.4.2 verification; pure functions.
bool verify_inclusion(const Hasher& hasher, std::uint64_t index, std::uint64_t size, const Hash32& leaf_hash,
                      std::span<const Hash32> proof, const Hash32& root);
bool verify_consistency(const Hasher& hasher, std::uint64_t old_size, std::uint64_t new_size,
                        const Hash32& old_root, const Hash32& new_root, std::span<const Hash32> proof);

}  // namespace cohours::merkle
