// Members and accounts as people name them: aliases in, display names out.
// Aliases live in the erasable directory, never in the log.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cohours/account.h"
#include "cohours/app/node.h"
#include "cohours/result.h"

namespace cohours::app {

// The member key a person typed: an alias, ALIAS@THIS-NODE, or 64 hex
// digits. unknown_member with "no member called ..." otherwise. Does not
// check that the key is a member (a forgotten alias is gone; a key may be).
Result<PublicKey> member_key(Node& node, std::string_view alias_or_key);
// member_key, and the key must be a member here (their identity, or the key
// that signs for them since a rekey): unknown_member otherwise. Always
// answers with the member's identity.
Result<MemberInfo> member_named(Node& node, std::string_view alias_or_key);

// The alias, or "member-" and the key's first 8 hex digits.
std::string member_name(const Node& node, const PublicKey& key);
// "pool", an alias, "clearing-riverside" (another co-op, by its name in the
// consortium file), "alice (expenses owed)", "co-op expenses", ...
std::string account_name(Node& node, const AccountId& account);

// A member of another node of the consortium, written ALIAS@NODE or KEY@NODE.
struct RemoteMember {
  PublicKey member;
  PublicKey node;
  std::string node_name;
};
// nullopt for a plain alias or one that names this node. unknown_member for
// an unknown node, or an alias the other node does not know (asking it
// needs the daemon: Node::peers()).
Result<std::optional<RemoteMember>> remote_member(Node& node, const std::string& text);

}  // namespace cohours::app
