// The daemon's peer side: listens for consortium peers, dials the peers it
// is meant to dial (the node with the smaller key dials, so each pair has
// one link) with reconnect and backoff, runs each link's handshake and
// reader, and drives the SyncNode with what arrives and with a timer.
//
// Runs on one io_context thread: SyncNode is touched only there. The engine
// work SyncNode hands out (verifying and storing batches, serving them,
// checking heads, recording incoming transfers) runs on the service's own
// worker threads, one strand per WorkLane, and its outcome comes back to the
// io thread; so a slow commit never stalls the links. The methods marked
// thread-safe may be called from other threads (the control socket's
// worker) and wait for the io thread to answer.
#pragma once

#include <utility>  // before asio's awaitable headers (g++ 12)

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohours/clock.h"
#include "cohours/ledger.h"
#include "cohours/net/consortium.h"
#include "cohours/net/sync_node.h"
#include "cohours/replicas.h"

namespace cohours::net {

struct PeerServiceOptions {
  std::string listen_address;                      // host:port; empty: this node's address in the consortium
  std::chrono::milliseconds tick{500};             // SyncNode::on_tick
  std::chrono::milliseconds idle_timeout{60'000};  // a silent link is dropped (anti-entropy talks every 5 s)
  std::chrono::milliseconds backoff_min{500};      // first redial delay; doubles to backoff_max
  std::chrono::milliseconds backoff_max{5'000};
  // Messages of one peer whose work may wait for the worker before the
  // service stops reading from that peer (each may hold an 8 MiB batch).
  std::size_t max_work_per_peer = 4;
  // Connections still in their handshake (at most 10 s each): at the cap
  // the oldest is closed to make room, so strangers who never finish can
  // neither fill memory nor keep a consortium peer out.
  std::size_t max_pending_handshakes = 64;
  SyncConfig sync;  // engine_work is always EngineWork::as_actions here
};

// A snapshot for `cohours sync status`.
struct SyncStatus {
  std::vector<PeerStatus> peers;
  std::vector<LogState> logs;  // what this node holds
  std::map<PublicKey, std::string> broken_logs;
};

class PeerService {
 public:
  // Everything passed by reference, and what `local` refers to, must
  // outlive the PeerService: its worker uses them until the destructor.
  PeerService(boost::asio::io_context& io, Replicas& replicas, Ledger& ledger, const NodeIdentity& identity,
              const Clock& clock, Consortium consortium, LocalNode local, PeerServiceOptions options = {});
  // Drops engine work not yet started and waits for the work running (a
  // batch being stored is one WriteBatch: the store is never left half
  // written), so the store may be closed next. Call after `io` has
  // stopped running.
  ~PeerService();
  PeerService(const PeerService&) = delete;
  PeerService& operator=(const PeerService&) = delete;

  // Binds the listener (throws std::system_error if it cannot) and starts
  // dialling and the timer.
  void start();
  // Says goodbye to every peer, closes the links and the listener, tells
  // the worker to drop the engine work not yet started, and calls `done` on
  // the io thread when the goodbyes are written (or after a second).
  // Idempotent.
  void stop(std::function<void()> done);

  // The address the listener is bound to (useful with port 0).
  std::string listen_address() const;
  // Connections in their handshake now, and the most there ever were.
  std::size_t pending_handshakes() const;
  std::size_t peak_pending_handshakes() const;

  // Thread-safe: the node's own log grew.
  void notify_local_append();
  // Thread-safe, blocking (not from the io thread): the sync picture.
  SyncStatus status();
  // Thread-safe, blocking: the key of `alias` at node `node_name`, asked of
  // that node; nullopt if it has none or cannot be asked now.
  std::optional<PublicKey> resolve_alias(const std::string& node_name, const std::string& alias);
  // Thread-safe, blocking: the aliases of `members` at node `node_name`,
  // asked of that node all at once and waited for at most `limit`. Each
  // member the node answered for is in the map: with its alias, or nullopt
  // when the node has no such member; members nobody answered for (the node
  // is not connected, predates the query, or was too slow) are left out.
  std::map<PublicKey, std::optional<std::string>> member_aliases(const std::string& node_name,
                                                                 const std::vector<PublicKey>& members,
                                                                 std::chrono::milliseconds limit);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace cohours::net
