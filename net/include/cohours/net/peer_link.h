// One authenticated, encrypted connection to a peer node: the handshake
// (handshake.h) and the secure channel (channel.h) over frames (frame.h) on a
// connected TCP socket, as Boost.Asio C++20 coroutines.
//
// Threading: a PeerLink is used from coroutines on its socket's executor
// only. If the io_context runs on several threads, give the socket a strand
// (e.g. accept with make_strand(io)). Lifetime: keep the link alive until
// every operation started on it has returned; close() makes them return.
#pragma once

#include <utility>  // before asio's awaitable headers (g++ 12)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "cohours/net/channel.h"
#include "cohours/net/frame.h"
#include "cohours/net/handshake.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::net {

inline constexpr std::chrono::milliseconds kHandshakeTimeout{10'000};

class PeerLink {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using executor_type = Socket::executor_type;

  // Takes a connected socket.
  explicit PeerLink(Socket socket);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  // Runs the handshake as the side that dialled `expected_peer`. The whole
  // handshake must finish within `timeout`. On any failure the link is
  // closed and the status says why (handshake.h lists the codes; io_error
  // for the network, the peer hanging up, or the timeout). Call once.
  boost::asio::awaitable<Status> handshake_as_initiator(
      HandshakeConfig config, PublicKey expected_peer, std::chrono::milliseconds timeout = kHandshakeTimeout);
  // The same for the side that accepted the connection.
  boost::asio::awaitable<Status> handshake_as_responder(
      HandshakeConfig config, std::chrono::milliseconds timeout = kHandshakeTimeout);

  // The next message from the peer, decrypted. If no bytes arrive for
  // `idle_timeout`, the peer is taken as gone and the link closed. Any error
  // (io_error, malformed framing, bad_signature for a frame that does not
  // authenticate) closes the link. One receive at a time.
  boost::asio::awaitable<Result<Bytes>> receive(std::chrono::milliseconds idle_timeout);
  // Encrypts and sends one message; returns once its frame is written.
  // Several coroutines may send at once: frames go out whole, in call order.
  // A message over kMaxMessageBytes is refused (malformed) and the link
  // stays up; a write error closes the link.
  boost::asio::awaitable<Status> send(Bytes plaintext);

  // Closes the socket; pending operations return the first close reason.
  // Idempotent.
  void close();
  bool is_open() const { return !closed_; }
  // Whether the handshake completed (the link may have closed since).
  bool handshake_done() const { return state_ == State::ready; }
  // Why the link closed (ok while it is open).
  const Status& close_reason() const { return close_reason_; }
  // The authenticated peer; zero before the handshake completed.
  const PublicKey& peer() const { return peer_; }
  // The key the peer proved in the handshake (peer() unless it rotated).
  const PublicKey& signer() const { return signer_; }
  // "address:port" of the other end, for logs.
  const std::string& remote() const { return remote_; }
  executor_type get_executor() { return socket_.get_executor(); }

 private:
  enum class State { fresh, handshaking, ready };
  struct PendingFrame {
    std::uint64_t seq;
    std::array<std::uint8_t, kFrameLengthBytes> length;
    Bytes payload;
  };

  boost::asio::awaitable<Status> run_initiator(HandshakeConfig config, PublicKey expected_peer);
  boost::asio::awaitable<Status> run_responder(HandshakeConfig config);
  boost::asio::awaitable<Status> run_handshake(bool initiator, HandshakeConfig config,
                                               PublicKey expected_peer, std::chrono::milliseconds timeout);
  boost::asio::awaitable<Status> start_channel(const HandshakeOutcome& outcome);
  // The next frame payload; with an idle timeout, each read must deliver
  // bytes within it.
  boost::asio::awaitable<Result<Bytes>> read_frame(std::optional<std::chrono::milliseconds> idle_timeout);
  boost::asio::awaitable<Status> write_frame_now(const Bytes& payload);
  void arm_deadline(std::chrono::milliseconds timeout, std::string reason);
  void disarm_deadline();
  void close_with(Status reason);

  Socket socket_;
  std::string remote_;
  boost::asio::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;
  // Timer handlers hold a weak reference: a handler already queued when the
  // link is destroyed must not touch it.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  State state_ = State::fresh;
  bool closed_ = false;
  Status close_reason_;
  PublicKey peer_;
  PublicKey signer_;
  FrameDecoder decoder_;
  std::optional<SecureChannel> channel_;
  Bytes read_buffer_;

  // The write queue: one writer at a time drains it; other senders wait on
  // write_done_ (a timer that never expires, cancelled to wake them).
  std::deque<PendingFrame> write_queue_;
  bool writing_ = false;
  std::uint64_t queued_seq_ = 0;
  std::uint64_t written_seq_ = 0;
  boost::asio::steady_timer write_done_;
};

}  // namespace cohours::net
