// The client API's JSON bodies (api/src/client_api.cpp, json_schema.cpp):
// every request is signed by a member's phone, so the body gets past the
// signature to the schema and the handler. Input: METHOD \n TARGET \n
// BODY. A body the schema let through must never make a handler throw
// (answered 500), and every answer is JSON.
#include <nlohmann/json.hpp>

#include "api_node.h"

using namespace cohours;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& node = fuzz::api_node();
  auto parts = fuzz::split_lines(data, size, 2);
  api::ApiRequest request;
  request.method = parts[0];
  request.target = parts[1];
  request.body = parts[2];
  request.peer = "192.0.2.1";
  // A receipt is kept as the bytes it is (no decoder); storing one per
  // input would only fill the disk.
  if (request.target.rfind("/v1/receipts", 0) == 0) return 0;
  node.sign(request);
  const api::ApiResponse response = node.api->handle(request);
  FUZZ_CHECK(response.status != 500);
  if (response.content_type == "application/json")
    FUZZ_CHECK(!nlohmann::json::parse(response.body, nullptr, false).is_discarded());
  return 0;
}
