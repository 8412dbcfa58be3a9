// The sync logic of one node as a state machine without sockets: events in
// (a peer connected, a message arrived, time passed, the node appended),
// actions out (send this message to that peer, drop that peer). The daemon
// wires it to TCP links; the simulation (tests/net/sync_sim.cpp) to a
// simulated network. docs/protocol.md describes the rounds.
//
// Not thread-safe: call it from one thread (the daemon's sync strand).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "cohours/clock.h"
#include "cohours/ledger.h"
#include "cohours/net/messages.h"
#include "cohours/replicas.h"

namespace cohours::net {

struct Action {
  enum class Kind { send, disconnect };
  Kind kind = Kind::send;
  PublicKey peer;
  Message message;     // for send
  std::string reason;  // for disconnect: why, for the log
};

struct SyncConfig {
  std::uint32_t batch_records = 2048;  // records asked for per GetRecords
  std::int64_t request_timeout_ms = 20'000;
  std::int64_t anti_entropy_ms = 5'000;  // heads and cosignatures to every peer
  std::int64_t ban_ms = 10 * 60'000;     // how long a peer that sent forged data stays out
};

// A node of the consortium other than this one.
struct PeerInfo {
  PublicKey key;
  std::string name;
};

// What the sync logic needs from the node around it.
struct LocalNode {
  // Appends entries to this node's own log (Ledger::submit).
  std::function<std::vector<SubmitResult>(std::span<const Bytes>)> submit;
  // A member's key by alias in this node's directory, for peers' queries.
  std::function<std::optional<PublicKey>(const std::string&)> lookup_alias;
};

struct PeerStatus {
  PublicKey key;
  std::string name;
  bool connected = false;
  std::int64_t last_contact_ms = 0;  // 0: never
  std::int64_t banned_until_ms = 0;  // 0: not banned
  std::string ban_reason;
  std::map<PublicKey, std::uint64_t> sizes;  // the sizes of each log the peer announced
};

class SyncNode {
 public:
  SyncNode(Replicas& replicas, NodeIdentity identity, const Clock& clock, LocalNode local,
           std::vector<PeerInfo> peers, SyncConfig config = {});

  // Only peers from the consortium (the transport refuses others).
  std::vector<Action> on_connected(const PublicKey& peer);
  std::vector<Action> on_disconnected(const PublicKey& peer);
  std::vector<Action> on_message(const PublicKey& peer, const Message& message);
  // Timeouts and the periodic anti-entropy round; call at least every second.
  std::vector<Action> on_tick();
  // This node's own log grew: tell every peer.
  std::vector<Action> on_local_append();

  // Asks `peer` which member has `alias` there; `done` gets the key, or
  // nullopt if the peer has none, is not connected or does not answer in time.
  std::vector<Action> query_alias(const PublicKey& peer, const std::string& alias,
                                  std::function<void(std::optional<PublicKey>)> done);

  std::vector<PeerStatus> status() const;
  bool is_banned(const PublicKey& peer) const;
  // Logs this node stopped fetching because their owner broke a rule, with why.
  const std::map<PublicKey, std::string>& broken_logs() const { return broken_; }

 private:
  struct Peer {
    PeerInfo info;
    bool connected = false;
    std::int64_t last_contact_ms = 0;
    std::int64_t banned_until_ms = 0;
    std::string ban_reason;
    std::map<PublicKey, std::uint64_t> sizes;
  };
  struct InFlight {
    PublicKey peer;
    std::int64_t sent_ms = 0;
  };
  struct AliasWait {
    PublicKey peer;
    std::int64_t sent_ms = 0;
    std::function<void(std::optional<PublicKey>)> done;
  };

  void handle(const PublicKey& from, const Heads& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const GetRecords& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Records& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Evidence& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Cosignatures& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Goodbye& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const AliasQuery& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const AliasAnswer& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const GetHead& m, std::vector<Action>& out);

  // A head heard from `from`: checks it, notes the peer's size, keeps evidence.
  bool note_head(const PublicKey& from, const SignedTreeHead& head, std::vector<Action>& out);
  void maybe_request(const PublicKey& log, std::vector<Action>& out);
  // Stores (unless `stored_already`), logs and passes on new evidence.
  void keep_evidence(const cohours::Evidence& evidence, const PublicKey& except, std::vector<Action>& out,
                     bool stored_already = false);
  void ban(const PublicKey& peer, const std::string& reason, std::vector<Action>& out);
  // Marks the peer gone and asks another peer for what was asked of it.
  void drop_peer(const PublicKey& peer, std::vector<Action>& out);
  void broadcast(const Message& message, const PublicKey& except, std::vector<Action>& out);
  void send_greeting(const PublicKey& peer, std::vector<Action>& out);
  void after_append(const PublicKey& log, const SignedTreeHead& head, const PublicKey& from,
                    std::vector<Action>& out);
  void receive_transfers(const PublicKey& log, std::vector<Action>& out);
  Heads all_heads() const;
  Cosignatures all_cosignatures() const;
  bool known_node(const PublicKey& key) const { return key == identity_.public_key || peers_.count(key); }

  Replicas& replicas_;
  NodeIdentity identity_;
  const Clock& clock_;
  LocalNode local_;
  SyncConfig config_;
  std::map<PublicKey, Peer> peers_;
  std::map<PublicKey, InFlight> in_flight_;     // by log: one request at a time
  std::map<PublicKey, std::uint64_t> inbound_;  // by origin log: postings scanned up to this seq
  std::map<PublicKey, std::string> broken_;
  std::map<std::uint64_t, AliasWait> alias_waits_;
  std::uint64_t next_request_id_ = 1;
  std::int64_t last_round_ms_ = 0;
};

}  // namespace cohours::net
