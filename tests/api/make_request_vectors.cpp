// Writes schemas/request-vectors.json: signed requests of the client API
// (docs/api.md "Signed requests"), each with the signer's seed, the request,
// the body's digest, the exact signed bytes and the signature. Written once,
// then pinned: request_signature_test.cpp checks the server's code against
// it and the web app's tests check its JavaScript against it. Refuses to
// overwrite the file without --overwrite.
//
//   cmake --build build --target make_request_vectors
//   build/tests/make_request_vectors schemas/request-vectors.json
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cohours/api/request_signature.h"
#include "cohours/crypto.h"

using namespace cohours;

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--overwrite")) {
    std::fprintf(stderr, "usage: make_request_vectors FILE [--overwrite]\n");
    return 2;
  }
  if (std::filesystem::exists(argv[1]) && argc != 3) {
    std::fprintf(stderr, "%s exists: it is pinned (pass --overwrite to change the request format)\n",
                 argv[1]);
    return 1;
  }
  if (!crypto_init()) return 1;
  FixedBytes<32> seed;
  for (std::size_t i = 0; i < 32; ++i) seed.bytes[i] = static_cast<std::uint8_t>(0x20 + i);
  KeyPair pair = keypair_from_seed(seed);
  struct Example {
    const char* method;
    const char* path;
    std::int64_t time;
    std::string body;
  };
  const Example examples[] = {
      {"GET", "/v1/me", 1795000000, ""},
      {"GET", "/v1/me/statement?from=2026-11-01&to=2026-11-30", 1795000123, ""},
      {"POST", "/v1/entries", 1795000456,
       R"({"entries":["0102"],"notes":[{"salt":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","text":"Tea and a chat ☕"}]})"},
      {"POST", "/v1/receipts", 1795000789, std::string("\x89PNG\r\n\x1a\n\x00\x01\xff", 11)},
  };
  nlohmann::json vectors = nlohmann::json::array();
  for (const auto& e : examples) {
    Signature signature = api::sign_request(pair.secret_key, e.method, e.path, e.time, e.body);
    vectors.push_back({{"method", e.method},
                       {"path", e.path},
                       {"time", e.time},
                       {"body_hex", to_hex(Bytes(e.body.begin(), e.body.end()))},
                       {"body_digest", to_hex(blake2b_256(e.body))},
                       {"signing_bytes", api::request_signing_bytes(e.method, e.path, e.time, e.body)},
                       {"signature", to_hex(signature)}});
  }
  nlohmann::json file = {
      {"$comment",
       {"Signed requests of the cohours client API (docs/api.md, 'Signed requests'). Written once by "
        "tests/api/make_request_vectors.cpp and pinned: the server's tests and the web app's tests check "
        "against it. Never edit it by hand.",
        "seed: hex of the 32-byte ed25519 seed of the member's key; public_key: its public half (the "
        "X-Cohours-Key header). Each vector: method, path (with its query, as sent), time (X-Cohours-Time, "
        "seconds), body_hex (the body's bytes), body_digest (hex BLAKE2b-256 of the body, unkeyed), "
        "signing_bytes (the exact UTF-8 text signed), signature (X-Cohours-Signature)."}},
      {"format", "cohours-request-vectors"},
      {"seed", to_hex(seed)},
      {"public_key", to_hex(pair.public_key)},
      {"vectors", vectors}};
  std::ofstream out(argv[1], std::ios::trunc);
  out << file.dump(2) << "\n";
  return out ? 0 : 1;
}
