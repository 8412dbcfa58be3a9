#include "cohours/app/rekey.h"

#include "cohours/app/names.h"
#include "invitation_codes.h"
#include "try.h"

namespace cohours::app {

namespace {

// Codes made earlier for the member's new phone stop working: a member has
// one way back in at a time, the newest.
Status withdraw_codes(Node& node, const PublicKey& member) {
  TRY_ASSIGN(auto pending, node.directory().invitations());
  for (const auto& invitation : pending)
    if (invitation.member == member) TRY_STATUS(node.directory().remove_invitation(invitation.code_digest));
  return Status();
}

// Who asks: coordinators and admins. Not a ledger rule (the node key signs),
// so it is checked here, as for invitations. Returns who to record as the
// inviter of a code: the asker, or the node key for the operator.
Result<PublicKey> check_asker(Node& node, const std::string& as, const MemberInfo& member) {
  if (as.empty()) return node.ledger().node_key();
  TRY_ASSIGN(MemberInfo asker, member_named(node, as));
  if (!(asker.roles & (role_coordinator | role_admin)))
    return Result<PublicKey>(Code::not_permitted, "only coordinators and admins give members new keys");
  if ((member.roles & role_admin) && !(asker.roles & role_admin))
    return Result<PublicKey>(Code::not_permitted,
                             "only an admin gives an admin a new key (a coordinator could otherwise take an "
                             "admin's place)");
  return asker.key;
}

}  // namespace

Result<MemberRekeyed> rekey_member(Node& node, const RekeyMember& r) {
  using Answer = Result<MemberRekeyed>;
  if (r.hours < 1 || r.hours > kMaxInvitationHours)
    return Answer(Code::malformed, "a code lasts 1 to " + std::to_string(kMaxInvitationHours) +
                                       " hours, not " + std::to_string(r.hours));
  TRY_ASSIGN(MemberInfo member, member_named(node, r.member));
  if (!node.directory().find(member.key))
    return Answer(Code::unknown_member, "that member has been forgotten by the co-op (member forget)");
  TRY_ASSIGN(PublicKey inviter, check_asker(node, r.as, member));
  std::optional<PublicKey> given;
  if (!r.key.empty()) {
    given = fixed_from_hex<PublicKey>(r.key);
    if (!given)
      return Answer(Code::malformed, "--key takes the member's new ed25519 public key as 64 hex digits");
    if (given->is_zero() || *given == node.ledger().node_key() || *given == node.identity().public_key)
      return Answer(Code::malformed, "--key cannot be zero or the node's own key");
  }
  std::lock_guard<std::mutex> lock(invitation_mutex());
  TRY_ASSIGN(PublicKey current, node.ledger().current_key(member.key));
  const bool held = !current.is_zero() && node.keyring().holds(current);

  MemberRekeyed out;
  out.alias = member_name(node, member.key);
  out.member = member.key;
  out.retired_key = current;
  Submission submission(node);
  if (given || held) {
    // A key to sign with from now on: the one given, or one the node makes
    // for a member whose key it held.
    bool generated = false;
    if (given) {
      out.new_key = *given;
      out.how = NewKey::given;
    } else {
      TRY_ASSIGN(out.new_key, node.keyring().generate());
      generated = true;
      out.how = NewKey::keyring;
    }
    auto accepted = submission.as_node(MemberRekey{member.key, out.new_key});
    if (!accepted.ok()) {
      if (generated) (void)node.keyring().remove(out.new_key);
      return accepted.status();
    }
    out.entry = accepted.value();
    // The retired key can sign nothing any more; its secret has no use left.
    if (held) TRY_STATUS(node.keyring().remove(current));
    TRY_STATUS(withdraw_codes(node, member.key));
    return out;
  }

  // The phone is lost and a new one will enrol: the old key stops now, not
  // when the new phone turns up, so it is retired with no key in its place.
  // (A member who already waits keeps waiting, and gets a new code.)
  out.how = NewKey::enrolment;
  if (!current.is_zero()) {
    TRY_ASSIGN(out.entry, submission.as_node(MemberRekey{member.key, PublicKey{}}));
  }
  TRY_STATUS(withdraw_codes(node, member.key));
  out.code = new_invitation_code();
  out.expires_ms = node.clock().now_ms() + r.hours * 3600 * 1000;
  TRY_STATUS(node.directory().put_invitation({invitation_code_digest(normalise_code(out.code)), out.alias,
                                              member.roles, inviter, out.expires_ms, member.key}));
  return out;
}

}  // namespace cohours::app
