// The sync logic of one node as a state machine without sockets: events in
// (a peer connected, a message arrived, time passed, the node appended,
// engine work finished), actions out (send this message to that peer, drop
// that peer, do this engine work). The daemon wires it to TCP links and a
// worker; the simulation (tests/net/sync_sim.cpp) to a simulated network.
// docs/protocol.md describes the rounds.
//
// Everything that touches the store or checks a signature (verifying and
// storing a batch, serving one, checking announced heads, storing evidence
// and cosignatures, recording incoming transfers) is SyncWork. With
// EngineWork::as_actions the SyncNode hands it out as an action and learns
// the outcome from on_work_done, so its own thread never waits on the disk
// or the CPU. What it needs to decide (the size and head of every log held)
// it keeps in memory, read once when it is made and kept up to date from the
// work's outcomes and on_local_append.
//
// Not thread-safe: call it from one thread (the daemon's io thread). Only
// SyncWork::run may be called elsewhere.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

class SyncNode;
class SyncWork;

struct Action {
  enum class Kind { send, disconnect, work };
  Kind kind = Kind::send;
  // send, disconnect: the peer. work: the peer whose message it serves
  // (zero for the node's own timers and appends), so a driver can stop
  // reading from a peer that has much work waiting.
  PublicKey peer;
  Message message;                 // for send
  std::string reason;              // for disconnect: why, for the log
  std::shared_ptr<SyncWork> work;  // for work: run it, then SyncNode::on_work_done

  static Action send(const PublicKey& peer, Message message) {
    return {Kind::send, peer, std::move(message), {}, {}};
  }
  static Action disconnect(const PublicKey& peer, std::string reason) {
    return {Kind::disconnect, peer, {}, std::move(reason), {}};
  }
};

// Where SyncNode's engine work runs.
enum class EngineWork : std::uint8_t {
  // Inside the event call that needs it: the call returns what follows from
  // the work (unit tests that step message by message).
  in_call,
  // Returned as Action::Kind::work: the driver runs it where it likes (the
  // daemon on a worker thread, the simulation after a seeded delay) and
  // reports it with on_work_done.
  as_actions,
};

// The queue a piece of work belongs in. A driver runs the work of one lane
// one at a time, in the order it was handed out; the two lanes may run side
// by side. So batches of a log are stored in the order they came, and a
// slow write does not hold up serving peers.
enum class WorkLane : std::uint8_t {
  read,   // reads, proofs, signature checks: serving peers, checking announced heads
  write,  // everything that writes the store: batches, evidence, cosignatures, transfer.in entries
};

// One piece of engine work a SyncNode handed out. run() does the engine
// part: on any thread, it touches only the Replicas, the LocalNode
// callbacks, the Clock and its own copies of its inputs, never the SyncNode's
// state. Then give it back to the SyncNode that made it, on that SyncNode's
// thread and while it lives, with on_work_done. Work dropped without running
// did nothing (the daemon drops queued work when it stops); work dropped
// after running leaves the store consistent but the SyncNode unaware.
class SyncWork {
 public:
  WorkLane lane() const { return lane_; }
  // What it does, for logs and tests, e.g. "append" or "serve".
  const char* name() const { return name_; }
  // The engine part. Call once.
  void run();
  bool has_run() const { return ran_; }

 private:
  friend class SyncNode;
  SyncWork(const SyncNode* owner, WorkLane lane, const char* name, std::function<void()> engine,
           std::function<void(std::vector<Action>&)> then);

  const SyncNode* owner_;
  WorkLane lane_;
  const char* name_;
  std::function<void()> engine_;
  std::function<void(std::vector<Action>&)> then_;  // on the SyncNode's thread, after engine_
  bool ran_ = false;
  bool finished_ = false;
};

struct SyncConfig {
  // Records asked for per GetRecords, and the most served per Records (both
  // also capped at kMaxBatchRecords).
  std::uint32_t batch_records = 2048;
  std::int64_t request_timeout_ms = 20'000;
  std::int64_t anti_entropy_ms = 5'000;  // heads and cosignatures to every peer
  std::int64_t ban_ms = 10 * 60'000;     // how long a peer that sent forged data stays out
  EngineWork engine_work = EngineWork::in_call;
};

// A node of the consortium other than this one.
struct PeerInfo {
  PublicKey key;
  std::string name;
};

// What the sync logic needs from the node around it. Both are called from
// SyncWork::run, so they must be thread-safe (Ledger and Directory are).
struct LocalNode {
  // Appends entries to this node's own log (Ledger::submit).
  std::function<std::vector<SubmitResult>(std::span<const Bytes>)> submit;
  // A member's key by alias in this node's directory, for peers' queries.
  std::function<std::optional<PublicKey>(const std::string&)> lookup_alias;
  // A member's alias by key in this node's directory (members of this node
  // only: no learnt names of other nodes' members), for peers' queries.
  std::function<std::optional<std::string>(const PublicKey&)> alias_of;
  // This node's own history (docs/decisions.md "Backups and a node's own
  // history"). Empty: the node never asks its peers for its own records.
  // Appends own records fetched back from a peer's verified copy
  // (Ledger::recover_own).
  std::function<AppendResult(const LogBatch&)> recover_own;
  // Why the ledger signs nothing for now, or nullopt (Ledger::signing_hold).
  std::function<std::optional<std::string>()> signing_hold;
  // Ledger::hold_signing and Ledger::release_signing.
  std::function<Status(const std::string&)> hold_signing;
  std::function<Status()> release_signing;
};

// What a peer said to a MemberAliasQuery.
struct MemberAliasReply {
  bool answered = false;             // false: not connected, too old to ask, or no answer in time
  std::optional<std::string> alias;  // answered: the alias, or nullopt for "no such member there"
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
  // Reads the logs `replicas` holds (on the caller's thread, once). `peers`
  // are the consortium's other nodes. `replicas`, `clock` and what `local`
  // refers to must outlive the SyncNode and every SyncWork it hands out.
  SyncNode(Replicas& replicas, const NodeIdentity& identity, const Clock& clock, LocalNode local,
           std::vector<PeerInfo> peers, SyncConfig config = {});

  // Only peers from the consortium (the transport refuses others).
  // `signer`: the key the peer proved in the handshake, its current key
  // (zero: `peer` itself, a node that never rotated its key).
  std::vector<Action> on_connected(const PublicKey& peer, const PublicKey& signer = {});
  std::vector<Action> on_disconnected(const PublicKey& peer);
  std::vector<Action> on_message(const PublicKey& peer, const Message& message);
  // The peer sent bytes that are not a valid message (decode_message
  // failed, e.g. a list over its cap): logs it and drops the link, as for
  // any protocol violation. No work is done for such a message.
  std::vector<Action> on_malformed(const PublicKey& peer, const std::string& why);
  // Timeouts and the periodic anti-entropy round; call at least every second.
  std::vector<Action> on_tick();
  // This node's own log grew (or may have): learn its head, tell every peer.
  // Call after every append that did not come from this SyncNode's own work.
  std::vector<Action> on_local_append();
  // `work`, handed out by this SyncNode, has run: applies what it found.
  std::vector<Action> on_work_done(SyncWork& work);

  // The caps for decoding this node's peers' messages.
  MessageLimits message_limits() const { return {peers_.size() + 1}; }

  // Asks `peer` which member has `alias` there; `done` gets the key, or
  // nullopt if the peer has none, is not connected or does not answer in time.
  std::vector<Action> query_alias(const PublicKey& peer, const std::string& alias,
                                  std::function<void(std::optional<PublicKey>)> done);
  // Asks `peer` which alias its member `member` has. `done` gets the reply;
  // a peer that did not answer the feature probe with kFeatureMemberAlias
  // is not asked (it would drop the link), and that counts as not answered.
  std::vector<Action> query_member_alias(const PublicKey& peer, const PublicKey& member,
                                         std::function<void(MemberAliasReply)> done);
  // Whether `peer` said, in this link's feature probe, that it knows
  // MemberAliasQuery.
  bool knows_member_alias(const PublicKey& peer) const;

  std::vector<PeerStatus> status() const;
  bool is_banned(const PublicKey& peer) const;
  // Logs this node stopped fetching because their owner broke a rule, with why.
  const std::map<PublicKey, std::string>& broken_logs() const { return broken_; }
  // Whether a batch of `log` is being verified and stored (not asked again meanwhile).
  bool applying(const PublicKey& log) const { return applying_.count(log) > 0; }

 private:
  struct Peer {
    PeerInfo info;
    bool connected = false;
    PublicKey signer;  // the key it proved in the handshake
    std::int64_t last_contact_ms = 0;
    std::int64_t banned_until_ms = 0;
    std::string ban_reason;
    std::map<PublicKey, std::uint64_t> sizes;
    std::uint8_t features = 0;  // from this link's feature probe answer
    bool greeted = false;       // its greeting (every head it holds) came on this link
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
  struct MemberAliasWait {
    PublicKey peer;
    std::int64_t sent_ms = 0;
    std::function<void(MemberAliasReply)> done;
  };
  // What recording the transfers found in another log did (in SyncWork).
  struct TransfersRecorded {
    Result<std::vector<InboundTransfer>> pending = std::vector<InboundTransfer>{};
    std::vector<SubmitResult> results;       // one per pending transfer
    std::optional<SignedTreeHead> own_head;  // after the submit, when it appended
    // The clearing limit the log's co-op set about this node, when this
    // node's log had not recorded it yet, and how recording it went.
    Result<std::optional<ClearingLimitPeer>> limit = std::optional<ClearingLimitPeer>{};
    std::optional<SubmitResult> limit_result;
  };
  // What this node holds of a log, as far as its own work has told it.
  struct HeldLog {
    std::uint64_t size = 0;
    std::optional<SignedTreeHead> head;
    bool frozen = false;
  };

  void handle(const PublicKey& from, const Heads& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const GetRecords& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Records& m, std::vector<Action>& out);
  void store_batch(const PublicKey& from, Records m, std::vector<Action>& out);
  void fetch_ahead(const PublicKey& from, const Records& storing, std::vector<Action>& out);
  void handle(const PublicKey& from, const Evidence& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Cosignatures& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const Goodbye& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const AliasQuery& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const AliasAnswer& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const GetHead& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const MemberAliasQuery& m, std::vector<Action>& out);
  void handle(const PublicKey& from, const MemberAliasAnswer& m, std::vector<Action>& out);
  // A peer announced more of this node's own log than it holds: hold
  // signing (once) before anything else is signed, then fetch it back.
  void own_log_behind(const PublicKey& from, std::uint64_t there, std::vector<Action>& out);
  // Signing held, and every peer of the consortium has greeted this node on
  // a live link and holds no more of its log than it does: release it.
  void maybe_confirm_own(std::vector<Action>& out);
  // Sends the feature probe (an AliasQuery for kFeatureProbe) to `peer`.
  void probe_features(const PublicKey& peer, std::vector<Action>& out);
  // Ends the member alias waits on `peer` (zero: those past the timeout) as not answered.
  void end_member_alias_waits(const PublicKey& peer, std::int64_t now);

  // Hands out `engine` as work (or runs it now, EngineWork::in_call); `then`
  // gets its outcome on this thread.
  template <class Outcome>
  void start_work(WorkLane lane, const char* name, const PublicKey& peer, std::function<Outcome()> engine,
                  std::function<void(Outcome&, std::vector<Action>&)> then, std::vector<Action>& out);
  void finish(SyncWork& work, std::vector<Action>& out);

  // A verified head heard from `from`: the largest size the peer announced.
  void note_size(const PublicKey& from, const SignedTreeHead& head);
  void maybe_request(const PublicKey& log, std::vector<Action>& out);
  // Stores evidence found in a message of `from` (a write), then announces it.
  void keep_evidence(const cohours::Evidence& evidence, const PublicKey& from, std::vector<Action>& out);
  // Evidence just stored: logs it, freezes the log here and passes it on to
  // every peer but `except`.
  void announce_evidence(const cohours::Evidence& evidence, const PublicKey& except,
                         std::vector<Action>& out);
  void ban(const PublicKey& peer, const std::string& reason, std::vector<Action>& out);
  // Marks the peer gone and asks another peer for what was asked of it.
  void drop_peer(const PublicKey& peer, std::vector<Action>& out);
  void broadcast(const Message& message, const PublicKey& except, std::vector<Action>& out);
  void send_greeting(const PublicKey& peer, std::vector<Action>& out);
  // Sends every cosignature held (read from the store) to `peer`, or to
  // every connected peer when `peer` is zero.
  void send_cosignatures(const PublicKey& peer, std::vector<Action>& out);
  void receive_transfers(const PublicKey& log, std::vector<Action>& out);
  // Run in SyncWork: they read only identity_, clock_ and local_, which never change.
  TransfersRecorded record_transfers(Replicas& replicas, const PublicKey& log, std::uint64_t after_seq) const;
  std::vector<Bytes> sign_transfers_in(const std::vector<InboundTransfer>& pending) const;
  Bytes sign_clearing_limit(const ClearingLimitPeer& limit) const;
  // Back on this thread: logs what was refused, moves the scan on, notes
  // the own head. Whether the own log grew.
  bool transfers_recorded(const PublicKey& log, const TransfersRecorded& recorded);
  // The own log's head, noted if newer than the one held.
  void note_own_head(const std::optional<SignedTreeHead>& head);
  // Heads with the latest own head held, to every peer.
  void push_own_head(std::vector<Action>& out);
  Heads all_heads() const;
  // Cosignatures as messages, one per log: within the cap of one per witness.
  std::vector<Cosignatures> cosignature_messages(std::vector<Cosignature> all) const;
  bool connected(const PublicKey& peer) const;
  // The key a log's owner proved in its live handshake (its current key);
  // zero when it is not connected.
  PublicKey owner_key(const PublicKey& log) const;
  std::vector<PublicKey> owner_keys(const std::vector<SignedTreeHead>& heads) const;
  bool known_node(const PublicKey& key) const { return key == self_ || peers_.count(key); }

  Replicas& replicas_;
  NodeIdentity identity_;  // the key that signs for this node now
  PublicKey self_;         // this node's log id (its first key)
  const Clock& clock_;
  LocalNode local_;
  SyncConfig config_;
  std::map<PublicKey, Peer> peers_;
  std::map<PublicKey, HeldLog> held_;           // every log held here, this node's own included
  std::map<PublicKey, InFlight> in_flight_;     // by log: one request at a time
  std::map<PublicKey, std::uint64_t> applying_;  // logs with a batch being stored: the size it ends at
  // By log: the batch that goes on from the one being stored, fetched while
  // it was (one ahead, from the same peer), stored next.
  std::map<PublicKey, std::pair<PublicKey, Records>> next_batch_;
  std::set<PublicKey> receiving_;               // logs whose transfers are being recorded
  bool cosignature_round_ = false;              // an anti-entropy round's cosignatures are being read
  std::map<PublicKey, std::uint64_t> inbound_;  // by origin log: postings scanned up to this seq
  std::map<PublicKey, std::string> broken_;
  std::map<std::uint64_t, AliasWait> alias_waits_;
  std::map<std::uint64_t, MemberAliasWait> member_alias_waits_;
  bool holding_ = false;     // a hold_signing work was handed out (once per run)
  bool confirming_ = false;  // a release_signing work is under way
  std::uint64_t next_request_id_ = 1;
  std::int64_t last_round_ms_ = 0;
};

}  // namespace cohours::net
