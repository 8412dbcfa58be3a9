// A node for the API fuzz targets: made once per process in a temporary
// directory (removed at exit), with one member, "dave" (coordinator,
// admin), whose phone key the target holds so it can sign requests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cohours/api/client_api.h"
#include "cohours/api/request_signature.h"
#include "cohours/app/init.h"
#include "cohours/app/members.h"
#include "cohours/app/node.h"
#include "cohours/clock.h"
#include "cohours/crypto.h"
#include "fuzz_support.h"

namespace cohours::fuzz {

struct ApiNode {
  FakeClock clock{1'795'000'000'000};
  std::filesystem::path dir;
  std::unique_ptr<app::Node> node;
  std::unique_ptr<api::ClientApi> api;
  KeyPair phone = keypair_from_seed(FixedBytes<32>{{3}});  // make_fuzz_seeds signs with the same

  ApiNode() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cohours-fuzz-XXXXXX").string();
    FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
    FUZZ_CHECK(app::init_node(dir / "node", "Fuzz Co-op", *Currency::parse("GBP"), clock).ok());
    auto opened = app::Node::open(dir / "node", clock);
    FUZZ_CHECK(opened.ok());
    node = std::move(opened).value();
    FUZZ_CHECK(app::add_member(*node, {"dave", {"coordinator", "admin"}, to_hex(phone.public_key), "", ""}).ok());
    // No allowance runs out while fuzzing: every input gets as far as it can.
    api::ApiOptions options;
    options.requests_per_minute = 1'000'000'000;
    options.enrolments_per_minute = 1'000'000'000;
    api = std::make_unique<api::ClientApi>(*node, options);
  }
  ~ApiNode() {
    api.reset();
    node.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  // The request signed with dave's phone key at the node's time; a second
  // passes per request, so no two sign the same bytes.
  void sign(api::ApiRequest& request) {
    clock.advance_ms(1000);
    const std::int64_t time = clock.now_ms() / 1000;
    request.key = to_hex(phone.public_key);
    request.time = std::to_string(time);
    request.signature =
        to_hex(api::sign_request(phone.secret_key, request.method, request.target, time, request.body));
  }
};

// Made on first use and destroyed at exit, so the directory goes too.
inline ApiNode& api_node() {
  static ApiNode node;
  return node;
}

// Splits the input into its first `count` lines and the rest.
inline std::vector<std::string> split_lines(const std::uint8_t* data, std::size_t size, std::size_t count) {
  std::vector<std::string> out;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  while (out.size() < count) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(at, end - at));
    at = std::min(end + 1, text.size());
  }
  out.push_back(text.substr(at));
  return out;
}

}  // namespace cohours::fuzz
