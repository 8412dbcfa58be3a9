// The daemon's side of the control socket: one request, one response,
// and before the response, if the request asks, progress messages.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cohours/app/node.h"

namespace cohours::control {

// Decodes {"version": 2, "call": NAME, "request": {...}}, runs the call on
// `node` and encodes its result ({"ok": true, "reply": ...} or {"ok": false,
// "code", "message"}). A request that does not decode, names an unknown
// call or another protocol version is answered with code malformed. Never
// throws. Safe to call from several threads (app use cases are).
//
// A request with "progress": true gets, while a long use case runs (an
// import, an audit), progress messages {"progress": {"verb", "done",
// "total"}} through `interim` before the response: at most about one for
// every hundredth of the work, and the last one. Without it, or without
// `interim`, none.
using Interim = std::function<void(const std::string& message_json)>;
std::string serve_call(app::Node& node, const std::string& request_json, const Interim& interim = {});

// A progress message as serve_call sends it.
std::string progress_message(const char* verb, std::uint64_t done, std::uint64_t total);

}  // namespace cohours::control
