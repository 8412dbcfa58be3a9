// Signed requests made ahead of a load run of the client API (docs/api.md),
// so the load tool (wrk) spends nothing on ed25519 and every request is a
// fresh one the node accepts.
//
//   api_presign setup --data DIR --members N --keys FILE
//       adds N members to the (stopped) node, each with a key made here as
//       a phone would, and writes their seeds to FILE
//   api_presign sign --keys FILE --node-key HEX --kind me|entries --requests M --out FILE
//       signs M requests now (they must be used within two minutes): GET
//       /v1/me, or POST /v1/entries with one hours.log each (pending, so
//       no floor is reached), spread over the members; one per line,
//       METHOD TAB PATH TAB KEY TAB TIME TAB SIGNATURE TAB BODY
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "cohours/api/request_signature.h"
#include "cohours/app/clock_source.h"
#include "cohours/app/members.h"
#include "cohours/app/node.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"

using namespace cohours;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: api_presign setup --data DIR --members N --keys FILE\n"
               "       api_presign sign --keys FILE --node-key HEX --kind me|entries --requests M --out FILE\n");
  return 2;
}

int setup(const std::string& data, std::size_t members, const std::string& keys_file) {
  auto node = app::Node::open(data, **app::process_clock());
  if (!node.ok()) {
    std::fprintf(stderr, "%s\n", node.status().message().c_str());
    return 1;
  }
  std::ofstream keys(keys_file, std::ios::trunc);
  for (std::size_t i = 0; i < members; ++i) {
    FixedBytes<32> seed;
    random_bytes(seed.bytes);
    KeyPair pair = keypair_from_seed(seed);
    auto added = app::add_member(**node, {"phone" + std::to_string(i), {"volunteer"}, to_hex(pair.public_key), "", ""});
    if (!added.ok()) {
      std::fprintf(stderr, "%s\n", added.status().message().c_str());
      return 1;
    }
    keys << to_hex(seed) << "\n";
  }
  return keys ? 0 : 1;
}

int sign(const std::string& keys_file, const PublicKey& node_key, const std::string& kind, std::size_t requests,
         const std::string& out_file) {
  std::vector<KeyPair> members;
  std::ifstream keys(keys_file);
  for (std::string line; std::getline(keys, line);)
    if (auto seed = fixed_from_hex<FixedBytes<32>>(line)) members.push_back(keypair_from_seed(*seed));
  if (members.size() < 2) return usage();
  // The node's clock (COHOURS_NOW moves both), or every request is stale.
  auto clock = app::process_clock();
  if (!clock.ok()) {
    std::fprintf(stderr, "%s\n", clock.status().message().c_str());
    return 1;
  }
  const std::int64_t now_ms = clock.value()->now_ms();
  const std::int64_t now_s = now_ms / 1000;
  std::ofstream out(out_file, std::ios::trunc);
  for (std::size_t i = 0; i < requests; ++i) {
    const KeyPair& who = members[i % members.size()];
    // A different nonce in each path makes every signature new (docs/api.md).
    std::string path = kind == "me" ? "/v1/me?nonce=" + std::to_string(i) : "/v1/entries?nonce=" + std::to_string(i);
    std::string body;
    if (kind == "entries") {
      HoursLog hours;
      hours.recipient = members[(i + 1) % members.size()].public_key;
      hours.minutes = 30;
      hours.category = "befriending";
      hours.date_days = days_from_ms(now_ms);
      Entry entry{kEntryFormatVersion, node_key, who.public_key, {}, now_ms, i + 1, hours};
      body = "{\"entries\":[\"" + to_hex(sign_entry(entry, who.secret_key).bytes) + "\"]}";
    }
    const std::string method = kind == "me" ? "GET" : "POST";
    out << method << '\t' << path << '\t' << to_hex(who.public_key) << '\t' << now_s << '\t'
        << to_hex(api::sign_request(who.secret_key, method, path, now_s, body)) << '\t' << body << '\n';
  }
  return out ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init() || argc < 2) return usage();
  std::string mode = argv[1], data, keys, node_key, kind, out;
  std::size_t members = 0, requests = 0;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--data") data = value;
    else if (flag == "--members") members = std::stoul(value);
    else if (flag == "--keys") keys = value;
    else if (flag == "--node-key") node_key = value;
    else if (flag == "--kind") kind = value;
    else if (flag == "--requests") requests = std::stoul(value);
    else if (flag == "--out") out = value;
    else return usage();
  }
  if (mode == "setup" && !data.empty() && members > 1 && !keys.empty()) return setup(data, members, keys);
  auto key = fixed_from_hex<PublicKey>(node_key);
  if (mode == "sign" && key && (kind == "me" || kind == "entries") && requests > 0 && !out.empty())
    return sign(keys, *key, kind, requests, out);
  return usage();
}
