#include "cohours/control/server.h"

#include "cohours/control/calls.h"
#include "cohours/control/client.h"

namespace cohours::control {

namespace {

std::string dump(const nlohmann::json& value) {
  // Text from the store is bytes; anything that is not UTF-8 is replaced.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string refuse(const std::string& message) {
  return dump(result_to_json(Result<bool>(Code::malformed, message)));
}

template <typename Request>
bool try_call(app::Node& node, const std::string& name, const nlohmann::json& request,
              std::string* response) {
  if (name != Call<Request>::name) return false;
  Request decoded = request.get<Request>();
  *response = dump(result_to_json(Call<Request>::run(node, decoded)));
  return true;
}

template <typename... Requests>
bool dispatch(CallList<Requests...>, app::Node& node, const std::string& name, const nlohmann::json& request,
              std::string* response) {
  return (try_call<Requests>(node, name, request, response) || ...);
}

}  // namespace

std::string serve_call(app::Node& node, const std::string& request_json) {
  try {
    nlohmann::json message = nlohmann::json::parse(request_json, nullptr, false);
    if (message.is_discarded() || !message.is_object())
      return refuse("the control request is not a JSON object");
    if (holds_fraction(message)) return refuse("the control request holds a number that is not an integer");
    if (!message.contains("version") || message["version"] != kProtocolVersion)
      return refuse("this daemon speaks control protocol " + std::to_string(kProtocolVersion) +
                    " (use the cohours of the same release as cohoursd)");
    if (!message.contains("call") || !message["call"].is_string() || !message.contains("request"))
      return refuse("the control request names no call");
    const std::string name = message["call"].get<std::string>();
    std::string response;
    if (!dispatch(AllCalls{}, node, name, message["request"], &response))
      return refuse("this daemon knows no call '" + name + "'");
    if (response.size() > kMaxMessage)
      return dump(result_to_json(
          Result<bool>(Code::io_error,
                       "the answer (" + std::to_string(response.size()) +
                           " bytes) is over the control socket's limit of 16 MiB; ask for less at a time")));
    return response;
  } catch (const std::exception& e) {
    return refuse(std::string("the control request does not decode: ") + e.what());
  }
}

}  // namespace cohours::control
