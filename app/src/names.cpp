#include "cohours/app/names.h"

#include <map>
#include <set>

#include "cohours/net/consortium.h"

namespace cohours::app {

Result<PublicKey> member_key(Node& node, std::string_view text) {
  if (text.size() == 64)
    if (auto key = fixed_from_hex<PublicKey>(text)) return *key;
  // ALIAS@NODE naming this very node is the plain alias.
  if (auto at = text.rfind('@'); at != std::string_view::npos) {
    auto consortium = net::installed_consortium(node.store());
    const net::ConsortiumNode* self =
        consortium.ok() ? consortium->find(node.ledger().node_key()) : nullptr;
    if (self && text.substr(at + 1) == self->name) return member_key(node, text.substr(0, at));
  }
  return node.directory().key_for(text);
}

Result<MemberInfo> member_named(Node& node, std::string_view text) {
  auto key = member_key(node, text);
  if (!key.ok()) return key.status();
  auto member = node.ledger().member(key.value());
  if (member.code() != Code::unknown_member) return member;
  // The key a member signs with since a rekey names them too; a retired
  // one names nobody.
  auto signer = node.ledger().signing_key(key.value());
  if (!signer.ok() || signer->status != KeyStatus::current) return member;
  return node.ledger().member(signer->member);
}

std::string member_name(const Node& node, const PublicKey& key) {
  return display_name(node.directory(), key);
}

std::string account_name(Node& node, const AccountId& account) {
  const PublicKey self = node.ledger().node_key();
  switch (account.kind) {
    case AccountKind::pool:
      return account.key == self ? "pool" : "pool-" + to_hex(account.key).substr(0, 8);
    case AccountKind::clearing: {
      // Another co-op's clearing account is named after that co-op.
      auto consortium = net::installed_consortium(node.store());
      if (consortium.ok())
        if (const net::ConsortiumNode* other = consortium->find(account.key))
          return "clearing-" + other->name;
      return "clearing-" + to_hex(account.key).substr(0, 8);
    }
    case AccountKind::member:
      return member_name(node, account.key);
    case AccountKind::member_payable:
      return member_name(node, account.key) + " (expenses owed)";
    case AccountKind::coop_expenses:
      return "co-op expenses";
    case AccountKind::coop_paid:
      return "co-op cash paid";
  }
  return "?";
}

Result<std::optional<RemoteMember>> remote_member(Node& node, const std::string& text) {
  using Answer = Result<std::optional<RemoteMember>>;
  auto at = text.rfind('@');
  if (at == std::string::npos) return std::optional<RemoteMember>();
  const std::string alias = text.substr(0, at), node_name = text.substr(at + 1);
  auto consortium = net::installed_consortium(node.store());
  if (!consortium.ok())
    return Answer(Code::unknown_member,
                  "'" + text + "' names a member of another node, but this node has joined no consortium");
  const net::ConsortiumNode* other = consortium->find_name(node_name);
  if (!other)
    return Answer(Code::unknown_member, "no node named '" + node_name + "' in consortium '" +
                                            consortium->name + "' (see `cohours consortium show`)");
  if (other->key == node.ledger().node_key()) return std::optional<RemoteMember>();
  if (alias.size() == 64)
    if (auto key = fixed_from_hex<PublicKey>(alias))
      return std::optional<RemoteMember>(RemoteMember{*key, other->key, other->name});
  if (!node.peers())
    return Answer(Code::unknown_member,
                  "looking up '" + text + "' asks node " + node_name +
                      ", which needs this node's daemon running; or give the member's key "
                      "as KEY@" +
                      node_name);
  auto key = node.peers()->resolve_alias(node_name, alias);
  if (!key)
    return Answer(Code::unknown_member, "node " + node_name + " has no member '" + alias +
                                            "', or could not be asked (see `cohours sync status`)");
  // The other node just told us: the name statements show for that key.
  // Only a name, so a failed write costs the fallback name, not the transfer.
  (void)node.directory().put_remote_alias(other->key, *key, alias);
  return std::optional<RemoteMember>(RemoteMember{*key, other->key, other->name});
}

std::string node_name(Node& node, const PublicKey& node_key) {
  auto consortium = net::installed_consortium(node.store());
  if (consortium.ok())
    if (const net::ConsortiumNode* other = consortium->find(node_key)) return other->name;
  return "node-" + to_hex(node_key).substr(0, 8);
}

std::optional<RemoteParty> remote_party(Node& node, const Movement& m) {
  if (m.payee.kind == AccountKind::clearing) {
    // Made here: the receiver of a transfer.out, the volunteer of hours.log.remote.
    return RemoteParty{m.payee.key, m.kind == MovementKind::hours ? m.provider : m.recipient, true};
  }
  if (m.payer.kind == AccountKind::clearing) {
    // A transfer.in: who is at the other end is in the origin's log.
    auto party = node.replicas().origin_party(m.payer.key, m.request);
    if (!party.ok()) return RemoteParty{m.payer.key, PublicKey{}, false};
    return RemoteParty{m.payer.key, party.value(), true};
  }
  return std::nullopt;
}

std::string remote_party_name(Node& node, const RemoteParty& party) {
  const std::string at = node_name(node, party.node);
  if (!party.known) return "a member of " + at;
  if (party.member.is_zero()) return "community@" + at;
  if (auto alias = node.directory().remote_alias(party.node, party.member)) return *alias + "@" + at;
  return "member-" + to_hex(party.member).substr(0, 8) + "@" + at;
}

void learn_remote_names(Node& node, const std::vector<RemoteParty>& parties) {
  PeerView* peers = node.peers();
  if (!peers) return;
  std::map<PublicKey, std::set<PublicKey>> unknown;  // by node
  for (const auto& party : parties)
    if (party.known && !party.member.is_zero() && !node.directory().remote_alias(party.node, party.member))
      unknown[party.node].insert(party.member);
  for (const auto& [other, members] : unknown) {
    auto answers = peers->member_aliases(node_name(node, other),
                                         std::vector<PublicKey>(members.begin(), members.end()));
    // Only what was asked; "no such member" leaves the fallback name.
    for (const auto& [member, alias] : answers)
      if (members.count(member) && alias) (void)node.directory().put_remote_alias(other, member, *alias);
  }
}

Result<RemoteNamesForgotten> forget_remote_names(Node& node, const ForgetRemoteNames& r) {
  PublicKey other;
  if (!r.node_name.empty()) {
    auto consortium = net::installed_consortium(node.store());
    const net::ConsortiumNode* found = consortium.ok() ? consortium->find_name(r.node_name) : nullptr;
    if (!found)
      return Result<RemoteNamesForgotten>(
          Code::unknown_member, "no node named '" + r.node_name +
                                    "' in this node's consortium (see `cohours consortium show`); "
                                    "leave out --node to forget the names learnt of every node");
    other = found->key;
  }
  auto erased = node.directory().erase_remote_aliases(other);
  if (!erased.ok()) return erased.status();
  return RemoteNamesForgotten{erased.value(), r.node_name};
}

}  // namespace cohours::app
