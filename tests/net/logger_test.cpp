// The daemon's log (net/src/logger.cpp): whatever a peer sends that ends up
// in a line (a Goodbye's reason, an alias) cannot move a terminal's cursor,
// change its colours or forge a second line.
#include "cohours/net/logger.h"

#include <doctest/doctest.h>

using namespace cohours::net;

TEST_CASE("log lines show control characters as \\xNN and keep the rest") {
  CHECK(log_safe("peer said goodbye: shutting down") == "peer said goodbye: shutting down");
  CHECK(log_safe("\x1b[2J\x1b[31mred") == "\\x1b[2J\\x1b[31mred");
  CHECK(log_safe("one\ntwo\rthree") == "one\\x0atwo\\x0dthree");
  CHECK(log_safe(std::string_view("nul\0bell\x07" "del\x7f", 13)) == "nul\\x00bell\\x07del\\x7f");
  CHECK(log_safe("Café coöp") == "Café coöp");  // UTF-8 stays readable
}
