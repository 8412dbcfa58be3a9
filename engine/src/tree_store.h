// Where the Merkle tree's perfect subtrees live in the store.
#pragma once

#include "cohours/merkle.h"
#include "cohours/store.h"

namespace cohours {

// tree column key: level (1 byte) || index (8, big endian)
std::string tree_key(merkle::NodeId node);
merkle::NodeReader tree_reader(const Store& store);

}  // namespace cohours
