#include "cohours/net/sync_node.h"

#include <algorithm>
#include <cassert>

#include "cohours/crypto.h"
#include "cohours/net/logger.h"

namespace cohours::net {

namespace {

std::string short_key(const FixedBytes<32>& key) {
  return to_hex(key.data(), key.size()).substr(0, 12);
}

cohours::Evidence engine_evidence(const Evidence& m) {
  return {m.first, m.second};
}

bool same_head(const SignedTreeHead& a, const SignedTreeHead& b) {
  return a.head.log == b.head.log && a.head.size == b.head.size && a.head.root == b.head.root &&
         a.head.time_ms == b.head.time_ms && a.signature == b.signature;
}

}  // namespace

SyncWork::SyncWork(const SyncNode* owner, WorkLane lane, const char* name, std::function<void()> engine,
                   std::function<void(std::vector<Action>&)> then)
    : owner_(owner), lane_(lane), name_(name), engine_(std::move(engine)), then_(std::move(then)) {}

void SyncWork::run() {
  if (ran_) return;
  engine_();
  ran_ = true;
}

SyncNode::SyncNode(Replicas& replicas, const NodeIdentity& identity, const Clock& clock, LocalNode local,
                   std::vector<PeerInfo> peers, SyncConfig config)
    : replicas_(replicas),
      identity_(identity.copy()),
      self_(replicas.self()),
      clock_(clock),
      local_(std::move(local)),
      config_(config) {
  for (auto& info : peers)
    if (info.key != self_) peers_[info.key].info = std::move(info);
  last_round_ms_ = clock_.now_ms();
  // Read once: from here on every change to a copy is this node's own work,
  // whose outcome updates held_, and the own log's growth is reported by
  // on_local_append. Deciding what to ask for never waits on the store.
  auto logs = replicas_.logs();
  if (!logs.ok()) {
    log_error("sync", "cannot read the logs held: " + logs.status().message());
    return;
  }
  for (const auto& state : logs.value()) held_[state.log] = {state.size, state.head, state.frozen};
}

template <class Outcome>
void SyncNode::start_work(WorkLane lane, const char* name, const PublicKey& peer,
                          std::function<Outcome()> engine,
                          std::function<void(Outcome&, std::vector<Action>&)> then,
                          std::vector<Action>& out) {
  auto outcome = std::make_shared<std::optional<Outcome>>();
  auto work = std::shared_ptr<SyncWork>(new SyncWork(
      this, lane, name, [outcome, engine = std::move(engine)] { outcome->emplace(engine()); },
      [outcome, then = std::move(then)](std::vector<Action>& done) { then(**outcome, done); }));
  if (config_.engine_work == EngineWork::in_call) {
    work->run();
    finish(*work, out);
    return;
  }
  out.push_back({Action::Kind::work, peer, {}, {}, std::move(work)});
}

void SyncNode::finish(SyncWork& work, std::vector<Action>& out) {
  work.finished_ = true;
  work.then_(out);
}

std::vector<Action> SyncNode::on_work_done(SyncWork& work) {
  std::vector<Action> out;
  // Work from another SyncNode, not run yet, or reported twice is the
  // driver's bug, never a peer's doing.
  assert(work.owner_ == this && work.ran_ && !work.finished_);
  if (work.owner_ != this || !work.ran_ || work.finished_) return out;
  finish(work, out);
  return out;
}

bool SyncNode::connected(const PublicKey& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.connected && !is_banned(peer);
}

Heads SyncNode::all_heads() const {
  Heads heads;
  for (const auto& [log, held] : held_)
    if (held.head && known_node(log)) heads.heads.push_back(*held.head);
  return heads;
}

std::vector<Cosignatures> SyncNode::cosignature_messages(std::vector<Cosignature> all) const {
  // Cosignatures of nodes that left the consortium may still be held; they
  // are not this consortium's business and would not fit the cap.
  std::map<PublicKey, Cosignatures> by_log;
  for (auto& cosignature : all)
    if (known_node(cosignature.head.log) && known_node(cosignature.witness))
      by_log[cosignature.head.log].cosignatures.push_back(std::move(cosignature));
  std::vector<Cosignatures> out;
  for (auto& [log, message] : by_log) out.push_back(std::move(message));
  return out;
}

void SyncNode::send_cosignatures(const PublicKey& peer, std::vector<Action>& out) {
  using Held = Result<std::vector<Cosignature>>;
  start_work<Held>(
      WorkLane::read, "read_cosignatures", peer, [&replicas = replicas_] { return replicas.cosignatures(); },
      [this, peer](Held& held, std::vector<Action>& done) {
        if (peer.is_zero()) cosignature_round_ = false;
        if (!held.ok()) {
          log_error("sync", "cannot read the cosignatures held: " + held.status().message());
          return;
        }
        for (const auto& message : cosignature_messages(std::move(held).value())) {
          if (!peer.is_zero()) {
            if (connected(peer)) done.push_back(Action::send(peer, message));
            continue;
          }
          for (const auto& [key, p] : peers_)
            if (connected(key)) done.push_back(Action::send(key, message));
        }
      },
      out);
}

void SyncNode::send_greeting(const PublicKey& peer, std::vector<Action>& out) {
  // Heads from memory at once, so a greeting never waits on the store;
  // cosignatures and evidence are read by work on the read lane.
  out.push_back(Action::send(peer, all_heads()));
  send_cosignatures(peer, out);
  using Held = Result<std::vector<cohours::Evidence>>;
  start_work<Held>(
      WorkLane::read, "read_evidence", peer, [&replicas = replicas_] { return replicas.evidence(); },
      [this, peer](Held& evidence, std::vector<Action>& done) {
        if (!evidence.ok() || !connected(peer)) return;
        for (const auto& e : evidence.value())
          done.push_back(Action::send(peer, Evidence{e.first, e.second}));
      },
      out);
}

PublicKey SyncNode::owner_key(const PublicKey& log) const {
  auto it = peers_.find(log);
  return it != peers_.end() && it->second.connected ? it->second.signer : PublicKey{};
}

std::vector<PublicKey> SyncNode::owner_keys(const std::vector<SignedTreeHead>& heads) const {
  std::vector<PublicKey> out;
  for (const auto& head : heads) out.push_back(owner_key(head.head.log));
  return out;
}

std::vector<Action> SyncNode::on_connected(const PublicKey& peer, const PublicKey& signer) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  if (it == peers_.end()) {
    out.push_back(Action::disconnect(peer, "not a node of this consortium"));
    return out;
  }
  if (is_banned(peer)) {
    out.push_back(Action::send(peer, Goodbye{GoodbyeReason::banned, it->second.ban_reason}));
    out.push_back(Action::disconnect(peer, "banned: " + it->second.ban_reason));
    return out;
  }
  it->second.connected = true;
  it->second.signer = signer.is_zero() ? peer : signer;
  it->second.last_contact_ms = clock_.now_ms();
  it->second.features = 0;
  it->second.greeted = false;
  send_greeting(peer, out);
  probe_features(peer, out);
  return out;
}

void SyncNode::probe_features(const PublicKey& peer, std::vector<Action>& out) {
  const std::uint64_t id = next_request_id_++;
  // An old node answers "not found". A link that closes first ends the
  // wait like any alias query (on_disconnected); the next link probes again.
  alias_waits_[id] = {peer, clock_.now_ms(), [this, peer](std::optional<PublicKey> answer) {
                        auto it = peers_.find(peer);
                        if (it != peers_.end() && it->second.connected)
                          it->second.features = answer ? answer->bytes[0] : 0;
                      }};
  out.push_back(Action::send(peer, AliasQuery{id, std::string(kFeatureProbe)}));
}

bool SyncNode::knows_member_alias(const PublicKey& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.connected && (it->second.features & kFeatureMemberAlias);
}

std::vector<Action> SyncNode::on_disconnected(const PublicKey& peer) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  if (it == peers_.end()) return out;
  drop_peer(peer, out);
  for (auto wait = alias_waits_.begin(); wait != alias_waits_.end();) {
    if (wait->second.peer == peer) {
      auto done = std::move(wait->second.done);
      wait = alias_waits_.erase(wait);
      done(std::nullopt);
    } else {
      ++wait;
    }
  }
  end_member_alias_waits(peer, 0);
  return out;
}

void SyncNode::end_member_alias_waits(const PublicKey& peer, std::int64_t now) {
  for (auto wait = member_alias_waits_.begin(); wait != member_alias_waits_.end();) {
    const bool ends = peer.is_zero() ? now - wait->second.sent_ms >= config_.request_timeout_ms
                                     : wait->second.peer == peer;
    if (ends) {
      auto done = std::move(wait->second.done);
      wait = member_alias_waits_.erase(wait);
      done(MemberAliasReply{});
    } else {
      ++wait;
    }
  }
}

std::vector<Action> SyncNode::on_message(const PublicKey& peer, const Message& message) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.connected || is_banned(peer)) return out;
  it->second.last_contact_ms = clock_.now_ms();
  std::visit([&](const auto& m) { handle(peer, m, out); }, message);
  return out;
}

std::vector<Action> SyncNode::on_malformed(const PublicKey& peer, const std::string& why) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  const std::string name = it != peers_.end() ? it->second.info.name : short_key(peer);
  log_warn("sync", name + " sent a malformed message (" + why + "); dropping the link");
  out.push_back(Action::disconnect(peer, "it sent a malformed message"));
  return out;
}

std::vector<Action> SyncNode::on_local_append() {
  std::vector<Action> out;
  using Own = Result<LogState>;
  start_work<Own>(
      WorkLane::read, "read_own_head", {},
      [&replicas = replicas_, self = self_] { return replicas.log_state(self); },
      [this](Own& own, std::vector<Action>& done) {
        if (!own.ok()) return;
        note_own_head(own->head);
        push_own_head(done);
      },
      out);
  return out;
}

void SyncNode::note_own_head(const std::optional<SignedTreeHead>& head) {
  HeldLog& own = held_[self_];
  if (head && head->head.size > own.size) {
    own.size = head->head.size;
    own.head = head;
  }
}

void SyncNode::push_own_head(std::vector<Action>& out) {
  const HeldLog& own = held_[self_];
  if (own.head) broadcast(Heads{{*own.head}}, {}, out);
}

std::vector<Action> SyncNode::on_tick() {
  std::vector<Action> out;
  const std::int64_t now = clock_.now_ms();
  std::vector<PublicKey> expired;
  for (const auto& [log, flight] : in_flight_)
    if (now - flight.sent_ms >= config_.request_timeout_ms) expired.push_back(log);
  for (const auto& log : expired) {
    log_warn("sync", "no answer from " + peers_[in_flight_[log].peer].info.name + " for log " + short_key(log) +
             "; asking again");
    in_flight_.erase(log);
    maybe_request(log, out);
  }
  for (auto wait = alias_waits_.begin(); wait != alias_waits_.end();) {
    if (now - wait->second.sent_ms >= config_.request_timeout_ms) {
      auto done = std::move(wait->second.done);
      wait = alias_waits_.erase(wait);
      done(std::nullopt);
    } else {
      ++wait;
    }
  }
  end_member_alias_waits({}, now);
  maybe_confirm_own(out);
  if (now - last_round_ms_ >= config_.anti_entropy_ms) {
    last_round_ms_ = now;
    // Anti-entropy: everyone hears every head and cosignature again, so a
    // lost push or answer costs one round, not a stuck log. Transfers that
    // could not be recorded earlier are tried again. Work still waiting from
    // the last round is not asked for twice.
    const Heads heads = all_heads();
    for (const auto& [key, peer] : peers_)
      if (connected(key)) out.push_back(Action::send(key, heads));
    if (!cosignature_round_) {
      cosignature_round_ = true;
      send_cosignatures({}, out);
    }
    for (const auto& [key, peer] : peers_) receive_transfers(key, out);
  }
  return out;
}

std::vector<Action> SyncNode::query_alias(const PublicKey& peer, const std::string& alias,
                                          std::function<void(std::optional<PublicKey>)> done) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.connected || alias.size() > kMaxAliasBytes) {
    done(std::nullopt);
    return out;
  }
  const std::uint64_t id = next_request_id_++;
  alias_waits_[id] = {peer, clock_.now_ms(), std::move(done)};
  out.push_back(Action::send(peer, AliasQuery{id, alias}));
  return out;
}

std::vector<Action> SyncNode::query_member_alias(const PublicKey& peer, const PublicKey& member,
                                                 std::function<void(MemberAliasReply)> done) {
  std::vector<Action> out;
  if (!knows_member_alias(peer) || member.is_zero()) {
    done(MemberAliasReply{});
    return out;
  }
  const std::uint64_t id = next_request_id_++;
  member_alias_waits_[id] = {peer, clock_.now_ms(), std::move(done)};
  out.push_back(Action::send(peer, MemberAliasQuery{id, member}));
  return out;
}

bool SyncNode::is_banned(const PublicKey& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.banned_until_ms > clock_.now_ms();
}

std::vector<PeerStatus> SyncNode::status() const {
  std::vector<PeerStatus> out;
  for (const auto& [key, peer] : peers_) {
    const bool banned = peer.banned_until_ms > clock_.now_ms();
    out.push_back({key, peer.info.name, peer.connected, peer.last_contact_ms,
                   banned ? peer.banned_until_ms : 0, banned ? peer.ban_reason : std::string(), peer.sizes});
  }
  return out;
}

void SyncNode::broadcast(const Message& message, const PublicKey& except, std::vector<Action>& out) {
  for (const auto& [key, peer] : peers_)
    if (peer.connected && key != except && !is_banned(key)) out.push_back(Action::send(key, message));
}

void SyncNode::ban(const PublicKey& peer, const std::string& reason, std::vector<Action>& out) {
  auto it = peers_.find(peer);
  // Work of several of its messages may each find it out: the first ban stands.
  if (it == peers_.end() || is_banned(peer)) return;
  log_warn("sync", "banning " + it->second.info.name + " for " + std::to_string(config_.ban_ms / 1000) +
           " s: " + reason);
  it->second.banned_until_ms = clock_.now_ms() + config_.ban_ms;
  it->second.ban_reason = reason;
  out.push_back(Action::send(peer, Goodbye{GoodbyeReason::banned, reason}));
  out.push_back(Action::disconnect(peer, "banned: " + reason));
  drop_peer(peer, out);
}

void SyncNode::drop_peer(const PublicKey& peer, std::vector<Action>& out) {
  Peer& gone = peers_[peer];
  gone.connected = false;
  gone.sizes.clear();
  // Whatever was asked of this peer is asked of another at once.
  std::vector<PublicKey> retry;
  for (auto flight = in_flight_.begin(); flight != in_flight_.end();) {
    if (flight->second.peer == peer) {
      retry.push_back(flight->first);
      flight = in_flight_.erase(flight);
    } else {
      ++flight;
    }
  }
  for (const auto& log : retry) maybe_request(log, out);
}

void SyncNode::keep_evidence(const cohours::Evidence& evidence, const PublicKey& from,
                             std::vector<Action>& out) {
  using Added = Result<bool>;
  start_work<Added>(
      WorkLane::write, "store_evidence", from,
      [&replicas = replicas_, evidence] { return replicas.add_evidence(evidence); },
      [this, evidence](Added& added, std::vector<Action>& done) {
        if (!added.ok()) {
          log_error("sync", "cannot store equivocation evidence: " + added.status().message());
          return;
        }
        if (added.value()) announce_evidence(evidence, {}, done);
      },
      out);
}

void SyncNode::announce_evidence(const cohours::Evidence& evidence, const PublicKey& except,
                                 std::vector<Action>& out) {
  const PublicKey& log = evidence.first.head.log;
  log_error("sync", "EQUIVOCATION: node " + short_key(log) + " signed two different heads of size " +
            std::to_string(evidence.first.head.size) + "; its log is frozen here and the evidence passed on");
  in_flight_.erase(log);
  if (auto held = held_.find(log); held != held_.end()) held->second.frozen = true;
  broadcast(Evidence{evidence.first, evidence.second}, except, out);
}

void SyncNode::note_size(const PublicKey& from, const SignedTreeHead& head) {
  // Only while the link that said it is up: sizes are what a peer announced
  // since its link came up (drop_peer forgets them).
  auto peer = peers_.find(from);
  if (peer == peers_.end() || !peer->second.connected) return;
  // Also for this node's own log: how far the peer has copied it.
  auto& size = peer->second.sizes[head.head.log];
  size = std::max(size, head.head.size);
}

void SyncNode::maybe_request(const PublicKey& log, std::vector<Action>& out) {
  if ((log == self_ && !local_.recover_own) || in_flight_.count(log) || applying_.count(log) ||
      broken_.count(log))
    return;
  auto held = held_.find(log);
  if (held == held_.end() || held->second.frozen) return;
  const HeldLog& state = held->second;
  // Ask the connected peer that is furthest ahead.
  const Peer* best = nullptr;
  PublicKey best_key;
  for (const auto& [key, peer] : peers_) {
    if (!peer.connected || is_banned(key)) continue;
    auto size = peer.sizes.find(log);
    if (size == peer.sizes.end() || size->second <= state.size) continue;
    if (!best || size->second > best->sizes.at(log)) {
      best = &peer;
      best_key = key;
    }
  }
  if (!best) return;
  GetRecords request{log, state.size, std::nullopt,
                     std::min<std::uint32_t>(config_.batch_records, kMaxBatchRecords)};
  if (state.size > 0) request.have = state.head;
  in_flight_[log] = {best_key, clock_.now_ms()};
  out.push_back(Action::send(best_key, request));
}

void SyncNode::handle(const PublicKey& from, const Heads& m, std::vector<Action>& out) {
  // The signatures and the held heads of the same sizes are checked by work
  // on the read lane; what follows from them is decided here. A head that
  // is, byte for byte, the latest one held of its log (what every peer in
  // step sends each round) was checked when it was stored and cannot
  // conflict with itself: it needs no work.
  struct Checked {
    std::size_t bad = SIZE_MAX;                               // the first head that does not verify
    std::vector<std::optional<cohours::Evidence>> conflicts;  // per head before it
  };
  std::vector<bool> known, held;
  for (const auto& head : m.heads) {
    known.push_back(known_node(head.head.log));
    auto it = held_.find(head.head.log);
    held.push_back(it != held_.end() && it->second.head && same_head(*it->second.head, head));
  }
  // A link's first Heads is the peer's greeting: every head it holds.
  const bool greeting = !peers_[from].greeted;
  peers_[from].greeted = true;
  auto then = [this, from, heads = m.heads, known, greeting](Checked& checked, std::vector<Action>& done) {
    for (std::size_t i = 0; i < heads.size(); ++i) {
      if (i == checked.bad) {
        ban(from, "sent a tree head with a bad signature for log " + short_key(heads[i].head.log), done);
        return;
      }
      if (!known[i]) continue;  // not a log of this consortium
      if (checked.conflicts[i]) {
        keep_evidence(*checked.conflicts[i], from, done);
        continue;
      }
      if (is_banned(from)) continue;
      note_size(from, heads[i]);
      if (heads[i].head.log == self_ && heads[i].head.size > held_[self_].size)
        own_log_behind(from, heads[i].head.size, done);
      maybe_request(heads[i].head.log, done);
    }
    if (greeting) maybe_confirm_own(done);
  };
  if (std::all_of(held.begin(), held.end(), [](bool h) { return h; })) {
    Checked nothing_to_check;
    nothing_to_check.conflicts.resize(m.heads.size());
    then(nothing_to_check, out);
    return;
  }
  start_work<Checked>(
      WorkLane::read, "check_heads", from,
      [&replicas = replicas_, heads = m.heads, known, held, owners = owner_keys(m.heads)] {
        Checked checked;
        for (std::size_t i = 0; i < heads.size(); ++i) {
          if (held[i]) {
            checked.conflicts.push_back(std::nullopt);
            continue;
          }
          const HeadCheck check = replicas.check_head(heads[i], owners[i]);
          if (check == HeadCheck::bad) {
            checked.bad = i;
            break;
          }
          // Signed by a key this node has not fetched the rotation of yet:
          // nothing to compare it with until the records come.
          if (check == HeadCheck::unknown_key) {
            checked.conflicts.push_back(std::nullopt);
            continue;
          }
          checked.conflicts.push_back(known[i] ? replicas.conflict(heads[i]) : std::nullopt);
        }
        return checked;
      },
      then, out);
}

void SyncNode::handle(const PublicKey& from, const GetRecords& m, std::vector<Action>& out) {
  if ((m.from_size > 0) != m.have.has_value() ||
      (m.have && (m.have->head.log != m.log || m.have->head.size != m.from_size))) {
    ban(from, "asked for records with a head that does not match the request", out);
    return;
  }
  // The `have` head is checked like a heard one, then the batch is read and
  // its proof computed, all on the read lane.
  struct Served {
    bool bad_have = false;
    std::optional<cohours::Evidence> conflict;
    Result<LogBatch> batch = Status(Code::not_found, "not read");
    std::optional<SignedTreeHead> held;  // when there is no batch: the head held, if any
  };
  const bool known = known_node(m.log);
  const std::uint32_t max_records =
      std::min({m.max_records, config_.batch_records, static_cast<std::uint32_t>(kMaxBatchRecords)});
  start_work<Served>(
      WorkLane::read, "serve", from,
      [&replicas = replicas_, m, known, max_records, owner = owner_key(m.log)] {
        Served served;
        if (m.have) {
          const HeadCheck check = replicas.check_head(*m.have, owner);
          if (check == HeadCheck::bad) {
            served.bad_have = true;
            return served;
          }
          if (!known) return served;
          if (check == HeadCheck::valid && (served.conflict = replicas.conflict(*m.have))) return served;
        }
        served.batch = replicas.read_batch(m.log, m.from_size, max_records);
        if (!served.batch.ok())
          if (auto state = replicas.log_state(m.log); state.ok()) served.held = state->head;
        return served;
      },
      [this, from, m, known](Served& served, std::vector<Action>& done) {
        if (served.bad_have) {
          ban(from, "sent a tree head with a bad signature for log " + short_key(m.log), done);
          return;
        }
        if (m.have && !known) return;  // not a log of this consortium
        if (served.conflict) {
          keep_evidence(*served.conflict, from, done);
          return;
        }
        if (is_banned(from)) return;
        if (m.have) note_size(from, *m.have);
        if (!served.batch.ok()) {
          // Nothing newer here (or not held): say what we have, so the peer
          // stops asking us.
          Heads heads;
          if (served.held) heads.heads.push_back(*served.held);
          done.push_back(Action::send(from, heads));
          return;
        }
        LogBatch& b = served.batch.value();
        done.push_back(Action::send(
            from, Records{b.log, b.from_size, b.head, std::move(b.consistency_proof), std::move(b.records)}));
      },
      out);
}

void SyncNode::handle(const PublicKey& from, const Records& m, std::vector<Action>& out) {
  auto flight = in_flight_.find(m.log);
  const bool asked = flight != in_flight_.end() && flight->second.peer == from;
  if (asked) in_flight_.erase(flight);
  // One batch of a log is stored at a time. The one fetched ahead, going on
  // from it, waits its turn; any other would be stale when its turn came.
  if (auto storing = applying_.find(m.log); storing != applying_.end()) {
    if (asked && m.from_size == storing->second && !next_batch_.count(m.log)) {
      next_batch_.emplace(m.log, std::make_pair(from, m));
      return;
    }
    log_debug("sync", "log " + short_key(m.log) + ": a batch from " + peers_[from].info.name +
              " ignored while another is being stored");
    return;
  }
  store_batch(from, m, out);
}

// While a batch is verified and stored, the next one is fetched from the
// same peer, going on from the head this one ends at: the network, the
// peer's read and this node's storing overlap instead of taking turns. If
// this batch turns out bad, the one fetched ahead is dropped with it.
void SyncNode::fetch_ahead(const PublicKey& from, const Records& storing, std::vector<Action>& out) {
  const std::uint64_t end = storing.head.head.size;
  // Only a batch that goes on from the copy held here leads anywhere: after
  // a refused one (or on a frozen or broken log) nothing is fetched ahead.
  auto held = held_.find(storing.log);
  if (held == held_.end() || held->second.frozen || held->second.size != storing.from_size ||
      broken_.count(storing.log))
    return;
  auto peer = peers_.find(from);
  if (peer == peers_.end() || !peer->second.connected || is_banned(from) || in_flight_.count(storing.log)) return;
  auto size = peer->second.sizes.find(storing.log);
  if (size == peer->second.sizes.end() || size->second <= end || storing.records.empty()) return;
  GetRecords request{storing.log, end, storing.head,
                     std::min<std::uint32_t>(config_.batch_records, kMaxBatchRecords)};
  in_flight_[storing.log] = {from, clock_.now_ms()};
  out.push_back(Action::send(from, request));
}

void SyncNode::store_batch(const PublicKey& from, Records m, std::vector<Action>& out) {
  applying_[m.log] = m.head.head.size;
  fetch_ahead(from, m, out);
  // Storing the batch, cosigning its head and recording the transfers it
  // holds are one piece of work, and its outcome is announced only once all
  // of it is done: a peer that hears this node caught up on a log knows the
  // transfers in it are recorded here (`cohours sync wait` relies on that).
  struct Applied {
    bool bad_head = false;
    AppendResult result;
    Cosignature mine;
    bool cosignature_kept = false;
    std::optional<TransfersRecorded> transfers;
  };
  const bool receives = local_.submit && m.log != self_;
  start_work<Applied>(
      WorkLane::write, "append", from,
      [this, &replicas = replicas_,
       batch = LogBatch{m.log, m.from_size, m.head, m.consistency_proof, m.records}, &identity = identity_,
       self = self_, owner = owner_key(m.log),
       receives, after = inbound_[m.log]] {
        Applied applied;
        // This node's own records, fetched back: the ledger checks them as
        // a copy's and appends them (a head beyond the log may be signed by
        // a key a rotation among them names, which check_head cannot know).
        if (batch.log == self) {
          applied.result = local_.recover_own(batch);
          return applied;
        }
        // Checked first and apart from Replicas::append, which refuses it
        // too: the ban names what was wrong.
        if (replicas.check_head(batch.head, owner) == HeadCheck::bad) {
          applied.bad_head = true;
          return applied;
        }
        applied.result = replicas.append(batch);
        if (applied.result.outcome != AppendResult::Outcome::appended) return applied;
        // Witness: this node verified the head as extending what it held.
        applied.mine = cosign_tree_head(batch.head.head, self, identity.secret_key);
        auto kept = replicas.add_cosignature(applied.mine);
        applied.cosignature_kept = kept.ok() && kept.value();
        if (receives) applied.transfers = record_transfers(replicas, batch.log, after);
        return applied;
      },
      [this, from, log = m.log, head = m.head](Applied& applied, std::vector<Action>& done) {
        applying_.erase(log);
        // The batch fetched ahead is stored next only if this one was and
        // it goes on from it.
        std::optional<std::pair<PublicKey, Records>> ahead;
        // A batch that was not stored leaves nothing to go on from: the
        // request sent ahead of it is forgotten, its answer not stored. (A
        // forger's is asked of another peer when the ban drops it.)
        if (!applied.bad_head && applied.result.outcome != AppendResult::Outcome::appended &&
            applied.result.outcome != AppendResult::Outcome::forged)
          if (auto flight = in_flight_.find(log); flight != in_flight_.end() && flight->second.peer == from)
            in_flight_.erase(flight);
        if (auto next = next_batch_.find(log); next != next_batch_.end()) {
          if (applied.result.outcome == AppendResult::Outcome::appended &&
              next->second.second.from_size == applied.result.size && !is_banned(next->second.first))
            ahead = std::move(next->second);
          next_batch_.erase(next);
        }
        if (applied.bad_head) {
          ban(from, "sent records under a tree head with a bad signature", done);
          return;
        }
        const AppendResult& result = applied.result;
        using O = AppendResult::Outcome;
        const std::string peer_name = peers_[from].info.name;
        switch (result.outcome) {
          case O::appended:
            log_debug("sync", "log " + short_key(log) + ": " + std::to_string(result.appended) + " records from " +
                      peer_name + ", now " + std::to_string(result.size));
            held_[log].size = result.size;
            held_[log].head = head;
            {
              // Push: peers that lag fetch from us, and the sender learns we
              // caught up. Our own head, if the batch's transfers made our
              // log grow, goes in the same message: whoever hears we caught
              // up on the log hears of the transfer.in entries with it.
              Heads push{{head}};
              if (applied.transfers && transfers_recorded(log, *applied.transfers))
                push.heads.push_back(*held_[self_].head);
              broadcast(push, {}, done);
            }
            if (applied.cosignature_kept) broadcast(Cosignatures{{applied.mine}}, {}, done);
            if (log == self_)
              log_info("sync", "fetched back " + std::to_string(result.appended) + " records of this node's own log from " +
                       peer_name + ", now " + std::to_string(result.size));
            if (ahead) {
              store_batch(ahead->first, std::move(ahead->second), done);
              return;
            }
            break;
          case O::frozen:
            held_[log].frozen = true;
            break;
          case O::nothing_new:
          case O::stale:
          case O::unknown_log:
            // This node's own log holds more than held_ says: read its head
            // again, or it would ask for the same records for ever.
            if (log == self_) {
              for (auto& action : on_local_append()) done.push_back(std::move(action));
              return;
            }
            break;
          case O::forged:
            ban(from, "sent records that do not verify: " + result.message, done);
            return;
          case O::inconsistent:
            // The peer's copy forks from ours: ask for its head at our size, which
            // is evidence if it differs from ours. Do not ask this peer again
            // for this log until it announces anew.
            log_warn("sync", "log " + short_key(log) + " from " + peer_name + ": " + result.message);
            peers_[from].sizes.erase(log);
            if (connected(from)) done.push_back(Action::send(from, GetHead{log, result.size}));
            return;
          case O::equivocation:
            // Replicas::append stored it already: announce it here. For this
            // node's own log (recover_own) it is stored first.
            if (result.evidence && log == self_) keep_evidence(*result.evidence, from, done);
            else if (result.evidence) announce_evidence(*result.evidence, {}, done);
            return;
          case O::rule_broken:
            log_error("sync", "log " + short_key(log) +
                      " breaks the ledger rules; no longer fetched: " + result.message);
            broken_[log] = result.message;
            return;
          case O::store_failed:
            log_error("sync", "storing records of log " + short_key(log) + " failed: " + result.message);
            return;
        }
        maybe_request(log, done);
        if (log == self_) maybe_confirm_own(done);
      },
      out);
}

void SyncNode::own_log_behind(const PublicKey& from, std::uint64_t there, std::vector<Action>& out) {
  if (!local_.hold_signing || holding_) return;
  holding_ = true;
  const std::string why = peers_[from].info.name + " holds " + std::to_string(there) +
                          " records of this node's log and this node only " + std::to_string(held_[self_].size) +
                          " (restored from an old backup?); the missing ones are being fetched back";
  log_warn("sync", "this node's own log: " + why + "; nothing is signed meanwhile");
  start_work<Status>(
      WorkLane::write, "hold_signing", from, [hold = local_.hold_signing, why] { return hold(why); },
      [](Status& held, std::vector<Action>&) {
        if (!held.ok()) log_error("sync", "cannot hold signing: " + held.message());
      },
      out);
}

void SyncNode::maybe_confirm_own(std::vector<Action>& out) {
  // A consortium of this node alone has no peer that could hold more.
  if (!local_.signing_hold || !local_.release_signing || confirming_) return;
  const HeldLog& own = held_[self_];
  if (own.frozen || in_flight_.count(self_) || applying_.count(self_)) return;
  for (const auto& [key, peer] : peers_) {
    if (!connected(key) || !peer.greeted) return;
    auto there = peer.sizes.find(self_);
    if (there != peer.sizes.end() && there->second > own.size) return;
  }
  auto held = local_.signing_hold();
  if (!held) return;
  confirming_ = true;
  start_work<Status>(
      WorkLane::write, "release_signing", {}, [release = local_.release_signing] { return release(); },
      [this, size = own.size](Status& released, std::vector<Action>&) {
        confirming_ = false;
        if (!released.ok()) {
          log_error("sync", "cannot release signing: " + released.message());
          return;
        }
        log_info("sync", "every peer has shown it holds no more of this node's log than its " + std::to_string(size) +
                 " records: signing resumes");
      },
      out);
}

void SyncNode::receive_transfers(const PublicKey& log, std::vector<Action>& out) {
  // One scan of a log at a time: a round that finds one still running adds nothing.
  if (!local_.submit || log == self_ || receiving_.count(log)) return;
  receiving_.insert(log);
  start_work<TransfersRecorded>(
      WorkLane::write, "receive_transfers", {},
      [this, &replicas = replicas_, log, after = inbound_[log]] {
        return record_transfers(replicas, log, after);
      },
      [this, log](TransfersRecorded& recorded, std::vector<Action>& done) {
        receiving_.erase(log);
        if (transfers_recorded(log, recorded)) push_own_head(done);
      },
      out);
}

SyncNode::TransfersRecorded SyncNode::record_transfers(Replicas& replicas, const PublicKey& log,
                                                       std::uint64_t after_seq) const {
  TransfersRecorded recorded;
  bool appended = false;
  recorded.pending = replicas.pending_inbound(log, after_seq);
  if (recorded.pending.ok() && !recorded.pending->empty()) {
    recorded.results = local_.submit(sign_transfers_in(recorded.pending.value()));
    for (const auto& r : recorded.results) appended |= r.ok() && !r.duplicate;
  }
  // The limit that co-op set about this one, once its copy shows it: this
  // node's own transfers keep within it from here on.
  recorded.limit = replicas.unrecorded_clearing_limit(log);
  if (recorded.limit.ok() && *recorded.limit) {
    const Bytes entry = sign_clearing_limit(**recorded.limit);
    auto results = local_.submit(std::span(&entry, 1));
    if (!results.empty()) {
      recorded.limit_result = results.front();
      appended |= results.front().ok() && !results.front().duplicate;
    }
  }
  if (appended)
    if (auto own = replicas.log_state(self_); own.ok()) recorded.own_head = own->head;
  return recorded;
}

bool SyncNode::transfers_recorded(const PublicKey& log, const TransfersRecorded& recorded) {
  if (!recorded.pending.ok()) {
    log_error("sync", "cannot read transfers from log " + short_key(log) + ": " +
              recorded.pending.status().message());
    return false;
  }
  if (!recorded.limit.ok())
    log_error("sync", "cannot read the clearing limit of log " + short_key(log) + ": " + recorded.limit.status().message());
  else if (recorded.limit_result && !recorded.limit_result->ok())
    log_warn("sync", "clearing limit from " + short_key(log) + " not recorded: " + recorded.limit_result->message);
  const auto& pending = recorded.pending.value();
  std::uint64_t done_to = inbound_[log];
  for (std::size_t i = 0; i < recorded.results.size(); ++i) {
    const auto& r = recorded.results[i];
    if (!r.ok() && r.code != Code::already_exists) {
      // Left for the next round; an unknown receiver stays in flight and
      // shows in `cohours clearing`.
      log_warn("sync", "transfer " + short_key(pending[i].origin) + " from " + short_key(log) +
               " not recorded: " + r.message);
      break;
    }
    done_to = std::max(done_to, pending[i].origin_seq);
  }
  inbound_[log] = done_to;
  if (!recorded.own_head) return false;
  note_own_head(recorded.own_head);
  return true;
}

std::vector<Bytes> SyncNode::sign_transfers_in(const std::vector<InboundTransfer>& pending) const {
  std::vector<Bytes> entries;
  for (const auto& t : pending) {
    Entry entry;
    entry.node = self_;  // for this node's own log
    entry.author = identity_.public_key;
    entry.created_ms = clock_.now_ms();
    // A repeat after a crash is refused by the ledger (one transfer.in per
    // origin entry); the nonce derived from the origin only keeps it tidy.
    entry.nonce = 0;
    for (int i = 0; i < 8; ++i) entry.nonce = (entry.nonce << 8) | t.origin.bytes[i];
    entry.body = TransferIn{t.from_node, t.origin, t.to, t.minutes};
    entries.push_back(sign_entry(entry, identity_.secret_key).bytes);
  }
  return entries;
}

Bytes SyncNode::sign_clearing_limit(const ClearingLimitPeer& limit) const {
  Entry entry;
  entry.node = self_;
  entry.author = identity_.public_key;
  entry.created_ms = clock_.now_ms();
  // One entry per limit and position: a repeat is refused as not newer.
  entry.nonce = limit.origin_seq;
  entry.body = limit;
  return sign_entry(entry, identity_.secret_key).bytes;
}

void SyncNode::handle(const PublicKey& from, const Evidence& m, std::vector<Action>& out) {
  struct Checked {
    bool evidence = false;
    Result<bool> added = false;  // new evidence stored
  };
  const cohours::Evidence evidence = engine_evidence(m);
  const bool known = known_node(evidence.first.head.log);
  start_work<Checked>(
      WorkLane::write, "store_evidence", from,
      [&replicas = replicas_, evidence, known] {
        Checked checked;
        const HeadCheck check = replicas.check_evidence(evidence);
        // Heads signed by a key whose rotation is not fetched yet are judged
        // when the evidence comes again (every greeting resends it).
        checked.evidence = check != HeadCheck::bad;
        if (check == HeadCheck::valid && known) checked.added = replicas.add_evidence(evidence);
        return checked;
      },
      [this, from, evidence, known](Checked& checked, std::vector<Action>& done) {
        if (!checked.evidence) {
          ban(from, "sent equivocation evidence that is not evidence", done);
          return;
        }
        if (!known) return;
        if (!checked.added.ok()) {
          log_error("sync", "cannot store equivocation evidence: " + checked.added.status().message());
          return;
        }
        if (checked.added.value()) announce_evidence(evidence, from, done);
      },
      out);
}

void SyncNode::handle(const PublicKey& from, const Cosignatures& m, std::vector<Action>& out) {
  std::vector<Cosignature> ours;
  for (const auto& cosignature : m.cosignatures)
    if (known_node(cosignature.witness) && known_node(cosignature.head.log)) ours.push_back(cosignature);
  if (ours.empty()) return;
  // The sender proved its current key in the handshake: its own
  // cosignatures must carry that key's signature.
  start_work<bool>(
      WorkLane::write, "store_cosignatures", from,
      [&replicas = replicas_, ours, from, sender_key = peers_[from].signer] {
        for (const auto& cosignature : ours)
          if (replicas.add_cosignature(cosignature, cosignature.witness == from ? sender_key : PublicKey{})
                  .code() == Code::bad_signature)
            return false;
        return true;
      },
      [this, from](bool& verified, std::vector<Action>& done) {
        if (!verified) ban(from, "sent a cosignature that does not verify", done);
      },
      out);
}

void SyncNode::handle(const PublicKey& from, const Goodbye& m, std::vector<Action>& out) {
  log_info("sync", peers_[from].info.name + " said goodbye: " + m.message);
  out.push_back(Action::disconnect(from, "the peer said goodbye"));
}

void SyncNode::handle(const PublicKey& from, const AliasQuery& m, std::vector<Action>& out) {
  if (m.alias == kFeatureProbe) {
    PublicKey features;
    features.bytes[0] = kFeaturesKnown;
    out.push_back(Action::send(from, AliasAnswer{m.request_id, true, features}));
    return;
  }
  using Found = std::optional<PublicKey>;
  start_work<Found>(
      WorkLane::read, "lookup_alias", from,
      [lookup = local_.lookup_alias, alias = m.alias]() -> Found {
        return lookup ? lookup(alias) : std::nullopt;
      },
      [this, from, id = m.request_id](Found& key, std::vector<Action>& done) {
        if (connected(from))
          done.push_back(Action::send(from, AliasAnswer{id, key.has_value(), key.value_or(PublicKey{})}));
      },
      out);
}

void SyncNode::handle(const PublicKey& from, const AliasAnswer& m, std::vector<Action>&) {
  auto wait = alias_waits_.find(m.request_id);
  if (wait == alias_waits_.end() || wait->second.peer != from) return;
  auto done = std::move(wait->second.done);
  alias_waits_.erase(wait);
  done(m.found ? std::optional<PublicKey>(m.key) : std::nullopt);
}

void SyncNode::handle(const PublicKey& from, const GetHead& m, std::vector<Action>& out) {
  using Held = Result<std::optional<SignedTreeHead>>;
  start_work<Held>(
      WorkLane::read, "read_head", from,
      [&replicas = replicas_, log = m.log, size = m.size] { return replicas.head_at(log, size); },
      [this, from](Held& head, std::vector<Action>& done) {
        if (head.ok() && head.value() && connected(from))
          done.push_back(Action::send(from, Heads{{*head.value()}}));
      },
      out);
}

// Answered from this node's own members only, and only with the alias: a
// key that is no member here (never one, or forgotten), or the zero key,
// is "not found", and the link stays up.
void SyncNode::handle(const PublicKey& from, const MemberAliasQuery& m, std::vector<Action>& out) {
  if (m.member.is_zero()) {
    out.push_back(Action::send(from, MemberAliasAnswer{m.request_id, false, {}}));
    return;
  }
  using Found = std::optional<std::string>;
  start_work<Found>(
      WorkLane::read, "lookup_member_alias", from,
      [alias_of = local_.alias_of, member = m.member]() -> Found {
        Found alias = alias_of ? alias_of(member) : std::nullopt;
        if (alias && (alias->empty() || alias->size() > kMaxMemberAliasBytes)) return std::nullopt;
        return alias;
      },
      [this, from, id = m.request_id](Found& alias, std::vector<Action>& done) {
        if (connected(from))
          done.push_back(
              Action::send(from, MemberAliasAnswer{id, alias.has_value(), alias.value_or(std::string())}));
      },
      out);
}

void SyncNode::handle(const PublicKey& from, const MemberAliasAnswer& m, std::vector<Action>&) {
  auto wait = member_alias_waits_.find(m.request_id);
  if (wait == member_alias_waits_.end() || wait->second.peer != from) return;
  auto done = std::move(wait->second.done);
  member_alias_waits_.erase(wait);
  MemberAliasReply reply;
  reply.answered = true;
  if (m.found) reply.alias = m.alias;
  done(std::move(reply));
}

}  // namespace cohours::net
