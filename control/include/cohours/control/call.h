// A call: one use case of app/ named for the control socket. Call<Request>
// gives its name, its reply type and how to run it on a Node; the client
// encodes the request, the daemon decodes it, runs it and sends the result
// back (docs/control.md). Each group of use cases lists its calls in a
// calls_*.h header with COHOURS_CALL and a CallList.
#pragma once

#include "cohours/app/node.h"
#include "cohours/result.h"

namespace cohours::control {

template <typename Request>
struct Call;  // specialised by COHOURS_CALL only

template <typename... Requests>
struct CallList {};

template <typename... Lists>
struct JoinCalls;
template <typename... A>
struct JoinCalls<CallList<A...>> {
  using type = CallList<A...>;
};
template <typename... A, typename... B, typename... Rest>
struct JoinCalls<CallList<A...>, CallList<B...>, Rest...> {
  using type = typename JoinCalls<CallList<A..., B...>, Rest...>::type;
};

}  // namespace cohours::control

// Names `function(Node&, const Request&) -> Result<Reply>` as call `call_name`.
#define COHOURS_CALL(Request, Reply, call_name, function)                                     \
  template <>                                                                                 \
  struct cohours::control::Call<Request> {                                                    \
    using ReplyType = Reply;                                                                  \
    static constexpr const char* name = call_name;                                            \
    static ::cohours::Result<Reply> run(::cohours::app::Node& node, const Request& request) { \
      return function(node, request);                                                         \
    }                                                                                         \
  };
