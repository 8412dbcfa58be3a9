// A misbehaving peer for the daemon tests (tests/net/daemon_test.sh): dials
// a running cohoursd and does one bad thing, as a broken or hostile node
// would.
//
//   peer_probe MODE --consortium FILE --connect HOST:PORT --key KEYFILE
//              [--store DIR --log HEX --from N]
//
// MODE:
//   unknown-key   handshake with KEYFILE, a key not in the consortium: must be refused
//   forged        send records of --log (read from --store, a stopped node's
//                 store) after --from, with one bit of an entry flipped
//   broken-link   the same records with one record's previous-hash changed
//   out-of-order  the same records with two of them swapped
//   equivocate    sign a second head for --log at the size of its latest
//                 head with another root (KEYFILE must be that log's node key)
//   flood         one Heads message holding 55,000 copies of --log's latest
//                 head (about 8 MiB): must be refused as malformed at once
// Prints what happened; exits 0 if the probe ran (the test checks the
// daemon's reaction), 1 if it could not.
#include <utility>  // before asio's awaitable headers (g++ 12)

// g++ 12 misreads asio's recycled coroutine frames as mismatched new/delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cohours/crypto.h"
#include "cohours/net/consortium.h"
#include "cohours/net/messages.h"
#include "cohours/net/peer_link.h"
#include "cohours/replicas.h"

using namespace cohours;
using namespace cohours::net;
namespace asio = boost::asio;

namespace {

struct Args {
  std::string mode, consortium, connect, key, store, log;
  std::uint64_t from = 0;
};

SecretKey read_key(const std::string& path) {
  std::ifstream in(path);
  std::string hex;
  in >> hex;
  auto raw = from_hex(hex);
  if (!raw || raw->size() != SecretKey::size()) throw std::runtime_error("bad key file " + path);
  SecretKey key;
  std::copy(raw->begin(), raw->end(), key.bytes.begin());
  return key;
}

PublicKey key_from_hex(const std::string& hex) {
  auto raw = from_hex(hex);
  if (!raw || raw->size() != 32) throw std::runtime_error("bad key " + hex);
  PublicKey key;
  std::copy(raw->begin(), raw->end(), key.bytes.begin());
  return key;
}

// The bad message(s) to send, built before connecting.
std::vector<Message> build(const Args& args, const SecretKey& secret) {
  std::vector<Message> out;
  if (args.mode == "unknown-key") return out;
  FakeClock clock(0);
  auto base = open_rocks_store(args.store, OpenMode::open_existing);
  if (!base.ok()) throw std::runtime_error(base.status().message());
  auto replicas = Replicas::open(*base.value(), clock);
  if (!replicas.ok()) throw std::runtime_error(replicas.status().message());
  const PublicKey log = key_from_hex(args.log);
  if (args.mode == "equivocate") {
    auto state = replicas.value()->log_state(log);
    if (!state.ok() || !state->head) throw std::runtime_error("the store holds no head of that log");
    TreeHead other = state->head->head;
    other.root.bytes[0] ^= 0x5a;
    out.push_back(Heads{{sign_tree_head(other, secret)}});
    return out;
  }
  if (args.mode == "flood") {
    auto state = replicas.value()->log_state(log);
    if (!state.ok() || !state->head) throw std::runtime_error("the store holds no head of that log");
    out.push_back(Heads{std::vector<SignedTreeHead>(55'000, *state->head)});
    return out;
  }
  auto batch = replicas.value()->read_batch(log, args.from, 1000);
  if (!batch.ok())
    throw std::runtime_error("no records after " + std::to_string(args.from) + ": " +
                             batch.status().message());
  LogBatch b = std::move(batch).value();
  if (b.records.size() < 2) throw std::runtime_error("need at least two records after --from");
  if (args.mode == "forged") {
    b.records[0][b.records[0].size() - 70] ^= 0x01;
  } else if (args.mode == "broken-link") {
    auto record = decode_record(b.records[1]).value();
    record.prev_hash.bytes[3] ^= 0x10;
    b.records[1] = encode_record(record);
  } else if (args.mode == "out-of-order") {
    std::swap(b.records[0], b.records[1]);
  } else {
    throw std::runtime_error("unknown mode " + args.mode);
  }
  // Announce the head first, as an honest peer would, then answer the
  // request before it is even made.
  out.push_back(Heads{{b.head}});
  out.push_back(Records{b.log, b.from_size, b.head, b.consistency_proof, b.records});
  return out;
}

asio::awaitable<void> probe(asio::io_context& io, Args args, HandshakeConfig config, PublicKey expected,
                            MessageLimits limits, std::vector<Message> messages, int* result) {
  auto address = split_address(args.connect);
  asio::ip::tcp::resolver resolver(io);
  const std::string port = std::to_string(address->second);
  auto endpoints = co_await resolver.async_resolve(address->first, port, asio::use_awaitable);
  asio::ip::tcp::socket socket(io);
  co_await asio::async_connect(socket, endpoints, asio::use_awaitable);
  PeerLink link(std::move(socket));
  Status status = co_await link.handshake_as_initiator(config, expected, std::chrono::milliseconds(5'000));
  if (!status.ok()) {
    std::printf("handshake refused: %s\n", status.message().c_str());
    *result = 0;
    co_return;
  }
  std::printf("handshake accepted\n");
  for (auto& message : messages) {
    Bytes bytes = encode_message(message);  // not a temporary in co_await (g++ 12)
    Status sent = co_await link.send(std::move(bytes));
    if (!sent.ok()) break;
    std::printf("sent %s\n", message_type_name(message_type(message)));
  }
  // Read until the daemon drops the link (or a few seconds pass).
  const auto sent_at = std::chrono::steady_clock::now();
  for (;;) {
    auto reply = co_await link.receive(std::chrono::milliseconds(3'000));
    if (!reply.ok()) {
      const auto waited =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent_at);
      std::printf("link closed after %lld ms: %s\n", static_cast<long long>(waited.count()),
                  reply.status().message().c_str());
      break;
    }
    auto decoded = decode_message(reply.value(), limits);
    if (decoded.ok() && std::holds_alternative<Goodbye>(decoded.value()))
      std::printf("goodbye: %s\n", std::get<Goodbye>(decoded.value()).message.c_str());
  }
  *result = 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init() || argc < 2) {
    std::fprintf(stderr, "usage: peer_probe MODE --consortium FILE --connect HOST:PORT --key KEYFILE ...\n");
    return 1;
  }
  Args args;
  args.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--consortium")
      args.consortium = value;
    else if (flag == "--connect")
      args.connect = value;
    else if (flag == "--key")
      args.key = value;
    else if (flag == "--store")
      args.store = value;
    else if (flag == "--log")
      args.log = value;
    else if (flag == "--from")
      args.from = std::stoull(value);
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 1;
    }
  }
  try {
    std::ifstream in(args.consortium);
    std::stringstream text;
    text << in.rdbuf();
    auto consortium = parse_consortium(text.str());
    if (!consortium.ok()) throw std::runtime_error(consortium.status().message());
    SecretKey secret = read_key(args.key);
    HandshakeConfig config;
    config.consortium_id = consortium_id(consortium.value());
    config.node = std::make_shared<const KeyPair>(KeyPair{public_key_of(secret), secret.copy()});
    config.allowed = [](const PublicKey&) { return true; };
    PublicKey expected;
    for (const auto& node : consortium->nodes)
      if (node.address == args.connect) expected = node.key;
    std::vector<Message> messages = build(args, secret);
    asio::io_context io;
    int result = 1;
    const MessageLimits limits{consortium->nodes.size()};
    asio::co_spawn(io, probe(io, args, config, expected, limits, std::move(messages), &result),
                   [](std::exception_ptr e) {
                     if (e) std::rethrow_exception(e);
                   });
    io.run();
    return result;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "peer_probe: %s\n", e.what());
    return 1;
  }
}
