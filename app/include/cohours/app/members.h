// Use cases about members: joining with roles, role changes, and the
// erasable directory (aliases, contact details) with erasure on request.
//
// Members are named as people type them (an alias, ALIAS@THIS-NODE, or 64
// hex digits); roles by their names (volunteer, carer, service-user, staff,
// coordinator, admin, auditor). Keys the node makes for members without a
// phone live in its keyring (keyring.h). Who may do what: `member.join` and
// `member.role` are entries, so the engine's rules decide; the directory is
// not part of the log, so edit and forget check here that `as` is an admin.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

// member add: a member.join entry for a new key with roles. Without `key`
// the node makes a key pair and keeps the secret half in its keyring. The
// alias and contact go into the directory, never into the entry.
//
// Refused (nothing is left behind: no alias, contact or generated key):
// malformed for a bad or reserved alias (pool, community, node), an unknown
// role, no role, or a key that is not 64 hex digits, zero or the node's;
// already_exists for an alias or key already a member; unknown_member for
// an unknown `as`; the ledger's refusal of the entry (not_permitted for an
// `as` who is not an admin). An alias left by an add interrupted before its
// entry was accepted is finished with the key it had; another key for it is
// already_exists.
struct AddMember {
  std::string alias;
  std::vector<std::string> roles;  // role names, at least one
  std::string key;                 // the member's own public key, 64 hex; empty: the node makes one
  std::string contact;             // private: kept only in the directory
  std::string as;                  // an admin who signs; empty: the node key (the operator)
};
struct MemberAdded {
  Accepted entry;
  std::string alias;
  PublicKey key;
  std::uint32_t roles = 0;      // Role bits
  bool key_in_keyring = false;  // the node signs for this member
};
Result<MemberAdded> add_member(Node& node, const AddMember& request);

// A member as people read them.
struct MemberView {
  std::string alias;        // names.h member_name: the alias, or member-XXXXXXXX once forgotten
  PublicKey key;            // the key they joined with: their identity, for ever
  std::uint32_t roles = 0;  // Role bits
  std::string contact;      // empty if none or forgotten
  std::uint64_t joined_seq = 0;
  bool key_in_keyring = false;  // the node holds the key that signs for them
  PublicKey signing_key;        // the key that signs for them now: `key` until a rekey; zero while they wait
};

// member list: every member, sorted by alias (display name).
struct ListMembers {};
struct MemberList {
  std::vector<MemberView> members;
};
Result<MemberList> list_members(Node& node, const ListMembers& request);

// member show: one member; unknown_member if `member` names none.
struct ShowMember {
  std::string member;
};
Result<MemberView> show_member(Node& node, const ShowMember& request);

// member role: replaces the member's roles (a member.role entry). malformed
// for an unknown role or none; unknown_member; the ledger's refusal.
struct ChangeRoles {
  std::string member;
  std::vector<std::string> roles;  // every role the member keeps
  std::string as;                  // an admin who signs; empty: the node key
};
struct RolesChanged {
  Accepted entry;
  std::uint32_t roles = 0;
};
Result<RolesChanged> change_roles(Node& node, const ChangeRoles& request);

// member edit: a new alias and/or contact details in the directory. Nothing
// is signed; the old details are compacted out of the database files.
// not_permitted unless `as` is an admin; malformed when nothing is to
// change, for a reserved or bad alias; already_exists for an alias taken;
// unknown_member if `member` has no directory entry.
struct EditMember {
  std::string member;
  std::string as;       // the admin
  std::string alias;    // the new alias; empty: unchanged
  std::string contact;  // the new contact; empty: unchanged unless clear_contact
  bool clear_contact = false;
};
struct MemberEdited {
  PublicKey key;
  std::string alias;
  std::string contact;
};
Result<MemberEdited> edit_member(Node& node, const EditMember& request);

// member forget: erases what the node keeps about a member outside the
// log: the directory entry, private notes on every entry that concerns
// them, their receipt files (unless another member's claim cites the same
// file), the receipts they uploaded from a phone that no claim names
// (unless another member uploaded the same bytes) and the rows saying they
// uploaded them, their keyring key (the newer one too after a rekey) and any
// unused code for their new phone, their offers, requests and alert
// settings (app/offers.h); then compacts the erased rows away. The log
// is untouched. not_permitted unless `as` is an admin; unknown_member if
// `member` is not a member. Reads the whole log once.
struct ForgetMember {
  std::string member;
  std::string as;  // the admin
};
struct MemberForgotten {
  std::string pseudonym;  // how reports name the member from now on
  std::uint64_t notes_erased = 0;
  std::uint64_t receipts_erased = 0;
  bool keyring_key_erased = false;
  std::uint64_t thanks_erased = 0;  // thank-yous they sent or received
};
Result<MemberForgotten> forget_member(Node& node, const ForgetMember& request);

}  // namespace cohours::app
