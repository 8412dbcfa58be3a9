// The client API for phones (docs/api.md), without sockets: a request in,
// a response out. cohoursd serves it over HTTP (net/http_server.h); the
// tests call it directly. Every handler parses, calls one app use case and
// renders its result as JSON; no ledger rule lives here.
//
// Thread safety: handle() may run on several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/app/receipts.h"

namespace cohours::api {

struct ApiRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // the path with its query, exactly as sent
  std::string content_type;
  std::string key;        // X-Cohours-Key
  std::string time;       // X-Cohours-Time
  std::string signature;  // X-Cohours-Signature
  std::string body;
  std::string peer;  // the client's address, for the enrolment limit
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by error(): why, for the daemon's log (not sent). `refusal_kind` is
  // the status and the message's fixed start, never text from the request.
  std::string refusal_kind;
  std::string refusal;
  // The route as a template (route_template), for the daemon's request counts.
  std::string route;
};

struct ApiOptions {
  std::int64_t window_seconds = 120;         // signed requests: how far the phone's clock may be off
  std::uint32_t requests_per_minute = 120;   // per member key
  std::uint32_t enrolments_per_minute = 30;  // per client address
};

// Bodies: 64 KiB of JSON, 1 MiB for entries, 8 MiB for a receipt (the
// receipts store's own cap, so the server never reads what app refuses).
inline constexpr std::size_t kMaxJsonBody = 64 * 1024;
inline constexpr std::size_t kMaxEntriesBody = 1024 * 1024;
inline constexpr std::size_t kMaxReceiptBody = app::kMaxReceiptBytes;
// Arrays and objects inside each other in a JSON body (the schemas need 3).
inline constexpr std::size_t kMaxJsonNesting = 16;

class ClientApi {
 public:
  // `node` must outlive the API.
  explicit ClientApi(app::Node& node, ApiOptions options = {});
  ~ClientApi();
  ClientApi(const ClientApi&) = delete;
  ClientApi& operator=(const ClientApi&) = delete;

  ApiResponse handle(const ApiRequest& request);

  // The most body bytes a request to `target` may carry; a server reads no
  // more (413 beyond).
  static std::size_t body_limit(std::string_view method, std::string_view target);
  // The route `target` names, as a template holding no bytes of the
  // request: the path for a fixed one, /v1/members/{alias}/statement,
  // /v1/schema/{name}, or "unknown".
  static std::string route_template(std::string_view target);
  // An error answer in the API's one shape.
  static ApiResponse error(int status, std::string_view code, std::string_view message,
                           std::string_view field = "");
  // The answer to a CORS preflight (OPTIONS): 204, the methods and the
  // request-signature headers a phone of another origin may send.
  static ApiResponse preflight();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The API's JSON Schemas (schemas/api/NAME.schema.json), built into the
// binary; nullopt for an unknown name.
std::optional<std::string_view> schema_text(std::string_view name);
std::vector<std::string> schema_names();

}  // namespace cohours::api
