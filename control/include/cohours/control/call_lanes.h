// How the daemon may run each call beside others (cli/CONTROL.md "Calls at
// once"). A call only reads, or it changes the node; a few reads hold one
// snapshot of the store for long (an audit, a report), and a few changes
// erase personal data, which must not outlive them in files a snapshot
// keeps. Calls not listed here (new ones included) run one at a time, in
// the order they came, as every call did before.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace cohours::control {

struct CallTraits {
  bool read_only = false;      // may run beside any other call
  bool long_snapshot = false;  // pins one snapshot for its whole run
  bool erases = false;         // erases personal data (compacts it away): waits for long snapshots to end
};

CallTraits call_traits(std::string_view call_name);
// The calls call_traits says only read (a test checks each is a call).
std::span<const std::string_view> read_only_call_names();

// The call a control request names, without decoding its request; "" if
// it names none (serve_call then refuses it).
std::string call_name_of(const std::string& request_json);

}  // namespace cohours::control
