#include "cohours/net/peer_link.h"

// g++ 12 takes asio's recycled coroutine frames (allocated with
// ::operator new, freed through the frame's own operator delete) for a
// mismatched pair: a false positive.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace cohours::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;

namespace {

constexpr std::size_t kReadChunkBytes = 64 * 1024;

std::string endpoint_text(const PeerLink::Socket& socket) {
  error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown address";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

std::string ms_text(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

}  // namespace

PeerLink::PeerLink(Socket socket)
    : socket_(std::move(socket)),
      remote_(endpoint_text(socket_)),
      deadline_(socket_.get_executor()),
      read_buffer_(kReadChunkBytes),
      write_done_(socket_.get_executor()) {
  write_done_.expires_at(asio::steady_timer::time_point::max());
}

PeerLink::~PeerLink() = default;

void PeerLink::close() {
  close_with(Status(Code::io_error, "closed by this node"));
}

// Every close reason names the connection and the phase, so callers can log
// it as it is.
void PeerLink::close_with(Status reason) {
  if (closed_) return;
  closed_ = true;
  std::string context =
      state_ == State::ready ? "link to " + remote_ : "handshake with " + remote_ + " failed";
  close_reason_ = Status(reason.code(), context + ": " + reason.message());
  error_code ignored;
  socket_.shutdown(Socket::shutdown_both, ignored);
  socket_.close(ignored);
  deadline_.cancel();
  write_done_.cancel();
}

// A timer, not a cancellation of each operation: closing the socket stops
// whatever read or write is pending, and the reason is kept for the caller.
void PeerLink::arm_deadline(std::chrono::milliseconds timeout, std::string reason) {
  std::uint64_t generation = ++deadline_generation_;
  deadline_.expires_after(timeout);
  deadline_.async_wait([this, alive = std::weak_ptr<int>(alive_), generation,
                        reason = std::move(reason)](const error_code& ec) {
    if (ec || alive.expired()) return;
    // The deadline may have fired just as the operation it guarded finished.
    if (generation != deadline_generation_) return;
    close_with(Status(Code::io_error, reason));
  });
}

void PeerLink::disarm_deadline() {
  ++deadline_generation_;
  deadline_.cancel();
}

awaitable<Result<Bytes>> PeerLink::read_frame(std::optional<std::chrono::milliseconds> idle_timeout) {
  for (;;) {
    auto frame = decoder_.pop();
    if (!frame.ok()) {
      close_with(frame.status());
      co_return close_reason_;
    }
    if (frame.value()) co_return std::move(*frame.value());
    if (closed_) co_return close_reason_;

    if (idle_timeout) arm_deadline(*idle_timeout, "the peer sent nothing for " + ms_text(*idle_timeout));
    error_code ec;
    std::size_t n =
        co_await socket_.async_read_some(asio::buffer(read_buffer_), asio::redirect_error(use_awaitable, ec));
    if (idle_timeout) disarm_deadline();
    if (ec) {
      // When this node closed the socket the reason is already recorded.
      if (ec != asio::error::eof)
        close_with(Status(Code::io_error, ec.message()));
      else if (state_ == State::ready)
        close_with(Status(Code::io_error, "the peer closed the connection"));
      else
        close_with(
            Status(Code::io_error,
                   "the peer closed the connection (it may not accept this node; the peer's log says why)"));
      co_return close_reason_;
    }
    decoder_.feed({read_buffer_.data(), n});
  }
}

awaitable<Status> PeerLink::write_frame_now(const Bytes& payload) {
  auto length = encode_frame_length(payload.size());
  std::array<asio::const_buffer, 2> buffers{asio::buffer(length), asio::buffer(payload)};
  error_code ec;
  co_await asio::async_write(socket_, buffers, asio::redirect_error(use_awaitable, ec));
  if (ec) close_with(Status(Code::io_error, ec.message()));
  co_return closed_ ? close_reason_ : Status::success();
}

awaitable<Status> PeerLink::handshake_as_initiator(HandshakeConfig config, PublicKey expected_peer,
                                                   std::chrono::milliseconds timeout) {
  co_return co_await run_handshake(true, std::move(config), expected_peer, timeout);
}

awaitable<Status> PeerLink::handshake_as_responder(HandshakeConfig config,
                                                   std::chrono::milliseconds timeout) {
  co_return co_await run_handshake(false, std::move(config), PublicKey{}, timeout);
}

awaitable<Status> PeerLink::run_handshake(bool initiator, HandshakeConfig config, PublicKey expected_peer,
                                          std::chrono::milliseconds timeout) {
  if (state_ != State::fresh || closed_)
    co_return Status(Code::wrong_state, "handshake already run on this link, or the link is closed");
  state_ = State::handshaking;
  // Nothing bigger than a handshake message is buffered from a peer that
  // has not authenticated.
  decoder_.set_max_payload_bytes(kMaxHandshakeFrameBytes);
  arm_deadline(timeout, "timed out after " + ms_text(timeout));
  Status status;
  if (initiator)
    status = co_await run_initiator(std::move(config), expected_peer);
  else
    status = co_await run_responder(std::move(config));
  disarm_deadline();
  if (!status.ok()) {
    // A refusal is not explained to an unauthenticated peer: the connection
    // just closes, and this node's operator gets the reason.
    close_with(status);
    co_return close_reason_;
  }
  decoder_.set_max_payload_bytes(kMaxFrameBytes);
  state_ = State::ready;
  co_return Status::success();
}

awaitable<Status> PeerLink::run_initiator(HandshakeConfig config, PublicKey expected_peer) {
  InitiatorHandshake handshake(std::move(config), expected_peer);
  if (Status sent = co_await write_frame_now(handshake.start()); !sent.ok()) co_return sent;
  auto msg2 = co_await read_frame(std::nullopt);
  if (!msg2.ok()) co_return msg2.status();
  auto msg3 = handshake.on_msg2(msg2.value());
  if (!msg3.ok()) co_return msg3.status();
  if (Status sent = co_await write_frame_now(msg3.value()); !sent.ok()) co_return sent;
  auto outcome = handshake.outcome();
  if (!outcome.ok()) co_return outcome.status();
  co_return co_await start_channel(outcome.value());
}

awaitable<Status> PeerLink::run_responder(HandshakeConfig config) {
  ResponderHandshake handshake(std::move(config));
  auto msg1 = co_await read_frame(std::nullopt);
  if (!msg1.ok()) co_return msg1.status();
  auto msg2 = handshake.on_msg1(msg1.value());
  if (!msg2.ok()) co_return msg2.status();
  if (Status sent = co_await write_frame_now(msg2.value()); !sent.ok()) co_return sent;
  auto msg3 = co_await read_frame(std::nullopt);
  if (!msg3.ok()) co_return msg3.status();
  if (Status checked = handshake.on_msg3(msg3.value()); !checked.ok()) co_return checked;
  auto outcome = handshake.outcome();
  if (!outcome.ok()) co_return outcome.status();
  co_return co_await start_channel(outcome.value());
}

// Both sides send their stream header first and then read the other's, so
// neither waits on the other.
awaitable<Status> PeerLink::start_channel(const HandshakeOutcome& outcome) {
  channel_.emplace(outcome.keys);
  if (Status sent = co_await write_frame_now(channel_->header()); !sent.ok()) co_return sent;
  auto header = co_await read_frame(std::nullopt);
  if (!header.ok()) co_return header.status();
  if (Status started = channel_->receive_header(header.value()); !started.ok()) co_return started;
  peer_ = outcome.peer;
  signer_ = outcome.signer;
  co_return Status::success();
}

awaitable<Result<Bytes>> PeerLink::receive(std::chrono::milliseconds idle_timeout) {
  if (closed_) co_return close_reason_;
  if (state_ != State::ready) co_return Status(Code::wrong_state, "receive before the handshake completed");
  auto frame = co_await read_frame(idle_timeout);
  if (!frame.ok()) co_return frame.status();
  auto plaintext = channel_->open(frame.value());
  if (!plaintext.ok()) {
    close_with(plaintext.status());
    co_return close_reason_;
  }
  co_return plaintext;
}

awaitable<Status> PeerLink::send(Bytes plaintext) {
  if (closed_) co_return close_reason_;
  if (state_ != State::ready) co_return Status(Code::wrong_state, "send before the handshake completed");
  if (plaintext.size() > kMaxMessageBytes)
    co_return Status(Code::malformed, "a message of " + std::to_string(plaintext.size()) +
                                          " bytes is over the limit of " + std::to_string(kMaxMessageBytes) +
                                          "; not sent");
  // Sealing and queueing with no suspension in between keeps the stream's
  // order equal to the order of frames on the wire.
  PendingFrame frame{++queued_seq_, {}, channel_->seal(plaintext)};
  frame.length = encode_frame_length(frame.payload.size());
  const std::uint64_t seq = frame.seq;
  write_queue_.push_back(std::move(frame));

  if (!writing_) {
    writing_ = true;
    while (!write_queue_.empty() && !closed_) {
      // deque::push_back by other senders keeps references to this element.
      PendingFrame& next = write_queue_.front();
      std::array<asio::const_buffer, 2> buffers{asio::buffer(next.length), asio::buffer(next.payload)};
      error_code ec;
      co_await asio::async_write(socket_, buffers, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        close_with(Status(Code::io_error, ec.message()));
        break;
      }
      written_seq_ = next.seq;
      write_queue_.pop_front();
      write_done_.cancel();
    }
    // Frames still queued will never go out; their senders see close_reason_.
    if (closed_) write_queue_.clear();
    writing_ = false;
  }
  while (written_seq_ < seq && !closed_) {
    error_code ignored;
    co_await write_done_.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
  co_return written_seq_ >= seq ? Status::success() : close_reason_;
}

}  // namespace cohours::net
