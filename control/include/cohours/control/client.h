// The client side of the control socket: `cohours` runs a use case in the
// daemon that holds the node's store (docs/control.md).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "cohours/control/calls.h"
#include "cohours/control/socket.h"

namespace cohours::control {

inline constexpr int kProtocolVersion = 2;

class RemoteNode {
 public:
  // Connects to the daemon serving `data_dir`. nullopt when none does (no
  // socket, or a stale one that refuses connections: the caller then opens
  // the store itself); io_error if the socket is there but cannot be used.
  static Result<std::optional<RemoteNode>> connect(const std::filesystem::path& data_dir);

  // Runs the call in the daemon and returns its result. io_error if the
  // daemon did not answer. With `progress`, the daemon's progress messages
  // for a long call (an import, an audit) are passed to it as they come.
  template <typename Request>
  Result<typename Call<Request>::ReplyType> call(const Request& request, const app::Progress& progress = {}) {
    using Reply = typename Call<Request>::ReplyType;
    nlohmann::json message = {
        {"version", kProtocolVersion}, {"call", Call<Request>::name}, {"request", request}};
    if (progress) message["progress"] = true;
    auto answer = exchange(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), progress);
    if (!answer.ok()) return answer.status();
    nlohmann::json parsed = nlohmann::json::parse(answer.value(), nullptr, false);
    if (parsed.is_discarded()) return Result<Reply>(Code::io_error, no_answer());
    return result_from_json<Reply>(parsed);
  }

  const std::filesystem::path& data_dir() const { return data_dir_; }

 private:
  explicit RemoteNode(std::filesystem::path data_dir, Fd first)
      : data_dir_(std::move(data_dir)), next_(std::move(first)) {}
  // Sends one request and reads its response, on a new connection (the
  // first call uses the one connect() opened); progress messages before it
  // go to `progress`.
  Result<std::string> exchange(const std::string& request, const app::Progress& progress);
  std::string no_answer() const;

  std::filesystem::path data_dir_;
  Fd next_;
};

}  // namespace cohours::control
