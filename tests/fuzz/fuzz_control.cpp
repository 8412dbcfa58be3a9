// The control protocol (control/, cli/CONTROL.md): the JSON a local client
// sends the daemon, and the JSON answer the CLI reads back. For the call
// the input names, its request is decoded as serve_call decodes it and its
// result as RemoteNode does (result_from_json); what decodes must encode
// and decode again to the same JSON. Nothing is run: the use cases are
// app's, tested there.
#include <string>

#include "cohours/control/calls.h"
#include "fuzz_support.h"

using namespace cohours;
using namespace cohours::control;
using json = nlohmann::json;

namespace {

template <typename T>
void round_trip(const T& decoded) {
  const json first = decoded;
  const json second = first.get<T>();
  FUZZ_CHECK(first == second);
}

template <typename Request>
bool try_call(const std::string& name, const json& message) {
  if (name != Call<Request>::name) return false;
  // serve_call answers any std::exception as a malformed request; anything
  // else escaping from_json would end the daemon.
  try {
    if (message.contains("request")) round_trip(message["request"].get<Request>());
  } catch (const std::exception&) {
  }
  using Reply = typename Call<Request>::ReplyType;
  auto reply = result_from_json<Reply>(message);  // never throws
  if (reply.ok()) round_trip(reply.value());
  return true;
}

template <typename... Requests>
void dispatch(CallList<Requests...>, const std::string& name, const json& message) {
  (void)(try_call<Requests>(name, message) || ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const json message = json::parse(data, data + size, nullptr, false);
  if (message.is_discarded() || !message.is_object() || !message.contains("call") ||
      !message["call"].is_string())
    return 0;
  // Both ends refuse a message holding a fraction before decoding it
  // (serve_call, result_from_json); a request is checked as serve_call does.
  if (holds_fraction(message)) {
    FUZZ_CHECK(!result_from_json<bool>(message).ok());
    return 0;
  }
  dispatch(AllCalls{}, message["call"].get<std::string>(), message);
  return 0;
}
