// Group sessions (docs/decisions.md "Group sessions"): a lunch club with
// six members, a group outing, a group respite afternoon with several
// volunteers, logged as one hours.group entry instead of one entry per
// person. Each volunteer earns the time they gave once; the pool (for
// service users and the community) or the members helped (sharing it in
// whole minutes) pay. Pending until confirmed: `hours confirm` by a
// coordinator posts every share, by a member helped their own share.
#pragma once

#include <string>
#include <vector>

#include "cohours/app/movements.h"
#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

struct GroupVolunteer {
  std::string name;          // alias, ALIAS@THIS-NODE or key
  std::int64_t minutes = 0;  // 0: the session's length
};
// hours group: `as` is a coordinator (signing in their own name) or one of
// the volunteers; the node must hold their key. `with` empty: community
// work, paid by the pool and confirmed by a coordinator.
struct LogGroupSession {
  std::string as;
  std::vector<GroupVolunteer> volunteers;  // empty: `as` alone
  std::int64_t minutes = 0;                // the session's length, for volunteers without their own
  std::vector<std::string> with;           // the members helped, in the order their shares are dealt
  // "pool", "shared" (the members helped share the cost), or empty: the
  // pool if every member helped is a service user, shared if none is.
  std::string payer;
  std::string category;
  std::int32_t date_days = 0;
  std::string note;  // private, kept off the log
};

// One member helped and their share of the session: what they pay (or the
// pool pays for them), added up over the volunteers, and where it stands.
struct GroupShare {
  std::string member;  // "community" for community work
  std::int64_t minutes = 0;
  MovementStatus status = MovementStatus::pending;
};
struct GroupVolunteerTime {
  std::string volunteer;
  std::int64_t minutes = 0;  // what they gave, and earn once
};
struct GroupSession {
  EntryId id;
  std::vector<GroupVolunteerTime> volunteers;  // in entry order
  std::vector<GroupShare> shares;              // in entry order
  bool pool_pays = false;
  std::string category;
  std::int32_t date_days = 0;
  std::int64_t minutes = 0;  // every volunteer's time, each counted once
  std::uint64_t seq = 0;
};
struct GroupLogged {
  Accepted entry;
  GroupSession session;
};
Result<GroupLogged> log_group_session(Node& node, const LogGroupSession& request);

// hours group show: a session and each member's share.
struct ShowGroupSession {
  std::string id;
};
Result<GroupSession> show_group_session(Node& node, const ShowGroupSession& request);

// The session's view from its legs (Ledger::group_legs).
GroupSession group_session_of(Node& node, const std::vector<Movement>& legs);

}  // namespace cohours::app
