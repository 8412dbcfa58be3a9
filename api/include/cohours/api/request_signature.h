// Signed requests of the client API (docs/api.md "Signed requests"). A phone
// signs each request with the member's own key; the node never holds it.
//
// Signed bytes: "cohours-request-v1\n" METHOD "\n" PATH-WITH-QUERY "\n" TIME
// "\n" hex(BLAKE2b-256(body)). schemas/request-vectors.json pins examples
// that the web app's tests check too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cohours/types.h"

namespace cohours::api {

inline constexpr std::int64_t kRequestWindowSeconds = 120;

// The bytes a request's signature covers.
std::string request_signing_bytes(std::string_view method, std::string_view path_with_query,
                                  std::int64_t time_seconds, std::string_view body);
// Signs them (for tests, tools and vectors; phones do it in JavaScript).
Signature sign_request(const SecretKey& secret, std::string_view method, std::string_view path_with_query,
                       std::int64_t time_seconds, std::string_view body);
bool verify_request(const PublicKey& key, const Signature& signature, std::string_view method,
                    std::string_view path_with_query, std::int64_t time_seconds, std::string_view body);

}  // namespace cohours::api
