#include "cohours/control/server.h"

#include <algorithm>
#include <optional>

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

// Progress for the watcher of one call, thinned so that a file of 100,000
// rows makes about a hundred messages, not 100,000.
app::Progress progress_to(const Interim& interim) {
  return [&interim, last = std::uint64_t{0}, started = false](const char* verb, std::uint64_t done,
                                                              std::uint64_t total) mutable {
    const std::uint64_t step = std::max<std::uint64_t>((total + 99) / 100, 1);  // at most 100 and the last
    if (started && done != total && done < last + step) return;
    started = true;
    last = done;
    interim(progress_message(verb, done, total));
  };
}

}  // namespace

std::string progress_message(const char* verb, std::uint64_t done, std::uint64_t total) {
  return dump({{"progress", {{"verb", verb}, {"done", done}, {"total", total}}}});
}

std::string serve_call(app::Node& node, const std::string& request_json, const Interim& interim) {
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
    std::optional<app::ProgressOnThisThread> watching;
    if (interim && message.contains("progress") && message["progress"] == true) watching.emplace(progress_to(interim));
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
