// The peer handshake (net/HANDSHAKE.md): three messages that prove each side
// holds the node key it claims, check that both belong to the same
// consortium, and agree on fresh session keys. Pure code, no sockets: each
// step takes the peer's message bytes and returns the bytes to send.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "cohours/crypto.h"
#include "cohours/entry.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::net {

inline constexpr std::string_view kHandshakeMagic = "cohours-sync";
// 2: the hello names the node's log id and the key it signs with now, with
// the key rotations that lead from one to the other.
inline constexpr std::uint16_t kProtocolVersion = 2;
// Every rotation of a node's key fits in its hello (entry.h).
inline constexpr std::size_t kMaxRotationsInHello = kMaxNodeRotations;
// Handshake messages are small; a larger frame before the session is up is
// refused without buffering it.
inline constexpr std::size_t kMaxHandshakeFrameBytes = 4096;

// Whether a node key may connect: true for the keys in the consortium file.
using PeerFilter = std::function<bool(const PublicKey&)>;

// Who this node is. Copied into each handshake; the key pair is not (one
// copy of the secret, shared).
// The keys that signed for a node's log as this node holds them, the log id
// first (a log it does not hold: just the log id).
using KnownSigners = std::function<std::vector<PublicKey>(const PublicKey& log)>;

struct HandshakeConfig {
  Hash32 consortium_id;                 // the same on every node of a consortium
  std::shared_ptr<const KeyPair> node;  // the key pair that signs for this node now
  PeerFilter allowed;                   // unset lets nobody in
  // This node's log id (its first key); zero: node->public_key, a node that
  // never rotated its key.
  PublicKey log;
  // The signed node.rotate entries that lead from `log` to `node`, oldest
  // first (at most kMaxRotationsInHello).
  std::vector<Bytes> rotations;
  // Unset: peers' rotations are checked only against each other.
  KnownSigners known_signers;
};

// What a completed handshake yields: the authenticated peer and the keys of
// both directions of the session.
struct HandshakeOutcome {
  PublicKey peer;    // its log id: who it is in the consortium file
  PublicKey signer;  // the key it proved it holds (peer itself unless it rotated)
  KxSessionKeys keys;
};

// The side that dialled. Use: start() -> send msg1; on_msg2(received) ->
// send msg3; then outcome(). Any error ends the handshake (later calls
// return wrong_state); the caller closes the connection. Not thread-safe.
class InitiatorHandshake {
 public:
  // `expected_responder`: the node this side meant to reach; anyone else
  // answering is refused even if they are in the consortium.
  InitiatorHandshake(HandshakeConfig config, const PublicKey& expected_responder);
  ~InitiatorHandshake();
  InitiatorHandshake(const InitiatorHandshake&) = delete;
  InitiatorHandshake& operator=(const InitiatorHandshake&) = delete;

  // msg1. Call once, first.
  Bytes start();
  // Checks msg2 and returns msg3. Errors: malformed (not our protocol, a
  // different version, bad lengths), not_permitted (another consortium, a
  // key not allowed, not the expected node, our own key), bad_signature.
  Result<Bytes> on_msg2(std::span<const std::uint8_t> msg2);
  // The session, once on_msg2 succeeded; wrong_state before.
  Result<HandshakeOutcome> outcome() const;

 private:
  enum class Step { start, await_msg2, done, failed };
  Step step_ = Step::start;
  HandshakeConfig config_;
  PublicKey expected_;
  KxKeyPair ephemeral_;
  Bytes msg1_;
  HandshakeOutcome outcome_;
};

// The side that accepted. Use: on_msg1(received) -> send msg2;
// on_msg3(received); then outcome(). Errors as for InitiatorHandshake.
// Not thread-safe.
class ResponderHandshake {
 public:
  explicit ResponderHandshake(HandshakeConfig config);
  ~ResponderHandshake();
  ResponderHandshake(const ResponderHandshake&) = delete;
  ResponderHandshake& operator=(const ResponderHandshake&) = delete;

  // Checks msg1 and returns msg2.
  Result<Bytes> on_msg1(std::span<const std::uint8_t> msg1);
  // Checks msg3: the initiator signed this very session.
  Status on_msg3(std::span<const std::uint8_t> msg3);
  // The session, once on_msg3 succeeded; wrong_state before.
  Result<HandshakeOutcome> outcome() const;

 private:
  enum class Step { await_msg1, await_msg3, done, failed };
  Step step_ = Step::await_msg1;
  HandshakeConfig config_;
  KxKeyPair ephemeral_;
  Bytes transcript_;  // msg1 || msg2, what msg3 must sign
  std::size_t msg1_bytes_ = 0;
  HandshakeOutcome outcome_;
};

}  // namespace cohours::net
