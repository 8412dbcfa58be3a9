// Movements of credits as people read them: names instead of keys.
#pragma once

#include <vector>
#include <string>

#include "cohours/app/node.h"
#include "cohours/ledger.h"

namespace cohours::app {

struct MovementView {
  EntryId id;  // the entry that created it (hours.log, respite.offer, transfer, ...)
  MovementKind kind = MovementKind::hours;
  MovementStatus status = MovementStatus::pending;
  std::string provider;   // who gave the help, or sent the credits
  std::string recipient;  // who received it; empty: the community
  std::string payer;      // account names (names.h account_name)
  std::string payee;
  bool pool_pays = false;  // the co-op pool pays (service users, community work)
  std::int64_t minutes = 0;
  std::string category;        // empty for transfers
  std::int32_t date_days = 0;  // the day the help was given
  std::uint64_t seq = 0;       // log position of the creating entry
  // A group session (hours.group): `id` is the session's entry, which is
  // what one confirms or voids; the view is one leg (legs 1), or several
  // legs added up (merged_view), e.g. a member's share of two volunteers.
  bool group = false;
  std::uint32_t group_volunteers = 0;  // volunteers at the session
  std::uint32_t group_members = 0;     // members helped; 0: the community
  std::uint32_t member_number = 0;     // this member's place among them, 1-based; 0: several or none
  std::uint32_t legs = 0;              // legs added up here; 0 for every other movement
};

MovementView view_of(Node& node, const Movement& movement);
// Legs of one group session as one view (they must share the session):
// minutes added up; a volunteer or member named when every leg has the
// same, else counted ("2 volunteers", "6 members"); the status of the
// first leg.
MovementView merged_view(Node& node, const std::vector<Movement>& legs);
// "lunch-club, 1 of 6" for one member's leg, "lunch-club, 6 members" for
// several, the category alone for anything else.
std::string describe_group_part(const MovementView& view);

// Who pays for help a member received: service users do not pay, their
// help comes out of the co-op pool (the rules refuse anything else).
inline Payer payer_for(const MemberInfo& recipient) {
  return (recipient.roles & role_service_user) ? Payer::pool : Payer::recipient;
}

// Every movement of hours `provider` gave `recipient` (zero: the
// community) on `day` of `minutes`, pending or confirmed: possible duplicates of new hours like
// them. Read from the pending column and the provider's own postings, so
// the look-up grows with one member's history, not the log.
Result<std::vector<Movement>> same_hours(Node& node, const PublicKey& provider, const PublicKey& recipient,
                                         std::int32_t day, std::int64_t minutes);
// "alice already has 1 hour to bob on 2026-11-29 (pending, entry 1c8ee42b7c12)":
// what a possible duplicate refusal says of the hours found.
std::string describe_same_hours(Node& node, const Movement& same);

}  // namespace cohours::app
