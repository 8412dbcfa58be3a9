// Which fields of an entry are digests of private notes (notes, memos,
// reasons, payment references): their texts live in the erasable notes
// column, never in the log.
#pragma once

#include <vector>

#include "cohours/entry.h"

namespace cohours::app {

std::vector<Hash32> note_digests(const EntryBody& body);

}  // namespace cohours::app
