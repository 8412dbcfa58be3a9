// Members and accounts as people name them: aliases in, display names out.
// Aliases live in the erasable directory, never in the log.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cohours/account.h"
#include "cohours/app/node.h"
#include "cohours/ledger.h"
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
// needs the daemon: Node::peers()). An alias the other node confirmed is
// kept in the directory as that member's name (remote_party_name).
Result<std::optional<RemoteMember>> remote_member(Node& node, const std::string& text);

// Another node by its name in the consortium file, or "node-" and the
// key's first 8 hex digits when the file does not name it.
std::string node_name(Node& node, const PublicKey& node_key);

// The person at the other end of a movement that crosses to another node
// of the consortium (docs/decisions.md "Names across co-ops").
struct RemoteParty {
  PublicKey node;    // their node (its log id)
  PublicKey member;  // their key there; zero for community hours there
  bool known = true; // false: the copy of their node's log here does not show who
};
// Set for a transfer.out or hours.log.remote made here (the receiver, the
// volunteer) and a transfer.in recorded here (the sender, or the member
// the volunteer helped, read from the copy of the origin's log).
std::optional<RemoteParty> remote_party(Node& node, const Movement& movement);
// "alice@riverside" once riverside's alias for the key is known here;
// "member-3f2a9c1e@riverside" (the key's first 8 hex digits) until then or
// once forgotten; "community@riverside"; "a member of riverside" when the
// copy does not show who. Never the clearing account.
std::string remote_party_name(Node& node, const RemoteParty& party);
// Asks the other nodes, through the daemon, for the aliases of those
// parties whose alias is not known here, all at once, and keeps what they
// answer (a node that answers "no such member" leaves the fallback name).
// Names already known are not asked again. Nothing happens without the daemon (Node::peers()) or for a node
// that cannot be asked now: the names stay the fallback.
void learn_remote_names(Node& node, const std::vector<RemoteParty>& parties);

// Names learnt of other nodes' members (`cohours consortium forget-names`):
// erases those of the node called `node_name`, or of every node when it is
// empty. unknown_member for a name that is not a node of the consortium.
struct ForgetRemoteNames {
  std::string node_name;  // empty: every node
};
struct RemoteNamesForgotten {
  std::size_t erased = 0;
  std::string node_name;  // as asked; empty: every node
};
Result<RemoteNamesForgotten> forget_remote_names(Node& node, const ForgetRemoteNames& request);

}  // namespace cohours::app
