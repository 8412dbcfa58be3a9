// The pending column (docs/data-format.md) for stores made before it: built
// once from the movements of every log the store holds.
#pragma once

#include "cohours/result.h"
#include "cohours/store.h"

namespace cohours {

// Whether the store's pending column was built (or the store began with it).
Result<bool> has_pending_index(const Store& base);

// Lists every pending movement of every log in the pending column, then
// marks the store as indexed; does nothing if it already is. A crash before
// the marker leaves it to be done again, the same rows written again.
Status build_pending_index(Store& base);

}  // namespace cohours
