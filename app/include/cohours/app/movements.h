// Movements of credits as people read them: names instead of keys.
#pragma once

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
};

MovementView view_of(Node& node, const Movement& movement);

}  // namespace cohours::app
