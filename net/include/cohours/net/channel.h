// The encrypted session after a handshake (net/HANDSHAKE.md, "After the
// handshake"): each direction is one secretstream under that direction's
// session key. Pure code, no sockets.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "cohours/crypto.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::net {

// Use: send header() as the first frame; give the peer's first frame to
// receive_header(); then seal() what you send and open() what you receive,
// each in frame order. A frame that fails to open poisons the channel: every
// later open() fails, since the stream can no longer be trusted. Not
// thread-safe; movable.
class SecureChannel {
 public:
  explicit SecureChannel(const KxSessionKeys& keys);
  ~SecureChannel();
  SecureChannel(SecureChannel&&) noexcept = default;
  SecureChannel& operator=(SecureChannel&&) noexcept = default;

  // The first frame this side sends: its stream header (24 bytes).
  Bytes header() const;
  // Starts the receiving stream from the peer's first frame. malformed if it
  // is not a header; wrong_state if called twice.
  Status receive_header(std::span<const std::uint8_t> frame);
  bool can_open() const { return pull_ != nullptr && !poisoned_; }

  // The frame payload carrying `plaintext`: its size plus
  // kSecretStreamOverheadBytes.
  Bytes seal(std::span<const std::uint8_t> plaintext);
  // The plaintext of the next frame. bad_signature if it was altered,
  // replayed, reordered or is not from the peer; wrong_state before the
  // peer's header or after a failure.
  Result<Bytes> open(std::span<const std::uint8_t> payload);

 private:
  std::unique_ptr<SecretStreamPush> push_;
  std::unique_ptr<SecretStreamPull> pull_;
  FixedBytes<kSecretStreamKeyBytes> rx_key_;  // until the peer's header arrives
  bool poisoned_ = false;
};

}  // namespace cohours::net
