#include "cohours/net/peer_service.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <future>
#include <list>
#include <map>

#include "cohours/net/logger.h"
#include "cohours/net/messages.h"
#include "cohours/net/peer_link.h"

namespace cohours::net {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

// Waits on a future from a non-io thread, giving up after `limit` (the io
// thread may be shutting down and never answer).
template <typename T>
std::optional<T> wait_for(std::future<T>& future, std::chrono::milliseconds limit) {
  if (future.wait_for(limit) != std::future_status::ready) return std::nullopt;
  return future.get();
}

// The io thread only ever hands engine work out.
PeerServiceOptions with_work_as_actions(PeerServiceOptions options) {
  options.sync.engine_work = EngineWork::as_actions;
  return options;
}

}  // namespace

struct PeerService::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& io;
  Replicas& replicas;
  Ledger& ledger;
  NodeIdentity identity;
  const Clock& clock;
  Consortium consortium;
  PeerServiceOptions options;
  HandshakeConfig handshake;
  SyncNode sync;
  tcp::acceptor acceptor;
  asio::steady_timer tick_timer;
  std::map<PublicKey, std::shared_ptr<PeerLink>> links;
  bool stopping = false;
  // Handshakes under way, oldest first (io thread only). At the cap the
  // oldest is closed to make room, so strangers who connect and never
  // finish cannot keep a consortium peer out for longer than it takes to
  // connect again; an honest handshake takes milliseconds.
  struct Unfinished {
    std::shared_ptr<PeerLink> link;
    std::chrono::steady_clock::time_point since;
  };
  std::list<Unfinished> unfinished;
  std::atomic<std::size_t> pending{0};       // unfinished.size(), for other threads
  std::atomic<std::size_t> peak_pending{0};  // the most at once

  // The engine work SyncNode hands out runs here, never on the io thread
  // (docs/decisions.md "Engine work off the io thread"): one strand per
  // WorkLane on two threads, so a write that waits on the disk holds up
  // only the writes queued behind it, and reads, proofs and signature
  // checks go on beside it. Declared after `sync`: the work it runs refers
  // to the SyncNode, so the pool (joined by ~PeerService) goes first.
  asio::thread_pool worker{2};
  asio::strand<asio::thread_pool::executor_type> read_lane = asio::make_strand(worker);
  asio::strand<asio::thread_pool::executor_type> write_lane = asio::make_strand(worker);
  // Set by stop(): work not yet started is dropped; what runs finishes.
  std::shared_ptr<std::atomic<bool>> worker_stopping = std::make_shared<std::atomic<bool>>(false);
  // Work handed out and not yet reported done, by the peer whose message
  // it serves (zero key: the node's own timers and appends).
  std::map<PublicKey, std::size_t> pending_work;
  // Cancelled whenever work is done, to wake links waiting for their
  // peer's work to drain; it never expires by itself.
  asio::steady_timer work_done_signal;

  Impl(asio::io_context& io_context, Replicas& r, Ledger& l, const NodeIdentity& id, const Clock& c,
       Consortium cons, LocalNode local, PeerServiceOptions opts)
      : io(io_context),
        replicas(r),
        ledger(l),
        identity(id.copy()),
        clock(c),
        consortium(std::move(cons)),
        options(with_work_as_actions(std::move(opts))),
        sync(r, id, c, std::move(local), peer_list(consortium, r.self()), options.sync),
        acceptor(io_context),
        tick_timer(io_context),
        work_done_signal(io_context, asio::steady_timer::time_point::max()) {
    handshake.consortium_id = consortium_id(consortium);
    handshake.node =
        std::make_shared<const KeyPair>(KeyPair{identity.public_key, identity.secret_key.copy()});
    // Only keys in the consortium file get past the handshake.
    handshake.allowed = [this](const PublicKey& key) { return consortium.find(key) != nullptr; };
    // A rotated node proves its current key with the rotations that lead to
    // it; a peer's rotations held here must all be among the ones it shows.
    handshake.log = r.self();
    if (auto rotations = r.rotation_entries(r.self()); rotations.ok())
      handshake.rotations = std::move(rotations).value();
    else
      log_error("sync", "cannot read this node's key rotations: " + rotations.status().message());
    handshake.known_signers = [&replicas = r](const PublicKey& log) { return replicas.signer_keys(log); };
  }

  static std::vector<PeerInfo> peer_list(const Consortium& consortium, const PublicKey& self) {
    std::vector<PeerInfo> peers;
    for (const auto& node : consortium.nodes)
      if (node.key != self) peers.push_back({node.key, node.name});
    return peers;
  }

  std::string name_of(const PublicKey& key) const {
    const ConsortiumNode* node = consortium.find(key);
    return node ? node->name : to_hex(key).substr(0, 12);
  }

  // Carries out the sync logic's actions. Work goes to the worker. Sends
  // to one peer go out in order, and a disconnect waits for the sends
  // before it (a goodbye).
  void execute(std::vector<Action> actions) {
    std::map<PublicKey, std::vector<Action>> by_peer;
    for (auto& action : actions) {
      if (action.kind == Action::Kind::work)
        hand_out(std::move(action.work), action.peer);
      else
        by_peer[action.peer].push_back(std::move(action));
    }
    for (auto& [peer, list] : by_peer) {
      auto it = links.find(peer);
      if (it == links.end()) continue;
      asio::co_spawn(io, run_actions(it->second, std::move(list)), asio::detached);
    }
  }

  // Runs `work` on its lane of the worker, then reports it to the SyncNode
  // on the io thread. The worker's handlers hold no reference to the Impl:
  // the last one must never be dropped on a worker thread, which would
  // then have to join itself.
  void hand_out(std::shared_ptr<SyncWork> work, const PublicKey& peer) {
    ++pending_work[peer];
    std::weak_ptr<Impl> weak = shared_from_this();
    auto report = [weak, work, peer] {
      if (auto impl = weak.lock()) impl->work_done(*work, peer);
    };
    auto job = [work, stopping = worker_stopping, io_executor = io.get_executor(), report] {
      if (stopping->load()) return;  // dropped: it did nothing, and peers ask again after a restart
      // The engine returns errors as values; what could still throw here
      // (out of memory) ends the process, and systemd starts it again.
      work->run();
      asio::post(io_executor, report);
    };
    if (work->lane() == WorkLane::write)
      asio::post(write_lane, std::move(job));
    else
      asio::post(read_lane, std::move(job));
  }

  void work_done(SyncWork& work, const PublicKey& peer) {
    if (auto it = pending_work.find(peer); it != pending_work.end() && --it->second == 0)
      pending_work.erase(it);
    work_done_signal.cancel();
    if (stopping) return;
    execute(sync.on_work_done(work));
  }

  std::size_t work_pending_for(const PublicKey& peer) const {
    auto it = pending_work.find(peer);
    return it == pending_work.end() ? 0 : it->second;
  }

  awaitable<void> run_actions(std::shared_ptr<PeerLink> link, std::vector<Action> list) {
    for (auto& action : list) {
      if (action.kind == Action::Kind::send) {
        // Named, not a temporary inside the co_await: g++ 12 destroys such
        // temporaries twice.
        Bytes bytes = encode_message(action.message);
        Status sent = co_await link->send(std::move(bytes));
        if (!sent.ok()) co_return;
      } else {
        log_info("sync", "closing the link to " + name_of(link->peer()) + ": " + action.reason);
        link->close();
        co_return;
      }
    }
  }

  // A link whose handshake succeeded: registered, read until it closes.
  awaitable<void> serve(std::shared_ptr<PeerLink> link) {
    const PublicKey peer = link->peer();
    if (auto old = links.find(peer); old != links.end() && old->second != link) old->second->close();
    links[peer] = link;
    log_info("sync", "connected to " + name_of(peer) + " (" + link->remote() + ")");
    execute(sync.on_connected(peer, link->signer()));
    const MessageLimits limits = sync.message_limits();
    while (link->is_open() && !stopping) {
      // Backpressure: while enough of this peer's earlier messages still
      // wait for the worker, read no more from it. TCP holds the rest, as it
      // did when the io thread did the work itself, so the worker's queue
      // stays bounded and other peers are read meanwhile.
      while (work_pending_for(peer) >= options.max_work_per_peer && link->is_open() && !stopping) {
        boost::system::error_code ec;
        co_await work_done_signal.async_wait(asio::redirect_error(use_awaitable, ec));
      }
      if (!link->is_open() || stopping) break;
      auto bytes = co_await link->receive(options.idle_timeout);
      if (!bytes.ok()) {
        if (!stopping) log_info("sync", "link to " + name_of(peer) + " closed: " + bytes.status().message());
        break;
      }
      // The codec refuses a list over its cap before decoding its items.
      auto message = decode_message(bytes.value(), limits);
      if (!message.ok()) {
        execute(sync.on_malformed(peer, message.status().message()));
        link->close();
        break;
      }
      execute(sync.on_message(peer, message.value()));
    }
    link->close();
    if (auto it = links.find(peer); it != links.end() && it->second == link) {
      links.erase(it);
      execute(sync.on_disconnected(peer));
    }
  }

  awaitable<void> accept_loop() {
    auto self = shared_from_this();
    bool failing = false;
    while (!stopping) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        // Out of file descriptors, say: say so once, and pause rather than
        // spin on an error that repeats at once.
        if (!failing) log_warn("sync", "accepting a peer connection failed: " + ec.message());
        failing = true;
        co_await sleep(std::chrono::milliseconds(100));
        continue;
      }
      if (failing) log_info("sync", "accepting peer connections again");
      failing = false;
      if (unfinished.size() >= options.max_pending_handshakes) {
        Unfinished oldest = std::move(unfinished.front());
        unfinished.pop_front();
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - oldest.since);
        log_limited(LogLevel::warn, "sync handshake evicted",
                    "closed an unfinished handshake from " + oldest.link->remote() + " after " +
                        std::to_string(waited.count()) + " ms to make room (" +
                        std::to_string(options.max_pending_handshakes) + " handshakes under way)");
        oldest.link->close();
      }
      auto link = std::make_shared<PeerLink>(std::move(socket));
      unfinished.push_back({link, std::chrono::steady_clock::now()});
      pending = unfinished.size();
      if (unfinished.size() > peak_pending.load()) peak_pending = unfinished.size();
      asio::co_spawn(io, incoming(link), asio::detached);
    }
  }

  awaitable<void> incoming(std::shared_ptr<PeerLink> link) {
    auto self = shared_from_this();
    Status status = co_await link->handshake_as_responder(handshake);
    std::erase_if(unfinished, [&](const Unfinished& u) { return u.link == link; });
    pending = unfinished.size();
    if (!status.ok()) {
      // A stranger can cause this at will: limited per kind of failure.
      log_limited(LogLevel::warn, std::string("sync handshake ") + code_name(status.code()),
                  "refused a connection from " + link->remote() + ": " + status.message());
      co_return;
    }
    co_await serve(link);
  }

  awaitable<void> sleep(std::chrono::milliseconds delay) {
    asio::steady_timer timer(io, delay);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }

  // Dials one peer for as long as the service runs, backing off while it
  // cannot be reached.
  awaitable<void> dial_loop(ConsortiumNode peer) {
    auto self = shared_from_this();
    auto backoff = options.backoff_min;
    auto address = split_address(peer.address);
    if (!address) co_return;
    while (!stopping) {
      if (auto it = links.find(peer.key); it != links.end() && it->second->is_open()) {
        co_await sleep(std::chrono::milliseconds(1'000));
        continue;
      }
      boost::system::error_code ec;
      tcp::resolver resolver(io);
      const std::string port = std::to_string(address->second);
      auto endpoints =
          co_await resolver.async_resolve(address->first, port, asio::redirect_error(use_awaitable, ec));
      tcp::socket socket(io);
      if (!ec) {
        // The connect gets the handshake's time limit too.
        asio::steady_timer limit(io, kHandshakeTimeout);
        limit.async_wait([&socket](boost::system::error_code timer_ec) {
          if (!timer_ec) socket.close();
        });
        co_await asio::async_connect(socket, endpoints, asio::redirect_error(use_awaitable, ec));
        limit.cancel();
      }
      if (stopping) co_return;
      if (!ec && socket.is_open()) {
        auto link = std::make_shared<PeerLink>(std::move(socket));
        Status status = co_await link->handshake_as_initiator(handshake, peer.key);
        if (status.ok()) {
          // A link that ends at once (the peer refuses or bans this node)
          // must not be redialled at once: that would be a storm.
          const auto started = std::chrono::steady_clock::now();
          co_await serve(link);
          if (std::chrono::steady_clock::now() - started > std::chrono::seconds(10))
            backoff = options.backoff_min;
          co_await sleep(backoff);
          backoff = std::min(backoff * 2, options.backoff_max);
          continue;
        }
        log_warn("sync", "handshake with " + peer.name + " (" + peer.address + ") failed: " + status.message());
      } else {
        log_debug("sync", "cannot reach " + peer.name + " at " + peer.address + ": " +
                  (ec ? ec.message() : std::string("timed out")));
      }
      co_await sleep(backoff);
      backoff = std::min(backoff * 2, options.backoff_max);
    }
  }

  awaitable<void> tick_loop() {
    auto self = shared_from_this();
    while (!stopping) {
      tick_timer.expires_after(options.tick);
      boost::system::error_code ec;
      co_await tick_timer.async_wait(asio::redirect_error(use_awaitable, ec));
      if (stopping) co_return;
      execute(sync.on_tick());
    }
  }

  awaitable<void> say_goodbye(std::function<void()> done) {
    auto self = shared_from_this();
    auto open_links = links;
    // A peer that reads nothing (its socket buffer full) must not hold the
    // stop up: after a second every link is closed, which ends its send.
    auto deadline = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(1));
    deadline->async_wait([open_links](boost::system::error_code ec) {
      if (!ec)
        for (auto& [peer, link] : open_links) link->close();
    });
    const Message goodbye = Goodbye{GoodbyeReason::shutdown, "the node is shutting down"};
    for (auto& [peer, link] : open_links) {
      Bytes bytes = encode_message(goodbye);  // a named local: see run_actions
      (void)co_await link->send(std::move(bytes));
      link->close();
    }
    deadline->cancel();
    done();
  }
};

PeerService::PeerService(asio::io_context& io, Replicas& replicas, Ledger& ledger,
                         const NodeIdentity& identity, const Clock& clock, Consortium consortium,
                         LocalNode local, PeerServiceOptions options)
    : impl_(std::make_shared<Impl>(io, replicas, ledger, identity, clock, std::move(consortium),
                                   std::move(local), std::move(options))) {}

PeerService::~PeerService() {
  // Work not yet started is dropped; work running (a batch being stored,
  // one WriteBatch) finishes before the store may close.
  impl_->worker_stopping->store(true);
  impl_->worker.stop();
  impl_->worker.join();
}

void PeerService::start() {
  Impl& impl = *impl_;
  std::string listen = impl.options.listen_address;
  if (listen.empty())
    if (const ConsortiumNode* self = impl.consortium.find(impl.replicas.self())) listen = self->address;
  auto address = split_address(listen);
  if (!address)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument), "listen address " + listen);
  tcp::resolver resolver(impl.io);
  auto endpoints = resolver.resolve(address->first, std::to_string(address->second));
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  impl.acceptor.open(endpoint.protocol());
  impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl.acceptor.bind(endpoint);
  impl.acceptor.listen();
  log_info("sync", "listening for peers on " + listen_address());
  asio::co_spawn(impl.io, impl.accept_loop(), asio::detached);
  asio::co_spawn(impl.io, impl.tick_loop(), asio::detached);
  // The node with the smaller key dials; the other waits to be called.
  for (const auto& node : impl.consortium.nodes)
    if (impl.replicas.self() < node.key) asio::co_spawn(impl.io, impl.dial_loop(node), asio::detached);
}

void PeerService::stop(std::function<void()> done) {
  auto impl = impl_;
  asio::post(impl->io, [impl, done = std::move(done)]() mutable {
    if (impl->stopping) return;
    impl->stopping = true;
    std::size_t pending = 0;
    for (const auto& [peer, count] : impl->pending_work) pending += count;
    if (pending > 0)
      log_info("sync", "stopping: engine work that has started finishes; the rest (up to " + std::to_string(pending) +
               " jobs) is dropped");
    impl->worker_stopping->store(true);
    impl->worker.stop();
    impl->work_done_signal.cancel();
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->tick_timer.cancel();
    asio::co_spawn(impl->io, impl->say_goodbye(std::move(done)), asio::detached);
  });
}

std::size_t PeerService::pending_handshakes() const {
  return impl_->pending.load();
}

std::size_t PeerService::peak_pending_handshakes() const {
  return impl_->peak_pending.load();
}

std::string PeerService::listen_address() const {
  boost::system::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  if (ec) return "";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void PeerService::notify_local_append() {
  auto impl = impl_;
  asio::post(impl->io, [impl] {
    if (!impl->stopping) impl->execute(impl->sync.on_local_append());
  });
}

SyncStatus PeerService::status() {
  auto impl = impl_;
  auto promise = std::make_shared<std::promise<SyncStatus>>();
  auto future = promise->get_future();
  asio::post(impl->io, [impl, promise] {
    SyncStatus status;
    status.peers = impl->sync.status();
    status.broken_logs = impl->sync.broken_logs();
    promise->set_value(std::move(status));
  });
  SyncStatus status = wait_for(future, std::chrono::milliseconds(5'000)).value_or(SyncStatus{});
  auto logs = impl->replicas.logs();
  if (logs.ok()) status.logs = std::move(logs).value();
  return status;
}

std::optional<PublicKey> PeerService::resolve_alias(const std::string& node_name, const std::string& alias) {
  auto impl = impl_;
  const ConsortiumNode* node = impl->consortium.find_name(node_name);
  if (!node) return std::nullopt;
  const PublicKey key = node->key;
  auto promise = std::make_shared<std::promise<std::optional<PublicKey>>>();
  auto future = promise->get_future();
  asio::post(impl->io, [impl, promise, key, alias] {
    impl->execute(impl->sync.query_alias(
        key, alias, [promise](std::optional<PublicKey> answer) { promise->set_value(answer); }));
  });
  return wait_for(future, std::chrono::milliseconds(15'000)).value_or(std::nullopt);
}

std::map<PublicKey, std::optional<std::string>> PeerService::member_aliases(
    const std::string& node_name, const std::vector<PublicKey>& members, std::chrono::milliseconds limit) {
  std::map<PublicKey, std::optional<std::string>> out;
  auto impl = impl_;
  const ConsortiumNode* node = impl->consortium.find_name(node_name);
  if (!node || members.empty()) return out;
  const PublicKey peer = node->key;
  using Reply = std::promise<MemberAliasReply>;
  std::vector<std::shared_ptr<Reply>> promises;
  std::vector<std::future<MemberAliasReply>> futures;
  for (std::size_t i = 0; i < members.size(); ++i) {
    promises.push_back(std::make_shared<Reply>());
    futures.push_back(promises.back()->get_future());
  }
  asio::post(impl->io, [impl, promises, peer, members] {
    for (std::size_t i = 0; i < members.size(); ++i)
      impl->execute(impl->sync.query_member_alias(
          peer, members[i], [promise = promises[i]](MemberAliasReply reply) { promise->set_value(reply); }));
  });
  // One deadline for all: the queries went out together.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (futures[i].wait_until(deadline) != std::future_status::ready) continue;
    MemberAliasReply reply = futures[i].get();
    if (reply.answered) out[members[i]] = reply.alias;
  }
  return out;
}

}  // namespace cohours::net
