#include "cohours/api/request_signature.h"

#include "cohours/crypto.h"

namespace cohours::api {

std::string request_signing_bytes(std::string_view method, std::string_view path_with_query,
                                  std::int64_t time_seconds, std::string_view body) {
  std::string out = "cohours-request-v1\n";
  out += method;
  out += '\n';
  out += path_with_query;
  out += '\n';
  out += std::to_string(time_seconds);
  out += '\n';
  out += to_hex(blake2b_256(body));
  return out;
}

Signature sign_request(const SecretKey& secret, std::string_view method, std::string_view path_with_query,
                       std::int64_t time_seconds, std::string_view body) {
  const std::string bytes = request_signing_bytes(method, path_with_query, time_seconds, body);
  return sign(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), secret);
}

bool verify_request(const PublicKey& key, const Signature& signature, std::string_view method,
                    std::string_view path_with_query, std::int64_t time_seconds, std::string_view body) {
  const std::string bytes = request_signing_bytes(method, path_with_query, time_seconds, body);
  return verify(signature, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), key);
}

}  // namespace cohours::api
