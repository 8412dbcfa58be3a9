#include "cohours/app/invitations.h"

#include <mutex>

#include "cohours/app/members.h"
#include "cohours/app/names.h"
#include "cohours/crypto.h"
#include "invitation_codes.h"
#include "roles.h"
#include "try.h"

namespace cohours::app {

namespace {

// 30 letters and digits that cannot be mistaken for one another (no 0/O,
// 1/I/L, U): 12 of them are 58 bits, read out over the phone in three
// groups; the enrolment rate limit makes guessing hopeless.
constexpr std::string_view kAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789";
constexpr std::size_t kCodeLetters = 12;

}  // namespace

std::string new_invitation_code() {
  std::string code;
  while (code.size() < kCodeLetters + 2) {
    std::uint8_t byte[1];
    random_bytes(byte);
    // Bytes past the last whole multiple of the alphabet are drawn again, so
    // every letter is equally likely.
    if (byte[0] >= 256 - 256 % kAlphabet.size()) continue;
    if (code.size() == 4 || code.size() == 9) code += '-';
    code += kAlphabet[byte[0] % kAlphabet.size()];
  }
  return code;
}

std::mutex& invitation_mutex() {
  // One enrolment at a time: a code is checked and spent as one step.
  static std::mutex mutex;
  return mutex;
}

Hash32 invitation_code_digest(const std::string& normalised) {
  return blake2b_256("cohours-invitation-v1\n" + normalised);
}

namespace {

std::vector<std::string> role_names(std::uint32_t roles) {
  std::vector<std::string> out;
  for (std::uint32_t bit = 1; bit & kAllRoles; bit <<= 1)
    if (roles & bit) out.push_back(role_name(static_cast<Role>(bit)));
  return out;
}

}  // namespace

std::string normalise_code(std::string_view typed) {
  std::string out;
  for (char ch : typed) {
    if (ch == '-' || ch == ' ') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (kAlphabet.find(ch) == std::string_view::npos) return "";
    out += ch;
  }
  return out.size() == kCodeLetters ? out : "";
}

Result<Invited> invite_member(Node& node, const InviteMember& r) {
  TRY_ASSIGN(std::uint32_t roles, parse_roles(r.roles));
  if (r.hours < 1 || r.hours > kMaxInvitationHours)
    return Result<Invited>(Code::malformed, "an invitation lasts 1 to " +
                                                std::to_string(kMaxInvitationHours) + " hours, not " +
                                                std::to_string(r.hours));
  TRY_ASSIGN(MemberInfo inviter, member_named(node, r.as));
  if (!(inviter.roles & (role_coordinator | role_admin)))
    return Result<Invited>(Code::not_permitted, "only coordinators and admins invite members");
  if (!valid_alias(r.alias))
    return Result<Invited>(
        Code::malformed,
        "alias '" + r.alias + "' must be 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
  if (node.directory().key_for(r.alias).ok())
    return Result<Invited>(Code::already_exists, "'" + r.alias + "' is already a member");
  TRY_ASSIGN(auto pending, node.directory().invitations());
  const std::int64_t now_ms = node.clock().now_ms();
  for (const auto& invitation : pending)
    if (invitation.alias == r.alias && invitation.expires_ms > now_ms)
      return Result<Invited>(Code::already_exists, "'" + r.alias + "' is already invited");
  Invited out{new_invitation_code(), r.alias, roles, now_ms + r.hours * 3600 * 1000};
  TRY_STATUS(node.directory().put_invitation(
      {invitation_code_digest(normalise_code(out.code)), r.alias, roles, inviter.key, out.expires_ms, {}}));
  return out;
}

Result<Enrolled> enrol(Node& node, const Enrol& r) {
  auto bad_code = [] {
    return Result<Enrolled>(Code::not_permitted,
                            "that code is not valid: it may be mistyped, used or expired; ask your "
                            "coordinator for a new one");
  };
  const std::string code = normalise_code(r.code);
  if (code.empty()) return bad_code();
  auto key = fixed_from_hex<PublicKey>(r.public_key);
  if (!key || key->is_zero() || *key == node.ledger().node_key() || *key == node.identity().public_key)
    return Result<Enrolled>(Code::malformed,
                            "public_key must be the phone's ed25519 public key, 64 hex digits");
  std::lock_guard<std::mutex> lock(invitation_mutex());
  auto invitation = node.directory().invitation(invitation_code_digest(code));
  if (invitation.code() == Code::not_found) return bad_code();
  if (!invitation.ok()) return invitation.status();
  if (invitation->expires_ms <= node.clock().now_ms()) return bad_code();
  if (node.ledger().member(*key).ok())
    return Result<Enrolled>(Code::already_exists, "that key is already a member");
  if (!invitation->member.is_zero()) {
    // A member's new phone (member rekey): the key signs for them from now
    // on. Signed by the node key, as a new member's join is; the ledger
    // refuses a key that was ever used.
    Submission submission(node);
    TRY_ASSIGN(Accepted accepted, submission.as_node(MemberRekey{invitation->member, *key}));
    TRY_STATUS(node.directory().remove_invitation(invitation->code_digest));
    TRY_ASSIGN(MemberInfo member, node.ledger().member(invitation->member));
    return Enrolled{accepted, member_name(node, member.key), *key, member.roles, member.key};
  }
  TRY_ASSIGN(MemberAdded added, add_member(node, AddMember{invitation->alias, role_names(invitation->roles),
                                                           to_hex(*key), "", ""}));
  TRY_STATUS(node.directory().remove_invitation(invitation->code_digest));
  return Enrolled{added.entry, added.alias, added.key, added.roles, added.key};
}

Result<InvitationList> list_invitations(Node& node, const ListInvitations&) {
  TRY_ASSIGN(auto pending, node.directory().invitations());
  InvitationList out;
  for (const auto& i : pending)
    out.invitations.push_back(
        {i.alias, i.roles, i.inviter == node.ledger().node_key() ? "node" : member_name(node, i.inviter),
         i.expires_ms, i.member});
  return out;
}

}  // namespace cohours::app
