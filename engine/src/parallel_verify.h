// Signature verification on all cores: the one cost per entry that cannot go
// away, so it runs before any lock is taken.
#pragma once

#include <cstddef>
#include <functional>

namespace cohours {

// Calls check(i) for i in [0, count), split over the machine's cores when
// count is large enough to pay for the threads. check must be thread-safe.
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& check);

}  // namespace cohours
