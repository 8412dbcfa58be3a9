#include "cohours/api/request_signature.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cohours/crypto.h"

using namespace cohours;

TEST_CASE("request signatures match the pinned vectors") {
  std::ifstream in(COHOURS_REQUEST_VECTORS);
  REQUIRE(in);
  nlohmann::json file = nlohmann::json::parse(in);
  auto seed = fixed_from_hex<FixedBytes<32>>(file["seed"].get<std::string>());
  REQUIRE(seed);
  KeyPair pair = keypair_from_seed(*seed);
  CHECK(to_hex(pair.public_key) == file["public_key"].get<std::string>());
  REQUIRE(file["vectors"].size() >= 4);
  for (const auto& v : file["vectors"]) {
    auto raw = from_hex(v["body_hex"].get<std::string>());
    REQUIRE(raw);
    const std::string body(raw->begin(), raw->end());
    const std::string method = v["method"], path = v["path"];
    const std::int64_t time = v["time"];
    CAPTURE(path);
    CHECK(to_hex(blake2b_256(body)) == v["body_digest"].get<std::string>());
    CHECK(api::request_signing_bytes(method, path, time, body) == v["signing_bytes"].get<std::string>());
    auto signature = fixed_from_hex<Signature>(v["signature"].get<std::string>());
    REQUIRE(signature);
    CHECK(*signature == api::sign_request(pair.secret_key, method, path, time, body));
    CHECK(api::verify_request(pair.public_key, *signature, method, path, time, body));
    // Any change to what is covered breaks it.
    CHECK_FALSE(api::verify_request(pair.public_key, *signature, method, path + "x", time, body));
    CHECK_FALSE(api::verify_request(pair.public_key, *signature, method, path, time + 1, body));
    CHECK_FALSE(api::verify_request(pair.public_key, *signature, method, path, time, body + " "));
    CHECK_FALSE(
        api::verify_request(pair.public_key, *signature, method == "GET" ? "POST" : "GET", path, time, body));
  }
}
