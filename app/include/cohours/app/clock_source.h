// Where a process's time comes from: the system clock, or, when the
// environment variable COHOURS_NOW is set (YYYY-MM-DDTHH:MM:SSZ), the system
// clock shifted so that the process starts at that instant. Tests set it so
// their expected dates do not depend on the day they run (docs/testing.md);
// an operator may use it to rehearse a date. It moves no power: whoever can
// set it can set the system clock too.
#pragma once

#include "cohours/clock.h"
#include "cohours/result.h"

namespace cohours::app {

// The process's clock, chosen once on the first call and shared by every
// caller after that. Thread-safe. malformed if COHOURS_NOW is set but is
// not a UTC time of that form.
Result<const Clock*> process_clock();

}  // namespace cohours::app
