// Which day a figure counts (docs/decisions.md "Which day a figure counts"),
// shared by statements and the period report: hours on the day the help was
// given, cash on the day it was paid, anything else on the day the ledger
// recorded it.
#pragma once

#include <cstdint>

#include "cohours/app/node.h"
#include "cohours/dates.h"
#include "cohours/ledger.h"

namespace cohours::app {

// The day the ledger recorded the record at `seq` (its receive time, UTC).
inline Result<std::int32_t> recorded_day(Node& node, std::uint64_t seq) {
  auto record = node.ledger().record(seq);
  if (!record.ok()) return record.status();
  return days_from_ms(record->received_ms);
}

// The day a posting counts: hours on the day the help was given; anything
// else (transfers, credits between co-ops, reversals) on `recorded`, the
// day its entry was recorded.
inline std::int32_t counting_day(const Posting& posting, const Movement* m, std::int32_t recorded) {
  if (!m || !is_help(m->kind) ||
      (posting.entry == m->closed_by && m->status == MovementStatus::reversed))
    return recorded;
  return m->date_days;
}

}  // namespace cohours::app
