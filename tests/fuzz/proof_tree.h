// The small Merkle tree fuzz_proofs builds, shared with make_fuzz_seeds so
// seeds carry proofs of exactly that tree.
#pragma once

#include <map>
#include <optional>

#include "cohours/merkle.h"

namespace cohours::fuzz {

struct ProofTree {
  std::map<merkle::NodeId, Hash32> nodes;
  merkle::Frontier frontier{merkle::blake2b_hasher()};

  // `leaves` leaves, leaf i hashed from the bytes {i, salt}.
  ProofTree(std::uint64_t leaves, std::uint8_t salt) {
    for (std::uint64_t i = 0; i < leaves; ++i) {
      const std::uint8_t data[2] = {static_cast<std::uint8_t>(i), salt};
      frontier.append(merkle::blake2b_hasher().leaf(data),
                      [&](merkle::NodeId id, const Hash32& hash) { nodes[id] = hash; });
    }
  }
  merkle::NodeReader reader() const {
    return [this](merkle::NodeId id) -> std::optional<Hash32> {
      auto found = nodes.find(id);
      if (found == nodes.end()) return std::nullopt;
      return found->second;
    };
  }
};

}  // namespace cohours::fuzz
