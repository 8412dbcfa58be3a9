// The daemon's side of the control socket: one request, one response.
#pragma once

#include <string>

#include "cohours/app/node.h"

namespace cohours::control {

// Decodes {"version": 2, "call": NAME, "request": {...}}, runs the call on
// `node` and encodes its result ({"ok": true, "reply": ...} or {"ok": false,
// "code", "message"}). A request that does not decode, names an unknown
// call or another protocol version is answered with code malformed. Never
// throws. Safe to call from several threads (app use cases are).
std::string serve_call(app::Node& node, const std::string& request_json);

}  // namespace cohours::control
