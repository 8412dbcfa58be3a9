// The client API's signed-request headers (api/src/authenticator.cpp) and
// targets, as a stranger sends them: X-Cohours-Key, -Time and -Signature
// are the input's, never signed here. Input: METHOD \n TARGET \n KEY \n
// TIME \n SIGNATURE \n BODY. Nothing but the open paths may answer 200:
// no header forges a member's signature.
#include <nlohmann/json.hpp>

#include "api_node.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& node = fuzz::api_node();
  auto parts = fuzz::split_lines(data, size, 5);
  api::ApiRequest request;
  request.method = parts[0];
  request.target = parts[1];
  request.key = parts[2];
  request.time = parts[3];
  request.signature = parts[4];
  request.body = parts[5];
  request.peer = "192.0.2.1";
  node.clock.advance_ms(1000);
  const api::ApiResponse response = node.api->handle(request);
  FUZZ_CHECK(response.status != 500);
  const std::string path = request.target.substr(0, request.target.find('?'));
  if (response.status == 200)
    FUZZ_CHECK(path == "/v1/health" || path.rfind("/v1/schema/", 0) == 0);
  if (response.content_type == "application/json")
    FUZZ_CHECK(!nlohmann::json::parse(response.body, nullptr, false).is_discarded());
  return 0;
}
