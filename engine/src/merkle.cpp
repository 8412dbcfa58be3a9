#include "cohours/merkle.h"

#include <algorithm>
#include <array>
#include <bit>
#include <string>

#include "cohours/crypto.h"

namespace cohours::merkle {
namespace {

// RFC 6962 2.1 domain separation: a leaf can never pass for an interior node.
constexpr std::uint8_t kLeafPrefix = 0x00;
constexpr std::uint8_t kNodePrefix = 0x01;

std::array<std::uint8_t, 65> node_input(const Hash32& left, const Hash32& right) {
  std::array<std::uint8_t, 65> input;
  input[0] = kNodePrefix;
  std::copy(left.bytes.begin(), left.bytes.end(), input.begin() + 1);
  std::copy(right.bytes.begin(), right.bytes.end(), input.begin() + 33);
  return input;
}

class Blake2bHasher final : public Hasher {
 public:
  Hash32 leaf(std::span<const std::uint8_t> data) const override {
    // Streamed so that appending a record does not copy it.
    Blake2bStream stream;
    stream.update(std::span<const std::uint8_t>(&kLeafPrefix, 1));
    stream.update(data);
    return stream.finish();
  }
  Hash32 node(const Hash32& left, const Hash32& right) const override {
    return blake2b_256(node_input(left, right));
  }
  Hash32 empty_root() const override { return blake2b_256(std::span<const std::uint8_t>()); }
};

class Sha256Hasher final : public Hasher {
 public:
  Hash32 leaf(std::span<const std::uint8_t> data) const override {
    Bytes input;
    input.reserve(data.size() + 1);
    input.push_back(kLeafPrefix);
    input.insert(input.end(), data.begin(), data.end());
    return sha256(input);
  }
  Hash32 node(const Hash32& left, const Hash32& right) const override {
    return sha256(node_input(left, right));
  }
  Hash32 empty_root() const override { return sha256(std::span<const std::uint8_t>()); }
};

// RFC 6962's split point k: the largest power of two strictly below n (n >= 2).
std::uint64_t split_point(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

// The perfect subtrees that make up leaves [begin, begin + count), largest
// first (the binary decomposition of count). They are aligned, hence stored,
// when begin is a multiple of bit_floor(count); every range the RFC
// recursion visits is.
std::vector<NodeId> decompose(std::uint64_t begin, std::uint64_t count) {
  std::vector<NodeId> nodes;
  for (int level = 63; level >= 0; --level) {
    const std::uint64_t width = std::uint64_t{1} << level;
    if (count & width) {
      nodes.push_back({static_cast<std::uint8_t>(level), begin >> level});
      begin += width;
    }
  }
  return nodes;
}

Result<std::vector<Hash32>> read_nodes(const NodeReader& reader, const std::vector<NodeId>& ids) {
  std::vector<Hash32> hashes;
  hashes.reserve(ids.size());
  for (NodeId id : ids) {
    std::optional<Hash32> hash = reader(id);
    if (!hash)
      return Status(Code::corruption, "missing Merkle node (level " + std::to_string(id.level) + ", index " +
                                          std::to_string(id.index) + ")");
    hashes.push_back(*hash);
  }
  return hashes;
}

// MTH of consecutive perfect subtrees, largest first: RFC 6962 splits at the
// largest power of two, so the tree leans right and folds from the right.
Hash32 fold(const Hasher& hasher, std::span<const Hash32> subtrees) {
  Hash32 acc = subtrees.back();
  for (std::size_t i = subtrees.size() - 1; i-- > 0;) acc = hasher.node(subtrees[i], acc);
  return acc;
}

// MTH(D[begin : begin + count]), count >= 1, from at most 64 stored nodes.
Result<Hash32> range_hash(const Hasher& hasher, const NodeReader& reader, std::uint64_t begin,
                          std::uint64_t count) {
  auto nodes = read_nodes(reader, decompose(begin, count));
  if (!nodes.ok()) return nodes.status();
  return fold(hasher, nodes.value());
}

}  // namespace

const Hasher& blake2b_hasher() {
  static const Blake2bHasher hasher;
  return hasher;
}

const Hasher& sha256_hasher() {
  static const Sha256Hasher hasher;
  return hasher;
}

Result<Frontier> Frontier::load(const Hasher& hasher, const NodeReader& reader, std::uint64_t size) {
  Frontier frontier(hasher);
  if (size == 0) return frontier;
  auto subtrees = read_nodes(reader, decompose(0, size));
  if (!subtrees.ok()) return subtrees.status();
  frontier.size_ = size;
  frontier.subtrees_ = std::move(subtrees.value());
  return frontier;
}

void Frontier::append(const Hash32& leaf_hash, const std::function<void(NodeId, const Hash32&)>& completed) {
  const std::uint64_t new_size = size_ + 1;
  if (completed) completed({0, size_}, leaf_hash);
  subtrees_.push_back(leaf_hash);
  // Each trailing one bit of the old size is an equal-height subtree that the
  // new leaf's subtree now pairs with: merge them, like a binary carry.
  for (std::uint8_t level = 1; (size_ >> (level - 1)) & 1; ++level) {
    Hash32 merged = hasher_->node(subtrees_[subtrees_.size() - 2], subtrees_.back());
    subtrees_.pop_back();
    subtrees_.back() = merged;
    if (completed) completed({level, (new_size >> level) - 1}, merged);
  }
  size_ = new_size;
}

Hash32 Frontier::root() const {
  return subtrees_.empty() ? hasher_->empty_root() : fold(*hasher_, subtrees_);
}

Result<Hash32> root_of(const Hasher& hasher, const NodeReader& reader, std::uint64_t size) {
  if (size == 0) return hasher.empty_root();
  return range_hash(hasher, reader, 0, size);
}

// RFC 9162 PATH(m, D_n), walked top-down; siblings are found root-first and
// reversed because proofs list them leaf-first. Only the first left turn has
// a non-perfect right sibling (below it every subtree is perfect), so the
// whole proof reads O(log n) nodes.
Result<std::vector<Hash32>> inclusion_proof(const Hasher& hasher, const NodeReader& reader,
                                            std::uint64_t index, std::uint64_t size) {
  if (index >= size)
    return Status(Code::malformed,
                  "leaf index " + std::to_string(index) + " is not below tree size " + std::to_string(size));
  std::vector<Hash32> path;
  std::uint64_t begin = 0, count = size, m = index;
  while (count > 1) {
    const std::uint64_t k = split_point(count);
    const bool left = m < k;
    auto sibling =
        left ? range_hash(hasher, reader, begin + k, count - k) : range_hash(hasher, reader, begin, k);
    if (!sibling.ok()) return sibling.status();
    path.push_back(sibling.value());
    if (left) {
      count = k;
    } else {
      begin += k;
      m -= k;
      count -= k;
    }
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// RFC 9162 PROOF(m, D_n) = SUBPROOF(m, D_n, true), walked top-down like PATH.
// The RFC defines it for 0 < m < n only; for m == 0 (the empty tree is a
// prefix of every tree) and m == n (nothing to prove) the proof is empty.
Result<std::vector<Hash32>> consistency_proof(const Hasher& hasher, const NodeReader& reader,
                                              std::uint64_t old_size, std::uint64_t new_size) {
  if (old_size > new_size)
    return Status(Code::malformed, "old tree size " + std::to_string(old_size) + " exceeds new tree size " +
                                       std::to_string(new_size));
  if (old_size == 0 || old_size == new_size) return std::vector<Hash32>{};
  std::vector<Hash32> siblings;
  std::uint64_t begin = 0, count = new_size, m = old_size;
  bool is_old_root = true;  // the RFC's b: the subtree we are in is the whole old tree
  while (m != count) {
    const std::uint64_t k = split_point(count);
    const bool left = m <= k;
    auto sibling =
        left ? range_hash(hasher, reader, begin + k, count - k) : range_hash(hasher, reader, begin, k);
    if (!sibling.ok()) return sibling.status();
    siblings.push_back(sibling.value());
    if (left) {
      count = k;
    } else {
      begin += k;
      m -= k;
      count -= k;
      is_old_root = false;
    }
  }
  std::vector<Hash32> proof;
  // The verifier knows the old root already; any other shared subtree it must be given.
  if (!is_old_root) {
    auto shared = range_hash(hasher, reader, begin, count);
    if (!shared.ok()) return shared.status();
    proof.push_back(shared.value());
  }
  proof.insert(proof.end(), siblings.rbegin(), siblings.rend());
  return proof;
}

// RFC 9162 2.1.3.2, step by step.
bool verify_inclusion(const Hasher& hasher, std::uint64_t index, std::uint64_t size, const Hash32& leaf_hash,
                      std::span<const Hash32> proof, const Hash32& root) {
  if (index >= size) return false;
  std::uint64_t fn = index, sn = size - 1;
  Hash32 r = leaf_hash;
  for (const Hash32& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = hasher.node(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = hasher.node(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

// RFC 9162 2.1.4.2, step by step, for 0 < old_size < new_size. The RFC leaves
// the edges to us: equal sizes need an empty proof and equal roots; from size
// 0 the proof must be empty and old_root must be MTH({}) = H(), the only
// root an empty tree has (every tree extends it, so new_root is free).
bool verify_consistency(const Hasher& hasher, std::uint64_t old_size, std::uint64_t new_size,
                        const Hash32& old_root, const Hash32& new_root, std::span<const Hash32> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty() && old_root == hasher.empty_root();
  if (proof.empty()) return false;
  // A power-of-two old tree is a node of the new one, so the proof omits it.
  const bool prepend = std::has_single_bit(old_size);
  const Hash32& first = prepend ? old_root : proof[0];
  std::span<const Hash32> rest = prepend ? proof : proof.subspan(1);
  std::uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash32 fr = first, sr = first;
  for (const Hash32& c : rest) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = hasher.node(c, fr);
      sr = hasher.node(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = hasher.node(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace cohours::merkle
