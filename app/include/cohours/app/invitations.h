// Members who sign on their own phone join by invitation: a coordinator (or
// an admin) invites a person by alias and roles and gives them a one-time
// code; the phone makes its own key pair and enrols with the code and its
// public key; the node then adds the member with that key. The node never
// sees the phone's secret key.
//
// Who may invite is an application rule: coordinators and admins. The
// member.join entry of an enrolment is signed by the node key, as the
// operator's `member add` is, and meets the same ledger rules.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

// How long a code works unless the inviter says otherwise, and at most.
inline constexpr std::int64_t kInvitationHours = 72;
inline constexpr std::int64_t kMaxInvitationHours = 30 * 24;

// member invite: malformed for a bad or reserved alias, an unknown role or
// none, hours out of 1..kMaxInvitationHours; already_exists if the alias is
// a member or already invited; unknown_member for an unknown `as`;
// not_permitted unless `as` is a coordinator or an admin.
struct InviteMember {
  std::string alias;
  std::vector<std::string> roles;
  std::string as;  // the coordinator or admin inviting
  std::int64_t hours = kInvitationHours;
};
struct Invited {
  std::string code;  // XXXX-XXXX-XXXX: give it to the person, once
  std::string alias;
  std::uint32_t roles = 0;
  std::int64_t expires_ms = 0;
};
Result<Invited> invite_member(Node& node, const InviteMember& request);

// Enrolment from the phone. not_permitted ("bad_code") for a code that is
// unknown, used or expired (not told apart, so codes cannot be probed);
// malformed for a key that is not 64 hex digits, zero or the node's;
// already_exists if the key is a member. The code is spent once the member
// has joined.
struct Enrol {
  std::string code;
  std::string public_key;  // 64 hex digits
};
struct Enrolled {
  Accepted entry;
  std::string alias;
  PublicKey key;
  std::uint32_t roles = 0;
};
Result<Enrolled> enrol(Node& node, const Enrol& request);

// Invitations not yet used (expired ones included, with their expiry).
struct ListInvitations {};
struct InvitationView {
  std::string alias;
  std::uint32_t roles = 0;
  std::string inviter;
  std::int64_t expires_ms = 0;
};
struct InvitationList {
  std::vector<InvitationView> invitations;
};
Result<InvitationList> list_invitations(Node& node, const ListInvitations& request);

// The canonical form of a code as a person may type it: upper case, no
// spaces or dashes; empty if it holds anything but the code's letters.
std::string normalise_code(std::string_view typed);

}  // namespace cohours::app
