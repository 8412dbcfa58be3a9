// How cohoursd keeps glibc's allocator from holding on to memory it freed
// (docs/reliability.md "Soak").
#pragma once

#include <boost/asio/io_context.hpp>

namespace cohours {

// Call first thing in main, before any thread starts.
void limit_malloc_retention();

// Every 30 s, hands the allocator's free pages back to the system while io
// runs (a steady timer on io; stops with it).
void trim_malloc_periodically(boost::asio::io_context& io);

}  // namespace cohours
