// Every call the control socket serves: one list per group of use cases.
#pragma once

#include "cohours/control/calls_accounts.h"
#include "cohours/control/calls_exchanges.h"

namespace cohours::control {
using AllCalls = JoinCalls<ExchangeCalls, AccountCalls>::type;
}  // namespace cohours::control
