// The consortium file: which nodes make up a consortium, where they listen,
// signed by every node in it (docs/operations.md "Joining a consortium").
//
// A JSON file for people to pass around and read:
//   {"format": "cohours-consortium-1", "name": "...", "version": N,
//    "nodes": [{"name", "key" (hex), "address" ("host:port"), "currency"}],
//    "signatures": [{"node" (hex), "signature" (hex)}]}
// The signed bytes are canonical (consortium_signed_bytes), not the JSON
// text, so reformatting the file does not break it. The consortium id,
// bound into every peer handshake, is BLAKE2b-256 of those bytes: two nodes
// talk only if they installed the very same node list and version.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cohours/crypto.h"
#include "cohours/entry.h"
#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours::net {

struct ConsortiumNode {
  std::string name;     // the co-op's short name: members are alias@name
  PublicKey key;        // the node key
  std::string address;  // host:port where its daemon listens for peers
  Currency currency;    // the node's cash currency
};

// A node's signature, by the key that signs for it now: the node's key
// itself, or, after the node rotated its key, `key` with the node.rotate
// entries that lead to it from `node` (entry.h; at most kMaxNodeRotations).
struct ConsortiumSignature {
  PublicKey node;
  Signature signature;
  PublicKey key;                // zero: `node` signed
  std::vector<Bytes> rotations; // signed node.rotate entries, oldest first
};

// The keys that signed for a node's log as the checking node holds them,
// the log id first (a log it does not hold: just the log id).
using HeldSigners = std::function<std::vector<PublicKey>(const PublicKey& log)>;

struct Consortium {
  std::string name;
  std::uint64_t version = 1;
  std::vector<ConsortiumNode> nodes;  // kept sorted by key
  std::vector<ConsortiumSignature> signatures;

  const ConsortiumNode* find(const PublicKey& key) const;
  const ConsortiumNode* find_name(const std::string& name) const;
};

// Parses and checks the shape: names ([a-z0-9-], 1..32, unique), keys
// unique, addresses host:port, currencies. malformed with the reason.
Result<Consortium> parse_consortium(const std::string& json_text);
std::string consortium_json(const Consortium& consortium);

// "cohours-consortium-v1" || name || version (u64 LE) || node count (u64 LE)
// || each node (sorted by key): key, name, address, currency; strings as
// u32 LE length + bytes.
Bytes consortium_signed_bytes(const Consortium& consortium);
Hash32 consortium_id(const Consortium& consortium);

// Adds (or replaces) `node`'s signature by `secret`, whose public half is
// `key`; `rotations` lead from `node` to `key` (none when key == node).
void sign_consortium(Consortium& consortium, const PublicKey& node, const SecretKey& secret,
                     const PublicKey& key = {}, std::vector<Bytes> rotations = {});

// A node installs a file only if it is listed in it, every listed node has
// signed it, every signature verifies, and its version is not older than
// the one installed (`installed_version`, 0 if none). A signature by a
// rotated key must show the rotations that lead to it, and none of the
// rotations `held` knows may be missing (a retired key may be stolen). The
// error says which node's signature is missing or bad.
Status check_consortium(const Consortium& consortium, const PublicKey& self, std::uint64_t installed_version,
                        const HeldSigners& held = {});

// The consortium file this node joined, kept in the store's peers column
// (key "consortium"): not_found if it joined none.
Result<Consortium> installed_consortium(const Store& store);
// Checks the file (check_consortium, against the installed version) and
// installs it, replacing the one before. The daemon reads it at start.
Status install_consortium(Store& store, const Consortium& consortium, const PublicKey& self);

// "host:port" -> host and port; nullopt if malformed.
std::optional<std::pair<std::string, std::uint16_t>> split_address(const std::string& address);

}  // namespace cohours::net
