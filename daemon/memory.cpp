#include "memory.h"

#include <malloc.h>

#include <chrono>
#include <memory>

#include <boost/asio/steady_timer.hpp>

namespace cohours {

void limit_malloc_retention() {
  // glibc gives each thread that allocates its own arena (up to 8 per core)
  // and rarely hands freed memory back: under a steady load resident memory
  // grew ~9 KiB per record with a live heap under 40 MB. Two arenas keep it
  // nearer the heap.
  mallopt(M_ARENA_MAX, 2);
  // A fixed threshold: blocks of 1 MiB and more (a page of the log, a
  // report's rows) are mapped and unmapped on their own. glibc's default
  // raises the threshold after each such block is freed, and then served
  // the next ones from the arenas, where the space stayed after them.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

namespace {

void trim_after(std::shared_ptr<boost::asio::steady_timer> timer) {
  timer->expires_after(std::chrono::seconds(30));
  timer->async_wait([timer](const boost::system::error_code& error) {
    if (error) return;  // io stopped
    // Free pages inside the arenas too, not only at their tops: a 65k-record
    // soak held 127 MB from the system with 79 MB in use; trimming gave
    // 22 MB back at once (docs/reliability.md "Soak").
    malloc_trim(0);
    trim_after(timer);
  });
}

}  // namespace

void trim_malloc_periodically(boost::asio::io_context& io) {
  trim_after(std::make_shared<boost::asio::steady_timer>(io));
}

}  // namespace cohours
