// Signature verification on all cores: the one cost per entry that cannot go
// away, so it runs before any lock is taken.
#pragma once

#include <cstddef>
#include <functional>

namespace cohours {

// Calls check(i) for i in [0, count) on the calling thread and a pool of
// threads started once per process (one fewer than the cores), several
// callers at once sharing it. check must be thread-safe; the first exception
// it throws is rethrown here once every item has run.
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& check);

}  // namespace cohours
