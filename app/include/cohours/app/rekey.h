// member rekey: a member who lost their phone (or whose key leaked) gets a
// new key, and the old one is refused from that moment: by the ledger's
// rules for every entry it signs, and by the client API (401).
//
// A member stays the key they joined with, their identity: their balance,
// pending hours, respite requests and expense claims are keyed by it and do
// not move, and the log's history stays as it was and verifies. What a
// rekey changes is the key that may sign for them: a `member.rekey` entry
// (docs/data-format.md), signed by the node key, names the new key and
// retires the previous one for good. A key is never used twice.
//
// Who may: coordinators and admins (an application rule, as for
// invitations: the node key signs); only an admin may rekey an admin, so
// a coordinator cannot take an admin's place.
#pragma once

#include <cstdint>
#include <string>

#include "cohours/app/invitations.h"
#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

// How the member gets the key that signs for them next.
enum class NewKey : std::uint8_t {
  given = 1,      // the public key given in the request (their new device made it)
  keyring = 2,    // the node made it and keeps it in its keyring (a member without a phone)
  enrolment = 3,  // their new phone enrols with a one-time code, as a new member would
};

// With `key`: that key signs for the member from now on. Without: if the
// node held the member's key in its keyring, it makes a new one there
// (and deletes the old key's file); otherwise the member's key is retired
// at once, with none in its place, and a one-time code is made: the phone
// enrols with it at POST /v1/enrol exactly as a new member would, and its
// key then signs for the member. Until then nobody can sign for them (a
// coordinator still confirms on their behalf). Asked again for a member
// who already waits, it only makes a new code; earlier codes for them stop
// working, as they do once a key is given.
//
// Refused: unknown_member for an unknown member or `as`; not_permitted
// unless `as` is a coordinator or an admin, or for a coordinator rekeying
// an admin; malformed for a key that is not 64 hex digits, zero or the
// node's, or hours out of 1..kMaxInvitationHours; already_exists for a key
// that is a member's or was ever used to sign for one; the ledger's
// refusal of the entry otherwise.
struct RekeyMember {
  std::string member;                     // alias or key
  std::string as;                         // the coordinator or admin asking; empty: the operator
  std::string key;                        // the new public key, 64 hex digits; empty: see above
  std::int64_t hours = kInvitationHours;  // how long a code works
};
struct MemberRekeyed {
  Accepted entry;  // the member.rekey; id zero if none was needed (a new code for a member who waits)
  std::string alias;
  PublicKey member;       // the identity, unchanged
  PublicKey retired_key;  // refused from now on; zero if the member had no key already
  PublicKey new_key;      // zero while the member waits to enrol
  NewKey how = NewKey::given;
  std::string code;             // NewKey::enrolment: give it to the member, once
  std::int64_t expires_ms = 0;  // when the code stops working
};
Result<MemberRekeyed> rekey_member(Node& node, const RekeyMember& request);

}  // namespace cohours::app
