#include "cohours/app/members.h"

#include "cohours/app/offers.h"

#include <algorithm>

#include "cohours/app/names.h"
#include "cohours/app/offers.h"
#include "cohours/app/receipts.h"
#include "entry_notes.h"
#include "roles.h"
#include "cohours/thanks.h"
#include "try.h"

namespace cohours::app {

namespace {

// Signs a membership entry as the admin `as`, or with the node key.
Result<Accepted> submit_membership(Node& node, const std::optional<PublicKey>& admin, const EntryBody& body) {
  Submission submission(node);
  return admin ? submission.as_member(*admin, body) : submission.as_node(body);
}

Result<std::optional<PublicKey>> signer(Node& node, const std::string& as) {
  if (as.empty()) return std::optional<PublicKey>();
  TRY_ASSIGN(PublicKey key, member_key(node, as));
  return std::optional<PublicKey>(key);
}

// The directory is not part of the log, so no ledger rule guards it: only
// an admin may change or erase it.
Status require_admin(Node& node, const std::string& as) {
  auto admin = member_named(node, as);
  if (!admin.ok()) return admin.status();
  if (!(admin->roles & role_admin))
    return Status(Code::not_permitted, "only an admin may change or erase members' details");
  return Status();
}

MemberView view_of_member(Node& node, const MemberInfo& member) {
  auto entry = node.directory().find(member.key);
  auto current = node.ledger().current_key(member.key);
  return MemberView{member_name(node, member.key),
                    member.key,
                    member.roles,
                    entry ? entry->contact : "",
                    member.joined_seq,
                    node_signs_for(node, member.key),
                    current.ok() ? current.value() : PublicKey{}};
}

// Whether an entry concerns the member: signed by or for them, naming them,
// or acting on their hours, request or claim.
bool concerns(Node& node, const Entry& entry, const PublicKey& member) {
  if (entry.author == member || entry.on_behalf == member) return true;
  const Ledger& ledger = node.ledger();
  // Signed with a key that signs for them since a rekey.
  if (auto signer = ledger.signing_key(entry.author); signer.ok() && signer->member == member) return true;
  auto movement_concerns = [&](const EntryId& id) {
    auto concerns_member = [&](const Movement& m) {
      return m.provider == member || m.recipient == member ||
             (m.payer.kind == AccountKind::member && m.payer.key == member);
    };
    auto m = ledger.movement(id);
    if (m.ok()) return concerns_member(m.value());
    // A group session: any of its legs.
    auto legs = ledger.group_legs(id);
    return legs.ok() && std::any_of(legs->begin(), legs->end(), concerns_member);
  };
  auto request_concerns = [&](const EntryId& id) {
    auto r = ledger.respite_request(id);
    return r.ok() && r->carer == member;
  };
  auto claim_concerns = [&](const EntryId& id) {
    auto c = ledger.expense(id);
    return c.ok() && c->claimant == member;
  };
  auto vetting_concerns = [&](const EntryId& id) {
    auto checks = ledger.vettings_of(member);
    if (!checks.ok()) return false;
    for (const auto& check : checks.value())
      if (check.id == id) return true;
    return false;
  };
  return std::visit(
      [&](const auto& b) -> bool {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, MemberJoin> || std::is_same_v<T, MemberRole> ||
                      std::is_same_v<T, MemberRekey>)
          return b.member == member;
        else if constexpr (std::is_same_v<T, HoursLog>)
          return b.recipient == member;
        else if constexpr (std::is_same_v<T, Transfer> || std::is_same_v<T, TransferIn>)
          return b.to == member;
        else if constexpr (std::is_same_v<T, RemoteHoursLog>)
          return b.hours.recipient == member;
        else if constexpr (std::is_same_v<T, GroupHours>)
          return std::any_of(b.providers.begin(), b.providers.end(),
                             [&](const GroupProvider& p) { return p.provider == member; }) ||
                 std::find(b.recipients.begin(), b.recipients.end(), member) != b.recipients.end();
        else if constexpr (std::is_same_v<T, HoursConfirm> || std::is_same_v<T, HoursVoid> ||
                           std::is_same_v<T, Reversal>)
          return movement_concerns(b.target);
        else if constexpr (std::is_same_v<T, RespiteOffer> || std::is_same_v<T, RespiteCancel>)
          return request_concerns(b.request);
        else if constexpr (std::is_same_v<T, ExpenseApprove> || std::is_same_v<T, ExpenseReject> ||
                           std::is_same_v<T, ExpensePaid>)
          return claim_concerns(b.claim);
        else if constexpr (std::is_same_v<T, VettingRecord>)
          return b.volunteer == member;
        else if constexpr (std::is_same_v<T, VettingWithdraw>)
          return vetting_concerns(b.record);
        else
          return false;
      },
      entry.body);
}

// Digests of every private note on an entry that concerns the member.
Result<std::vector<Hash32>> notes_of(Node& node, const PublicKey& member) {
  std::vector<Hash32> digests;
  const std::uint64_t size = node.ledger().log_size();
  for (std::uint64_t seq = 1; seq <= size; ++seq) {
    TRY_ASSIGN(Record record, node.ledger().record(seq));
    auto entry = decode_entry(record.entry);
    if (!entry.ok() || !concerns(node, entry->entry, member)) continue;
    for (const Hash32& digest : note_digests(entry->entry.body)) digests.push_back(digest);
  }
  return digests;
}

// Removes the member's receipt files; returns how many. A receipt file is
// named by its content: it stays while another member's claim cites it.
Result<std::uint64_t> erase_receipts(Node& node, const PublicKey& member) {
  TRY_ASSIGN(auto claims, node.ledger().expenses());
  std::uint64_t erased = 0;
  for (const auto& claim : claims) {
    if (claim.claimant != member || claim.receipt_digest.is_zero()) continue;
    bool shared = std::any_of(claims.begin(), claims.end(), [&](const ExpenseState& other) {
      return other.claimant != member && other.receipt_digest == claim.receipt_digest;
    });
    if (shared || !receipt_kept(node, claim.receipt_digest)) continue;
    TRY_STATUS(erase_receipt(node, claim.receipt_digest));
    ++erased;
  }
  return erased;
}

}  // namespace

Result<MemberAdded> add_member(Node& node, const AddMember& r) {
  using Answer = Result<MemberAdded>;
  if (!valid_alias(r.alias))
    return Answer(
        Code::malformed,
        "alias '" + r.alias + "' must be 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
  if (reserved_alias(r.alias))
    return Answer(Code::malformed, "'" + r.alias +
                                       "' is reserved (a word commands read as an account, or the form of a "
                                       "name reports make up); choose another alias");
  TRY_ASSIGN(std::uint32_t roles, parse_roles(r.roles));
  const PublicKey node_key = node.ledger().node_key();
  std::optional<PublicKey> given;
  if (!r.key.empty()) {
    given = fixed_from_hex<PublicKey>(r.key);
    if (!given)
      return Answer(Code::malformed, "--key takes the member's ed25519 public key as 64 hex digits");
    // The engine refuses these too; checked here before the directory
    // binds the alias to the key.
    if (given->is_zero() || *given == node_key || *given == node.identity().public_key)
      return Answer(Code::malformed, "--key cannot be zero or the node's own key");
    if (node.ledger().member(*given).ok())
      return Answer(Code::already_exists, "that key is already a member");
  }
  PublicKey key;
  bool resumed = false;
  auto existing = node.directory().key_for(r.alias);
  if (existing.ok()) {
    // The alias may be left from an add that stopped before its join was
    // stored: finish that one rather than refuse, but never with another key.
    if (node.ledger().member(existing.value()).ok())
      return Answer(Code::already_exists, "'" + r.alias + "' is already a member");
    if (given && *given != existing.value())
      return Answer(Code::already_exists, "alias '" + r.alias +
                                              "' is bound to another key by an unfinished add; "
                                              "run it again without --key, or choose another alias");
    key = existing.value();
    resumed = true;
  }
  TRY_ASSIGN(std::optional<PublicKey> admin, signer(node, r.as));

  bool generated = false;
  if (!resumed) {
    if (given) {
      key = *given;
    } else {
      TRY_ASSIGN(key, node.keyring().generate());
      generated = true;
    }
    if (Status s = node.directory().add({key, r.alias, r.contact}); !s.ok()) {
      if (generated) (void)node.keyring().remove(key);
      return s;
    }
  }
  auto accepted = submit_membership(node, admin, MemberJoin{key, roles, node_key});
  if (!accepted.ok()) {
    // Refused: take back the alias, contact details and key made for it.
    if (!resumed) {
      (void)node.directory().remove(key);
      if (generated) (void)node.keyring().remove(key);
    }
    return accepted.status();
  }
  return MemberAdded{accepted.value(), r.alias, key, roles, node.keyring().holds(key)};
}

Result<MemberList> list_members(Node& node, const ListMembers&) {
  TRY_ASSIGN(auto members, node.ledger().members());
  MemberList list;
  for (const auto& member : members) list.members.push_back(view_of_member(node, member));
  std::sort(list.members.begin(), list.members.end(),
            [](const MemberView& a, const MemberView& b) { return a.alias < b.alias; });
  return list;
}

Result<MemberView> show_member(Node& node, const ShowMember& r) {
  TRY_ASSIGN(MemberInfo member, member_named(node, r.member));
  return view_of_member(node, member);
}

Result<RolesChanged> change_roles(Node& node, const ChangeRoles& r) {
  TRY_ASSIGN(PublicKey key, member_key(node, r.member));
  TRY_ASSIGN(std::uint32_t roles, parse_roles(r.roles));
  TRY_ASSIGN(std::optional<PublicKey> admin, signer(node, r.as));
  TRY_ASSIGN(Accepted accepted, submit_membership(node, admin, MemberRole{key, roles}));
  return RolesChanged{accepted, roles};
}

Result<MemberEdited> edit_member(Node& node, const EditMember& r) {
  using Answer = Result<MemberEdited>;
  TRY_STATUS(require_admin(node, r.as));
  if (r.alias.empty() && r.contact.empty() && !r.clear_contact)
    return Answer(Code::malformed,
                  "nothing to change: give a new alias or contact details, or clear the contact");
  TRY_ASSIGN(PublicKey key, member_key(node, r.member));
  auto entry = node.directory().find(key);
  if (!entry) return Answer(Code::unknown_member, "'" + r.member + "' has no directory entry");
  if (!r.alias.empty()) {
    if (reserved_alias(r.alias))
      return Answer(Code::malformed, "'" + r.alias + "' is reserved; choose another alias");
    entry->alias = r.alias;
  }
  if (!r.contact.empty() || r.clear_contact) entry->contact = r.contact;
  TRY_STATUS(node.directory().replace(*entry));
  TRY_STATUS(node.store().compact(Column::directory));  // the old details must not linger on disk
  return MemberEdited{key, entry->alias, entry->contact};
}

Result<MemberForgotten> forget_member(Node& node, const ForgetMember& r) {
  TRY_STATUS(require_admin(node, r.as));
  TRY_ASSIGN(PublicKey key, member_key(node, r.member));
  TRY_STATUS(node.ledger().member(key).status());
  MemberForgotten forgotten;
  TRY_ASSIGN(std::vector<Hash32> digests, notes_of(node, key));
  for (const Hash32& digest : digests)
    if (!digest.is_zero() && node.directory().note(digest)) {
      TRY_STATUS(node.directory().erase_note(digest));
      ++forgotten.notes_erased;
    }
  TRY_ASSIGN(forgotten.receipts_erased, erase_receipts(node, key));
  // Files they sent from a phone that no claim names (a claim never made).
  TRY_ASSIGN(std::uint64_t uploaded, erase_uploads(node, key));
  forgotten.receipts_erased += uploaded;
  // The key the node signs with for them may be a newer one than the key
  // they joined with (member rekey); a code for their new phone goes too.
  TRY_ASSIGN(PublicKey current, node.ledger().current_key(key));
  forgotten.keyring_key_erased =
      node.keyring().holds(key) || (!current.is_zero() && node.keyring().holds(current));
  TRY_STATUS(node.keyring().remove(key));
  if (!current.is_zero()) TRY_STATUS(node.keyring().remove(current));
  TRY_ASSIGN(auto invitations, node.directory().invitations());
  for (const auto& invitation : invitations)
    if (invitation.member == key) TRY_STATUS(node.directory().remove_invitation(invitation.code_digest));
  if (node.directory().find(key)) TRY_STATUS(node.directory().remove(key));
  TRY_ASSIGN(forgotten.thanks_erased, ThanksBook(node.store()).erase_member(key));
  // Their offers, requests, alert settings and email (app/offers.h).
  TRY_STATUS(forget_listings(node, key).status());
  // Deleted rows linger in the database files until rewritten.
  TRY_STATUS(node.store().compact(Column::directory));
  TRY_STATUS(node.store().compact(Column::notes));
  forgotten.pseudonym = member_name(node, key);
  return forgotten;
}

}  // namespace cohours::app
