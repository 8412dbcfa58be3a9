// PeerLink over real sockets on 127.0.0.1: one io_context per test, run until
// every coroutine has finished (with a generous cap so a bug fails instead of
// hanging). No sleeps: each side waits on the other's actions.
#include "cohours/net/peer_link.h"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <exception>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace cohours;
using namespace cohours::net;
namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct Nodes {
  Hash32 consortium;
  KeyPair a = generate_keypair();
  KeyPair b = generate_keypair();
  Nodes() { random_bytes(consortium.bytes); }
  HandshakeConfig config(const KeyPair& node) const {
    std::set<PublicKey> members = {a.public_key, b.public_key};
    HandshakeConfig made;
    made.consortium_id = consortium;
    made.node = std::make_shared<const KeyPair>(node.copy());
    made.allowed = [members](const PublicKey& key) { return members.count(key) > 0; };
    return made;
  }
};

Bytes text(const std::string& s) {
  return Bytes(s.begin(), s.end());
}
std::string text(const Bytes& b) {
  return std::string(b.begin(), b.end());
}

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

// Reads until the other end closes; how a test peer "stays silent".
awaitable<void> drain_until_closed(tcp::socket& socket) {
  std::array<std::uint8_t, 512> buffer;
  boost::system::error_code ec;
  while (!ec) co_await socket.async_read_some(asio::buffer(buffer), asio::redirect_error(use_awaitable, ec));
}

// Accepts one connection for `server` and dials it for `client`; returns
// once both coroutines have finished.
template <typename Server, typename Client>
void run_pair(Server server, Client client) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::endpoint endpoint = acceptor.local_endpoint();
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        tcp::socket socket = co_await acceptor.async_accept(use_awaitable);
        co_await server(std::move(socket));
      },
      rethrow);
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        tcp::socket socket(io);
        co_await socket.async_connect(endpoint, use_awaitable);
        co_await client(std::move(socket));
      },
      rethrow);
  io.run_for(20s);
  REQUIRE(io.stopped());
}

}  // namespace

TEST_CASE("peer link: two nodes handshake over TCP and exchange messages both ways") {
  Nodes n;
  Status server_handshake, client_handshake, server_end;
  std::vector<std::string> server_got, client_got;
  PublicKey server_saw, client_saw;

  auto server = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    server_handshake = co_await link.handshake_as_responder(n.config(n.b));
    if (!server_handshake.ok()) co_return;
    server_saw = link.peer();
    for (;;) {
      auto message = co_await link.receive(5s);
      if (!message.ok()) {
        server_end = message.status();
        co_return;
      }
      server_got.push_back(text(message.value()).substr(0, 20));
      Status sent = co_await link.send(text("re: " + text(message.value()).substr(0, 20)));
      CHECK(sent.ok());
    }
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    client_handshake = co_await link.handshake_as_initiator(n.config(n.a), n.b.public_key);
    if (!client_handshake.ok()) co_return;
    client_saw = link.peer();
    // The third message spans many reads and frames of the decoder.
    for (const std::string& message : {std::string("hello"), std::string("heads please"),
                                       std::string("big") + std::string(3 * 1024 * 1024, 'z')}) {
      Status sent = co_await link.send(text(message));
      CHECK(sent.ok());
      auto reply = co_await link.receive(5s);
      REQUIRE(reply.ok());
      client_got.push_back(text(reply.value()));
    }
    link.close();
  };
  run_pair(server, client);

  CHECK(server_handshake.ok());
  CHECK(client_handshake.ok());
  CHECK(server_saw == n.a.public_key);
  CHECK(client_saw == n.b.public_key);
  CHECK(server_got == std::vector<std::string>{"hello", "heads please", "big" + std::string(17, 'z')});
  CHECK(client_got ==
        std::vector<std::string>{"re: hello", "re: heads please", "re: big" + std::string(17, 'z')});
  CHECK(server_end.code() == Code::io_error);
  CHECK(server_end.message().find("closed the connection") != std::string::npos);
}

TEST_CASE("peer link: concurrent senders each keep their order; an oversized message is refused") {
  Nodes n;
  std::map<int, std::vector<int>> received;
  Status oversized;
  constexpr int kSenders = 3, kEach = 20;

  auto server = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    REQUIRE((co_await link.handshake_as_responder(n.config(n.b))).ok());
    for (int i = 0; i < kSenders * kEach; ++i) {
      auto message = co_await link.receive(5s);
      REQUIRE(message.ok());
      std::string s = text(message.value());
      received[std::stoi(s.substr(0, s.find(':')))].push_back(std::stoi(s.substr(s.find(':') + 1)));
    }
    CHECK((co_await link.send(text("done"))).ok());
    (void)co_await link.receive(5s);  // until the client closes
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> {
    auto link = std::make_shared<PeerLink>(std::move(socket));
    REQUIRE((co_await link->handshake_as_initiator(n.config(n.a), n.b.public_key)).ok());
    oversized = co_await link->send(Bytes(kMaxMessageBytes + 1, 0));
    for (int sender = 0; sender < kSenders; ++sender) {
      asio::co_spawn(
          link->get_executor(),
          [link, sender]() -> awaitable<void> {
            for (int i = 0; i < kEach; ++i) {
              // Varying sizes make some writes take longer than others.
              std::string body =
                  std::to_string(sender) + ":" + std::to_string(i) + ":" +
                  std::string(static_cast<std::size_t>((i * 7919 + sender * 104729) % 50000), 'p');
              CHECK((co_await link->send(text(body))).ok());
            }
          },
          rethrow);
    }
    auto done = co_await link->receive(5s);
    REQUIRE(done.ok());
    CHECK(text(done.value()) == "done");
    link->close();
  };
  run_pair(server, client);

  CHECK(oversized.code() == Code::malformed);
  REQUIRE(received.size() == kSenders);
  for (const auto& [sender_binding, numbers] : received) {
    // CAPTURE captures by reference, which clang before 16 cannot do to a structured binding.
    const auto& sender = sender_binding;
    CAPTURE(sender);
    std::vector<int> expected(kEach);
    for (int i = 0; i < kEach; ++i) expected[i] = i;
    CHECK(numbers == expected);
  }
}

TEST_CASE("peer link: the handshake deadline fires when the responder stays silent") {
  Nodes n;
  Status client_status;
  std::chrono::steady_clock::duration elapsed{};
  bool server_saw_close = false;

  auto server = [&](tcp::socket socket) -> awaitable<void> {
    co_await drain_until_closed(socket);
    server_saw_close = true;
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    auto start = std::chrono::steady_clock::now();
    client_status = co_await link.handshake_as_initiator(n.config(n.a), n.b.public_key, 200ms);
    elapsed = std::chrono::steady_clock::now() - start;
    CHECK_FALSE(link.is_open());
  };
  run_pair(server, client);

  CHECK(client_status.code() == Code::io_error);
  CHECK(client_status.message().find("timed out after 200 ms") != std::string::npos);
  CHECK(elapsed >= 200ms);
  CHECK(elapsed < 5s);
  CHECK(server_saw_close);
}

TEST_CASE("peer link: the responder's deadline fires when the initiator stays silent") {
  Nodes n;
  Status server_status;
  auto server = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    server_status = co_await link.handshake_as_responder(n.config(n.b), 200ms);
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> { co_await drain_until_closed(socket); };
  run_pair(server, client);
  CHECK(server_status.code() == Code::io_error);
  CHECK(server_status.message().find("timed out") != std::string::npos);
}

TEST_CASE("peer link: a node outside the consortium is refused, and learns nothing but the close") {
  Nodes n;
  KeyPair outsider = generate_keypair();
  Status server_status, client_status;
  auto server = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    server_status = co_await link.handshake_as_responder(n.config(n.b));
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    HandshakeConfig config = n.config(outsider);
    config.allowed = [](const PublicKey&) { return true; };
    client_status = co_await link.handshake_as_initiator(config, n.b.public_key);
  };
  run_pair(server, client);
  CHECK(server_status.code() == Code::not_permitted);
  CHECK(server_status.message().find("handshake with 127.0.0.1:") == 0);
  CHECK(server_status.message().find("not in the consortium file") != std::string::npos);
  CHECK(client_status.code() == Code::io_error);
  CHECK(client_status.message().find("may not accept this node") != std::string::npos);
}

TEST_CASE("peer link: an oversized frame before authentication closes the link") {
  Nodes n;
  Status server_status;
  auto server = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    server_status = co_await link.handshake_as_responder(n.config(n.b));
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> {
    auto length = encode_frame_length(1024 * 1024);
    co_await asio::async_write(socket, asio::buffer(length), use_awaitable);
    co_await drain_until_closed(socket);
  };
  run_pair(server, client);
  CHECK(server_status.code() == Code::malformed);
  CHECK(server_status.message().find("over the limit of 4096") != std::string::npos);
}

TEST_CASE("peer link: receive gives up on a peer silent past the idle timeout") {
  Nodes n;
  Status idle;
  bool client_saw_close = false;
  auto server = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    REQUIRE((co_await link.handshake_as_responder(n.config(n.b))).ok());
    auto message = co_await link.receive(200ms);
    idle = message.status();
    CHECK_FALSE(link.is_open());
  };
  auto client = [&](tcp::socket socket) -> awaitable<void> {
    PeerLink link(std::move(socket));
    REQUIRE((co_await link.handshake_as_initiator(n.config(n.a), n.b.public_key)).ok());
    auto nothing = co_await link.receive(5s);
    client_saw_close = !nothing.ok();
  };
  run_pair(server, client);
  CHECK(idle.code() == Code::io_error);
  CHECK(idle.message().find("sent nothing for 200 ms") != std::string::npos);
  CHECK(client_saw_close);
}
