// A phone for the crash loop and the soak (tests/crash): signs entries and
// requests with a member's own key and sends them to cohoursd's client API.
// The signed entry is written to a file before it is sent, so an entry whose
// answer was lost (the daemon killed mid-request) can be sent again, byte for
// byte, after the restart: `duplicate` or `stored` then says it is in.
//
//   crash_phone key SEED_FILE                  makes SEED_FILE (if missing), prints the public key
//   crash_phone hours PORT SEED_FILE ENTRY_FILE TO_KEY MINUTES
//   crash_phone confirm PORT SEED_FILE ENTRY_FILE TARGET_ID
//   crash_phone resend PORT SEED_FILE ENTRY_FILE
//   crash_phone me PORT SEED_FILE               GET /v1/me; prints the balance
//
// hours/confirm/resend print "stored ID", "duplicate ID" (exit 0), "refused
// ID CODE" (exit 3); no answer or a status other than 200 is exit 1, the
// outcome unknown. Times come from the node's Date header (docs/api.md), so
// requests verify against the node's clock whatever COHOURS_NOW it runs at.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "cohours/api/request_signature.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/entry.h"

using namespace cohours;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace {

struct Answer {
  int status = -1;  // -1: no answer
  std::string body;
  std::int64_t date_s = 0;  // the node's clock, from the Date header
};

std::int64_t parse_http_date(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

Answer send(unsigned short port, const std::string& method, const std::string& target, const std::string& body,
            const KeyPair* who, std::int64_t time_s) {
  Answer answer;
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    // A killed daemon must not leave the phone waiting for ever.
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (who) {
      req.set("X-Cohours-Key", to_hex(who->public_key));
      req.set("X-Cohours-Time", std::to_string(time_s));
      req.set("X-Cohours-Signature", to_hex(api::sign_request(who->secret_key, method, target, time_s, body)));
    }
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    answer.status = static_cast<int>(res.result_int());
    answer.body = res.body();
    answer.date_s = parse_http_date(std::string(res[http::field::date]));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "no answer: %s\n", e.what());
    answer.status = -1;
  }
  return answer;
}

std::optional<KeyPair> load_key(const std::string& seed_file) {
  std::ifstream in(seed_file);
  std::string line;
  std::getline(in, line);
  auto seed = fixed_from_hex<FixedBytes<32>>(line);
  if (!seed) return std::nullopt;
  return keypair_from_seed(*seed);
}

std::string nonce() {
  FixedBytes<8> bytes;
  random_bytes(bytes.bytes);
  return to_hex(bytes);
}

// The node's key and clock, from the unsigned health check.
struct NodeView {
  PublicKey key;
  std::int64_t now_s = 0;
};
std::optional<NodeView> look(unsigned short port) {
  Answer health = send(port, "GET", "/v1/health", "", nullptr, 0);
  if (health.status != 200 || health.date_s == 0) return std::nullopt;
  auto key = fixed_from_hex<PublicKey>(json::parse(health.body).value("node_key", ""));
  if (!key) return std::nullopt;
  return NodeView{*key, health.date_s};
}

int post_entry(unsigned short port, const KeyPair& who, const std::string& entry_hex) {
  auto node = look(port);
  if (!node) return 1;
  // This phone logs many visits of random lengths on one day; each is more
  // help, so it says so (`again`) rather than answer possible_duplicate.
  json request = {{"entries", json::array({entry_hex})}};
  if (auto bytes = from_hex(entry_hex)) request["again"] = json::array({to_hex(entry_id_of(*bytes))});
  const std::string body = request.dump();
  Answer answer = send(port, "POST", "/v1/entries?nonce=" + nonce(), body, &who, node->now_s);
  if (answer.status != 200) {
    std::fprintf(stderr, "status %d: %s\n", answer.status, answer.body.c_str());
    return 1;
  }
  const json result = json::parse(answer.body).at("results").at(0);
  const std::string status = result.at("status");
  std::printf("%s %s%s\n", status.c_str(), result.at("id").get<std::string>().c_str(),
              status == "refused" ? (" " + result.value("error", "")).c_str() : "");
  return status == "refused" ? 3 : 0;
}

// Signs `body` now (the node's now) and keeps the bytes in `entry_file`
// before anything is sent.
int sign_and_post(unsigned short port, const KeyPair& who, const std::string& entry_file, EntryBody body) {
  auto node = look(port);
  if (!node) return 1;
  if (auto* hours = std::get_if<HoursLog>(&body)) hours->date_days = days_from_ms(node->now_s * 1000);
  Entry entry{kEntryFormatVersion, node->key, who.public_key, {}, node->now_s * 1000, random_u64(), body};
  const std::string hex = to_hex(sign_entry(entry, who.secret_key).bytes);
  {
    std::ofstream out(entry_file + ".tmp", std::ios::trunc);
    out << hex << "\n";
    out.close();
    if (!out) return 2;
  }
  std::filesystem::rename(entry_file + ".tmp", entry_file);
  return post_entry(port, who, hex);
}

int usage() {
  std::fprintf(stderr, "usage: see tests/crash/crash_phone.cpp\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init() || argc < 3) return usage();
  const std::string mode = argv[1];
  if (mode == "key") {
    if (!std::filesystem::exists(argv[2])) {
      FixedBytes<32> seed;
      random_bytes(seed.bytes);
      std::ofstream(argv[2]) << to_hex(seed) << "\n";
    }
    auto key = load_key(argv[2]);
    if (!key) return 2;
    std::printf("%s\n", to_hex(key->public_key).c_str());
    return 0;
  }
  if (argc < 4) return usage();
  const auto port = static_cast<unsigned short>(std::stoi(argv[2]));
  auto who = load_key(argv[3]);
  if (!who) return usage();
  if (mode == "me" && argc == 4) {
    auto node = look(port);
    if (!node) return 1;
    Answer me = send(port, "GET", "/v1/me?nonce=" + nonce(), "", &*who, node->now_s);
    if (me.status != 200) return 1;
    std::printf("%lld\n", static_cast<long long>(json::parse(me.body).at("balance_minutes").get<std::int64_t>()));
    return 0;
  }
  if (argc < 5) return usage();
  const std::string entry_file = argv[4];
  if (mode == "resend" && argc == 5) {
    std::ifstream in(entry_file);
    std::string hex;
    std::getline(in, hex);
    return hex.empty() ? 2 : post_entry(port, *who, hex);
  }
  if (mode == "hours" && argc == 7) {
    auto to = fixed_from_hex<PublicKey>(argv[5]);
    if (!to) return usage();
    HoursLog hours;
    hours.recipient = *to;
    hours.payer = Payer::pool;  // a service user's hours are paid by the co-op
    hours.minutes = std::stoll(argv[6]);
    hours.category = "befriending";
    return sign_and_post(port, *who, entry_file, hours);
  }
  if (mode == "confirm" && argc == 6) {
    auto target = fixed_from_hex<EntryId>(argv[5]);
    if (!target) return usage();
    return sign_and_post(port, *who, entry_file, HoursConfirm{*target});
  }
  return usage();
}
