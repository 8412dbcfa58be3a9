#include "cohours/merkle.h"

#include <map>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cohours/crypto.h"

using namespace cohours;
using namespace cohours::merkle;

namespace {

// A tree kept the way the ledger keeps it: a frontier plus every completed
// perfect subtree in a map, which stands in for the store's tree column.
struct Tree {
  explicit Tree(const Hasher& h) : hasher(&h), frontier(h) {}
  const Hasher* hasher;
  Frontier frontier;
  std::map<NodeId, Hash32> nodes;
  std::vector<Hash32> leaves;  // leaf hashes, for the brute-force reference

  void add(std::span<const std::uint8_t> data) {
    Hash32 leaf = hasher->leaf(data);
    leaves.push_back(leaf);
    frontier.append(leaf, [&](NodeId id, const Hash32& hash) { nodes[id] = hash; });
  }
  NodeReader reader() const {
    return [this](NodeId id) -> std::optional<Hash32> {
      auto it = nodes.find(id);
      if (it == nodes.end()) return std::nullopt;
      return it->second;
    };
  }
};

// ---- Brute-force reference: RFC 9162 2.1.1, 2.1.3.1, 2.1.4.1 read literally,
// recursing over every leaf hash. Slow and obviously right.
using Leaves = std::span<const Hash32>;

std::uint64_t ref_split(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Hash32 ref_mth(const Hasher& h, Leaves d) {
  if (d.empty()) return h.empty_root();
  if (d.size() == 1) return d[0];
  std::uint64_t k = ref_split(d.size());
  return h.node(ref_mth(h, d.first(k)), ref_mth(h, d.subspan(k)));
}

std::vector<Hash32> ref_path(const Hasher& h, std::uint64_t m, Leaves d) {
  if (d.size() <= 1) return {};
  std::uint64_t k = ref_split(d.size());
  std::vector<Hash32> path;
  if (m < k) {
    path = ref_path(h, m, d.first(k));
    path.push_back(ref_mth(h, d.subspan(k)));
  } else {
    path = ref_path(h, m - k, d.subspan(k));
    path.push_back(ref_mth(h, d.first(k)));
  }
  return path;
}

std::vector<Hash32> ref_subproof(const Hasher& h, std::uint64_t m, Leaves d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash32>{} : std::vector<Hash32>{ref_mth(h, d)};
  std::uint64_t k = ref_split(d.size());
  std::vector<Hash32> proof;
  if (m <= k) {
    proof = ref_subproof(h, m, d.first(k), b);
    proof.push_back(ref_mth(h, d.subspan(k)));
  } else {
    proof = ref_subproof(h, m - k, d.subspan(k), false);
    proof.push_back(ref_mth(h, d.first(k)));
  }
  return proof;
}

std::vector<Hash32> ref_consistency(const Hasher& h, std::uint64_t m, Leaves d) {
  if (m == 0 || m == d.size()) return {};
  return ref_subproof(h, m, d, true);
}

Hash32 flipped(Hash32 hash, std::size_t byte = 0) {
  hash.bytes[byte] ^= 0x01;
  return hash;
}

Hash32 hash_from_hex(std::string_view hex) {
  auto hash = fixed_from_hex<Hash32>(hex);
  REQUIRE(hash);
  return *hash;
}

std::vector<std::string> hexes(const std::vector<Hash32>& hashes) {
  std::vector<std::string> out;
  for (const Hash32& h : hashes) out.push_back(to_hex(h));
  return out;
}

// Every way of damaging a good inclusion proof must make it fail.
void check_inclusion_tampering(const Hasher& h, std::uint64_t index, std::uint64_t size, const Hash32& leaf,
                               const std::vector<Hash32>& proof, const Hash32& root) {
  CHECK_FALSE(verify_inclusion(h, index, size, flipped(leaf), proof, root));
  CHECK_FALSE(verify_inclusion(h, index, size, leaf, proof, flipped(root, 31)));
  for (std::size_t i = 0; i < proof.size(); ++i) {
    auto bad = proof;
    bad[i] = flipped(bad[i], i % 32);
    CHECK_FALSE(verify_inclusion(h, index, size, leaf, bad, root));
  }
  if (index > 0) CHECK_FALSE(verify_inclusion(h, index - 1, size, leaf, proof, root));
  CHECK_FALSE(verify_inclusion(h, index + 1, size, leaf, proof, root));
  CHECK_FALSE(verify_inclusion(h, index ^ 2, size, leaf, proof, root));
  // Sizes that change the tree's height (size + 1 may legitimately keep the
  // same audit path, e.g. leaf 0 in trees of 6 and 7).
  CHECK_FALSE(verify_inclusion(h, index, size * 2, leaf, proof, root));
  CHECK_FALSE(verify_inclusion(h, index, size / 2, leaf, proof, root));
  if (!proof.empty()) {
    auto truncated = proof;
    truncated.pop_back();
    CHECK_FALSE(verify_inclusion(h, index, size, leaf, truncated, root));
  }
  auto extended = proof;
  extended.push_back(root);
  CHECK_FALSE(verify_inclusion(h, index, size, leaf, extended, root));
  auto prefixed = proof;
  prefixed.insert(prefixed.begin(), leaf);
  CHECK_FALSE(verify_inclusion(h, index, size, leaf, prefixed, root));
}

// The same for a consistency proof with 0 < old_size < new_size.
void check_consistency_tampering(const Hasher& h, std::uint64_t old_size, std::uint64_t new_size,
                                 const Hash32& old_root, const Hash32& new_root,
                                 const std::vector<Hash32>& proof) {
  CHECK_FALSE(verify_consistency(h, old_size, new_size, old_root, new_root, {}));
  CHECK_FALSE(verify_consistency(h, old_size, new_size, flipped(old_root), new_root, proof));
  CHECK_FALSE(verify_consistency(h, old_size, new_size, old_root, flipped(new_root), proof));
  CHECK_FALSE(verify_consistency(h, old_size, new_size, new_root, old_root, proof));
  for (std::size_t i = 0; i < proof.size(); ++i) {
    auto bad = proof;
    bad[i] = flipped(bad[i], 31 - i % 32);
    CHECK_FALSE(verify_consistency(h, old_size, new_size, old_root, new_root, bad));
  }
  CHECK_FALSE(verify_consistency(h, old_size - 1, new_size, old_root, new_root, proof));
  CHECK_FALSE(verify_consistency(h, old_size + 1, new_size, old_root, new_root, proof));
  CHECK_FALSE(verify_consistency(h, old_size ^ 2, new_size, old_root, new_root, proof));
  CHECK_FALSE(verify_consistency(h, old_size, new_size * 2, old_root, new_root, proof));
  CHECK_FALSE(verify_consistency(h, old_size, new_size / 2, old_root, new_root, proof));
  auto truncated = proof;
  truncated.pop_back();
  CHECK_FALSE(verify_consistency(h, old_size, new_size, old_root, new_root, truncated));
  auto extended = proof;
  extended.push_back(proof.back());
  CHECK_FALSE(verify_consistency(h, old_size, new_size, old_root, new_root, extended));
  auto prefixed = proof;
  prefixed.insert(prefixed.begin(), proof.front());
  CHECK_FALSE(verify_consistency(h, old_size, new_size, old_root, new_root, prefixed));
}

}  // namespace

// Known answers from Certificate Transparency's reference tests:
// google/certificate-transparency, cpp/merkletree/merkle_tree_test.cc
// (kInputs, kSHA256Roots, kSHA256Paths, kSHA256Proofs; commit 0e901cac).
// Their leaf numbers are 1-based; ours are 0-based indexes.
TEST_CASE("SHA-256 tree matches the RFC 6962 reference vectors") {
  const char* inputs[8] = {
      "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
  const char* roots[8] = {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                          "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                          "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                          "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                          "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                          "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                          "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                          "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  const Hasher& h = sha256_hasher();
  CHECK(to_hex(h.empty_root()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  Tree tree(h);
  CHECK(to_hex(tree.frontier.root()) == to_hex(h.empty_root()));
  for (std::uint64_t n = 1; n <= 8; ++n) {
    auto data = from_hex(inputs[n - 1]);
    REQUIRE(data);
    tree.add(*data);
    CAPTURE(n);
    CHECK(tree.frontier.size() == n);
    CHECK(to_hex(tree.frontier.root()) == roots[n - 1]);
  }
  for (std::uint64_t n = 1; n <= 8; ++n) {
    auto root = root_of(h, tree.reader(), n);
    REQUIRE(root.ok());
    CHECK(to_hex(root.value()) == roots[n - 1]);
  }

  struct PathVector {
    std::uint64_t index, size;
    std::vector<std::string> path;
  };
  const PathVector paths[] = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& v : paths) {
    CAPTURE(v.index);
    CAPTURE(v.size);
    auto proof = inclusion_proof(h, tree.reader(), v.index, v.size);
    REQUIRE(proof.ok());
    CHECK(hexes(proof.value()) == v.path);
    std::vector<Hash32> published;
    for (const auto& hex : v.path) published.push_back(hash_from_hex(hex));
    Hash32 root = hash_from_hex(roots[v.size - 1]);
    CHECK(verify_inclusion(h, v.index, v.size, tree.leaves[v.index], published, root));
    check_inclusion_tampering(h, v.index, v.size, tree.leaves[v.index], published, root);
  }

  struct ConsistencyVector {
    std::uint64_t old_size, new_size;
    std::vector<std::string> proof;
  };
  const ConsistencyVector proofs[] = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& v : proofs) {
    CAPTURE(v.old_size);
    CAPTURE(v.new_size);
    auto proof = consistency_proof(h, tree.reader(), v.old_size, v.new_size);
    REQUIRE(proof.ok());
    CHECK(hexes(proof.value()) == v.proof);
    std::vector<Hash32> published;
    for (const auto& hex : v.proof) published.push_back(hash_from_hex(hex));
    Hash32 old_root = hash_from_hex(roots[v.old_size - 1]);
    Hash32 new_root = hash_from_hex(roots[v.new_size - 1]);
    CHECK(verify_consistency(h, v.old_size, v.new_size, old_root, new_root, published));
    if (v.old_size < v.new_size)
      check_consistency_tampering(h, v.old_size, v.new_size, old_root, new_root, published);
  }
}

TEST_CASE("BLAKE2b hasher: empty root is BLAKE2b-256 of nothing, prefixes separate leaves from nodes") {
  const Hasher& h = blake2b_hasher();
  CHECK(to_hex(h.empty_root()) == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  const std::uint8_t data[] = {1, 2, 3};
  const std::uint8_t prefixed_leaf[] = {0, 1, 2, 3};
  CHECK(h.leaf(data) == blake2b_256(std::span<const std::uint8_t>(prefixed_leaf)));
  Hash32 a = h.leaf(data), b = h.empty_root();
  std::vector<std::uint8_t> node_input{1};
  node_input.insert(node_input.end(), a.bytes.begin(), a.bytes.end());
  node_input.insert(node_input.end(), b.bytes.begin(), b.bytes.end());
  CHECK(h.node(a, b) == blake2b_256(node_input));
  CHECK(h.node(a, b) != h.node(b, a));
}

TEST_CASE("roots and proofs match a brute-force reference for every size up to 70") {
  constexpr std::uint64_t kMax = 70;
  for (const Hasher* hp : {&sha256_hasher(), &blake2b_hasher()}) {
    const Hasher& h = *hp;
    CAPTURE(to_hex(h.empty_root()));
    Tree tree(h);
    std::vector<Hash32> roots{h.empty_root()};  // roots[n] = MTH of the first n leaves
    for (std::uint64_t n = 1; n <= kMax; ++n) {
      const std::uint8_t data[] = {static_cast<std::uint8_t>(n), 0xc0};
      tree.add(data);
      roots.push_back(ref_mth(h, tree.leaves));
      CAPTURE(n);
      CHECK(tree.frontier.root() == roots[n]);
    }
    // Nodes stored by the appends: exactly the perfect subtrees of 70 leaves.
    std::uint64_t expected_nodes = 0;
    for (std::uint64_t w = 1; w <= kMax; w *= 2) expected_nodes += kMax / w;
    CHECK(tree.nodes.size() == expected_nodes);

    const NodeReader reader = tree.reader();
    auto empty = root_of(h, reader, 0);
    REQUIRE(empty.ok());
    CHECK(empty.value() == h.empty_root());
    for (std::uint64_t n = 1; n <= kMax; ++n) {
      CAPTURE(n);
      Leaves prefix = Leaves(tree.leaves).first(n);
      auto root = root_of(h, reader, n);
      REQUIRE(root.ok());
      CHECK(root.value() == roots[n]);

      for (std::uint64_t i = 0; i < n; ++i) {
        CAPTURE(i);
        auto proof = inclusion_proof(h, reader, i, n);
        REQUIRE(proof.ok());
        CHECK(proof.value() == ref_path(h, i, prefix));
        CHECK(verify_inclusion(h, i, n, tree.leaves[i], proof.value(), roots[n]));
        check_inclusion_tampering(h, i, n, tree.leaves[i], proof.value(), roots[n]);
      }

      for (std::uint64_t m = 0; m <= n; ++m) {
        CAPTURE(m);
        auto proof = consistency_proof(h, reader, m, n);
        REQUIRE(proof.ok());
        CHECK(proof.value() == ref_consistency(h, m, prefix));
        CHECK(verify_consistency(h, m, n, roots[m], roots[n], proof.value()));
        if (m > 0 && m < n) check_consistency_tampering(h, m, n, roots[m], roots[n], proof.value());
      }
    }
  }
}

TEST_CASE("consistency edge cases: equal sizes and the empty old tree") {
  const Hasher& h = sha256_hasher();
  Tree tree(h);
  for (std::uint8_t i = 0; i < 5; ++i) tree.add(std::span<const std::uint8_t>(&i, 1));
  const Hash32 root = tree.frontier.root();
  const Hash32 empty = h.empty_root();
  const std::vector<Hash32> one{root};

  // Equal sizes: empty proof and the same root.
  CHECK(verify_consistency(h, 5, 5, root, root, {}));
  CHECK_FALSE(verify_consistency(h, 5, 5, root, flipped(root), {}));
  CHECK_FALSE(verify_consistency(h, 5, 5, root, root, one));
  CHECK(verify_consistency(h, 0, 0, empty, empty, {}));
  // From the empty tree: empty proof, and the old root must be H().
  CHECK(verify_consistency(h, 0, 5, empty, root, {}));
  CHECK_FALSE(verify_consistency(h, 0, 5, root, root, {}));
  CHECK_FALSE(verify_consistency(h, 0, 5, empty, root, one));
  // Shrinking is never consistent; growing never has an empty proof.
  CHECK_FALSE(verify_consistency(h, 5, 4, root, root, {}));
  CHECK_FALSE(verify_consistency(h, 4, 5, root, root, {}));
  CHECK_FALSE(verify_inclusion(h, 0, 0, empty, {}, empty));

  auto trivial = consistency_proof(h, tree.reader(), 0, 5);
  REQUIRE(trivial.ok());
  CHECK(trivial.value().empty());
  trivial = consistency_proof(h, tree.reader(), 5, 5);
  REQUIRE(trivial.ok());
  CHECK(trivial.value().empty());
}

TEST_CASE("invalid arguments are malformed") {
  const Hasher& h = sha256_hasher();
  Tree tree(h);
  for (std::uint8_t i = 0; i < 3; ++i) tree.add(std::span<const std::uint8_t>(&i, 1));
  CHECK(inclusion_proof(h, tree.reader(), 3, 3).code() == Code::malformed);
  CHECK(inclusion_proof(h, tree.reader(), 0, 0).code() == Code::malformed);
  CHECK(consistency_proof(h, tree.reader(), 3, 2).code() == Code::malformed);
}

TEST_CASE("Frontier::load equals the frontier built by appending") {
  constexpr std::uint64_t kMax = 70;
  const Hasher& h = blake2b_hasher();
  Tree tree(h);
  for (std::uint64_t n = 0; n < kMax; ++n) {
    const std::uint8_t data[] = {static_cast<std::uint8_t>(n)};
    tree.add(data);
  }
  for (std::uint64_t n = 0; n <= kMax; ++n) {
    CAPTURE(n);
    auto loaded = Frontier::load(h, tree.reader(), n);
    REQUIRE(loaded.ok());
    Frontier built(h);
    for (std::uint64_t i = 0; i < n; ++i) built.append(tree.leaves[i]);
    CHECK(loaded->size() == n);
    CHECK(loaded->root() == built.root());
    // Both must also grow identically, reporting the same completed nodes.
    for (std::uint64_t i = n; i < kMax; ++i) {
      std::vector<std::pair<NodeId, Hash32>> from_loaded, from_built;
      loaded->append(tree.leaves[i], [&](NodeId id, const Hash32& x) { from_loaded.emplace_back(id, x); });
      built.append(tree.leaves[i], [&](NodeId id, const Hash32& x) { from_built.emplace_back(id, x); });
      CHECK(from_loaded == from_built);
      for (const auto& [id, hash] : from_loaded) CHECK(tree.nodes.at(id) == hash);
      CHECK(loaded->root() == built.root());
    }
    CHECK(loaded->root() == tree.frontier.root());
  }
}

TEST_CASE("a missing stored node is corruption, naming the node") {
  const Hasher& h = sha256_hasher();
  Tree tree(h);
  for (std::uint64_t n = 0; n < 70; ++n) {
    const std::uint8_t data[] = {static_cast<std::uint8_t>(n)};
    tree.add(data);
  }
  // 70 = 64 + 4 + 2: the frontier is nodes (6,0), (2,16), (1,34).
  tree.nodes.erase(NodeId{6, 0});
  auto loaded = Frontier::load(h, tree.reader(), 70);
  CHECK(loaded.code() == Code::corruption);
  CHECK(loaded.status().message().find("level 6, index 0") != std::string::npos);
  CHECK(root_of(h, tree.reader(), 70).code() == Code::corruption);
  CHECK(consistency_proof(h, tree.reader(), 64, 70).ok());  // (6,0) is the old root: not needed
  CHECK(consistency_proof(h, tree.reader(), 65, 70).code() == Code::corruption);
  CHECK(Frontier::load(h, tree.reader(), 63).ok());

  tree.nodes.erase(NodeId{1, 34});
  auto proof = inclusion_proof(h, tree.reader(), 0, 70);
  CHECK(proof.code() == Code::corruption);
  CHECK(proof.status().message().find("level 1, index 34") != std::string::npos);
  CHECK(consistency_proof(h, tree.reader(), 64, 70).code() == Code::corruption);
  CHECK(inclusion_proof(h, tree.reader(), 0, 68).ok());
}

TEST_CASE("trees near 2^64 leaves: proofs read O(log n) nodes and verify") {
  // All leaves equal makes every perfect subtree of a level share one hash,
  // so a consistent tree of any size needs only 64 hashes.
  const Hasher& h = sha256_hasher();
  std::vector<Hash32> level_hash{h.leaf(std::span<const std::uint8_t>())};
  for (int l = 1; l < 64; ++l) level_hash.push_back(h.node(level_hash.back(), level_hash.back()));
  const std::uint64_t size = ~std::uint64_t{0} - 5;
  std::uint64_t reads = 0;
  NodeReader reader = [&](NodeId id) -> std::optional<Hash32> {
    ++reads;
    if (id.level > 63 || id.index >= (size >> id.level)) return std::nullopt;  // not a complete node
    return level_hash[id.level];
  };

  for (std::uint64_t n : {size, (std::uint64_t{1} << 63) + 12345, std::uint64_t{1} << 40}) {
    CAPTURE(n);
    reads = 0;
    auto root = root_of(h, reader, n);
    REQUIRE(root.ok());
    auto frontier = Frontier::load(h, reader, n);
    REQUIRE(frontier.ok());
    CHECK(frontier->root() == root.value());
    CHECK(reads <= 2 * 64);

    for (std::uint64_t index : {std::uint64_t{0}, n / 3, n - 1}) {
      reads = 0;
      auto proof = inclusion_proof(h, reader, index, n);
      REQUIRE(proof.ok());
      CHECK(reads <= 2 * 64);
      CHECK(verify_inclusion(h, index, n, level_hash[0], proof.value(), root.value()));
      CHECK_FALSE(verify_inclusion(h, index, n, level_hash[1], proof.value(), root.value()));
    }
    for (std::uint64_t old_size : {std::uint64_t{1}, std::uint64_t{1} << 39, n / 3, n - 1}) {
      reads = 0;
      auto proof = consistency_proof(h, reader, old_size, n);
      REQUIRE(proof.ok());
      CHECK(reads <= 3 * 64);
      auto old_root = root_of(h, reader, old_size);
      REQUIRE(old_root.ok());
      CHECK(verify_consistency(h, old_size, n, old_root.value(), root.value(), proof.value()));
      CHECK_FALSE(verify_consistency(h, old_size, n, root.value(), old_root.value(), proof.value()));
    }
  }
}
