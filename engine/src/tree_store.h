// Where the Merkle tree's perfect subtrees live in the store.
#pragma once

#include "cohours/merkle.h"
#include "cohours/store.h"

namespace cohours {

// tree column key: level (1 byte) || index (8, big endian)
std::string tree_key(merkle::NodeId node);
// A node that cannot be read is absent to the Merkle code; `failure`, if
// given, keeps the first read that failed (rather than was not found), so
// the caller reports the store's error instead of a damaged tree.
merkle::NodeReader tree_reader(const Store& store, Status* failure = nullptr);

}  // namespace cohours
