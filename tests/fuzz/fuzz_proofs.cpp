// Merkle proofs (engine/src/merkle.cpp): the consistency proofs a peer's
// Records message carries, and inclusion proofs. Any sizes and hashes must
// be answered true or false without a crash; a real tree's own proofs must
// verify, and a proof that differs from the real one must not.
//
// Input: u64 a, u64 b, then 32-byte hashes (the proof under test).
#include <cstring>
#include <vector>

#include "cohours/merkle.h"
#include "fuzz_support.h"
#include "proof_tree.h"

using namespace cohours;
using namespace cohours::merkle;

namespace {

std::uint64_t read_u64(const std::uint8_t* data) {
  std::uint64_t value = 0;
  std::memcpy(&value, data, sizeof value);
  return value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 16) return 0;
  const std::uint64_t a = read_u64(data), b = read_u64(data + 8);
  std::vector<Hash32> proof;
  for (std::size_t at = 16; at + 32 <= size && proof.size() < 80; at += 32) {
    Hash32 hash;
    std::memcpy(hash.data(), data + at, 32);
    proof.push_back(hash);
  }
  const Hasher& hasher = blake2b_hasher();
  const Hash32 some = proof.empty() ? Hash32{} : proof.front();

  // Arbitrary sizes, as a peer may claim them.
  (void)verify_inclusion(hasher, a, b, some, proof, some);
  (void)verify_consistency(hasher, a, b, some, some, proof);

  // A real tree of 1..64 leaves, its perfect subtrees kept as a store would.
  const std::uint64_t leaves = a % 64 + 1;
  const fuzz::ProofTree tree(leaves, static_cast<std::uint8_t>(b));
  const NodeReader reader = tree.reader();
  const auto& nodes = tree.nodes;
  const Hash32 root = tree.frontier.root();
  auto stored_root = root_of(hasher, reader, leaves);
  FUZZ_CHECK(stored_root.ok() && stored_root.value() == root);

  const std::uint64_t index = b % leaves;
  auto leaf = nodes.find(NodeId{0, index});
  FUZZ_CHECK(leaf != nodes.end());
  auto inclusion = inclusion_proof(hasher, reader, index, leaves);
  FUZZ_CHECK(inclusion.ok());
  FUZZ_CHECK(verify_inclusion(hasher, index, leaves, leaf->second, inclusion.value(), root));
  if (verify_inclusion(hasher, index, leaves, leaf->second, proof, root)) FUZZ_CHECK(proof == inclusion.value());

  const std::uint64_t old_size = b % leaves + 1;
  auto old_root = root_of(hasher, reader, old_size);
  FUZZ_CHECK(old_root.ok());
  auto consistency = consistency_proof(hasher, reader, old_size, leaves);
  FUZZ_CHECK(consistency.ok());
  FUZZ_CHECK(verify_consistency(hasher, old_size, leaves, old_root.value(), root, consistency.value()));
  if (verify_consistency(hasher, old_size, leaves, old_root.value(), root, proof))
    FUZZ_CHECK(proof == consistency.value());
  return 0;
}
