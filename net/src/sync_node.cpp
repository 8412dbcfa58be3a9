#include "cohours/net/sync_node.h"

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

}  // namespace

SyncNode::SyncNode(Replicas& replicas, NodeIdentity identity, const Clock& clock, LocalNode local,
                   std::vector<PeerInfo> peers, SyncConfig config)
    : replicas_(replicas), identity_(identity), clock_(clock), local_(std::move(local)), config_(config) {
  for (auto& info : peers)
    if (info.key != identity_.public_key) peers_[info.key].info = std::move(info);
  last_round_ms_ = clock_.now_ms();
}

Heads SyncNode::all_heads() const {
  Heads heads;
  auto logs = replicas_.logs();
  if (!logs.ok()) {
    log_error("cannot read the logs held: " + logs.status().message());
    return heads;
  }
  for (const auto& state : logs.value())
    if (state.head && (state.own || known_node(state.log))) heads.heads.push_back(*state.head);
  return heads;
}

Cosignatures SyncNode::all_cosignatures() const {
  Cosignatures out;
  auto held = replicas_.cosignatures();
  if (held.ok()) out.cosignatures = std::move(held).value();
  return out;
}

void SyncNode::send_greeting(const PublicKey& peer, std::vector<Action>& out) {
  out.push_back({Action::Kind::send, peer, all_heads(), {}});
  Cosignatures cosignatures = all_cosignatures();
  if (!cosignatures.cosignatures.empty()) out.push_back({Action::Kind::send, peer, cosignatures, {}});
  auto evidence = replicas_.evidence();
  if (evidence.ok())
    for (const auto& e : evidence.value())
      out.push_back({Action::Kind::send, peer, Evidence{e.first, e.second}, {}});
}

std::vector<Action> SyncNode::on_connected(const PublicKey& peer) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  if (it == peers_.end()) {
    out.push_back({Action::Kind::disconnect, peer, {}, "not a node of this consortium"});
    return out;
  }
  if (is_banned(peer)) {
    out.push_back({Action::Kind::send, peer, Goodbye{GoodbyeReason::banned, it->second.ban_reason}, {}});
    out.push_back({Action::Kind::disconnect, peer, {}, "banned: " + it->second.ban_reason});
    return out;
  }
  it->second.connected = true;
  it->second.last_contact_ms = clock_.now_ms();
  send_greeting(peer, out);
  return out;
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
  return out;
}

std::vector<Action> SyncNode::on_message(const PublicKey& peer, const Message& message) {
  std::vector<Action> out;
  auto it = peers_.find(peer);
  if (it == peers_.end() || !it->second.connected || is_banned(peer)) return out;
  it->second.last_contact_ms = clock_.now_ms();
  std::visit([&](const auto& m) { handle(peer, m, out); }, message);
  return out;
}

std::vector<Action> SyncNode::on_local_append() {
  std::vector<Action> out;
  auto own = replicas_.log_state(identity_.public_key);
  if (!own.ok() || !own->head) return out;
  broadcast(Heads{{*own->head}}, {}, out);
  return out;
}

std::vector<Action> SyncNode::on_tick() {
  std::vector<Action> out;
  const std::int64_t now = clock_.now_ms();
  std::vector<PublicKey> expired;
  for (const auto& [log, flight] : in_flight_)
    if (now - flight.sent_ms >= config_.request_timeout_ms) expired.push_back(log);
  for (const auto& log : expired) {
    log_warn("no answer from " + peers_[in_flight_[log].peer].info.name + " for log " + short_key(log) +
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
  if (now - last_round_ms_ >= config_.anti_entropy_ms) {
    last_round_ms_ = now;
    // Anti-entropy: everyone hears every head and cosignature again, so a
    // lost push or answer costs one round, not a stuck log. Transfers that
    // could not be recorded earlier are tried again.
    for (const auto& [key, peer] : peers_)
      if (peer.connected && !is_banned(key)) {
        out.push_back({Action::Kind::send, key, all_heads(), {}});
        Cosignatures cosignatures = all_cosignatures();
        if (!cosignatures.cosignatures.empty()) out.push_back({Action::Kind::send, key, cosignatures, {}});
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
  out.push_back({Action::Kind::send, peer, AliasQuery{id, alias}, {}});
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
    if (peer.connected && key != except && !is_banned(key))
      out.push_back({Action::Kind::send, key, message, {}});
}

void SyncNode::ban(const PublicKey& peer, const std::string& reason, std::vector<Action>& out) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  log_warn("banning " + it->second.info.name + " for " + std::to_string(config_.ban_ms / 1000) +
           " s: " + reason);
  it->second.banned_until_ms = clock_.now_ms() + config_.ban_ms;
  it->second.ban_reason = reason;
  out.push_back({Action::Kind::send, peer, Goodbye{GoodbyeReason::banned, reason}, {}});
  out.push_back({Action::Kind::disconnect, peer, {}, "banned: " + reason});
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

void SyncNode::keep_evidence(const cohours::Evidence& evidence, const PublicKey& except,
                             std::vector<Action>& out, bool stored_already) {
  if (!stored_already) {
    auto added = replicas_.add_evidence(evidence);
    if (!added.ok()) {
      log_error("cannot store equivocation evidence: " + added.status().message());
      return;
    }
    if (!added.value()) return;
  }
  const PublicKey& log = evidence.first.head.log;
  log_error("EQUIVOCATION: node " + short_key(log) + " signed two different heads of size " +
            std::to_string(evidence.first.head.size) + "; its log is frozen here and the evidence passed on");
  in_flight_.erase(log);
  broadcast(Evidence{evidence.first, evidence.second}, except, out);
}

bool SyncNode::note_head(const PublicKey& from, const SignedTreeHead& head, std::vector<Action>& out) {
  if (!verify_tree_head(head)) {
    ban(from, "sent a tree head with a bad signature for log " + short_key(head.head.log), out);
    return false;
  }
  if (!known_node(head.head.log)) return false;  // not a log of this consortium
  if (auto evidence = replicas_.conflict(head)) {
    keep_evidence(*evidence, {}, out);
    return false;
  }
  // Also for this node's own log: how far the peer has copied it.
  auto& size = peers_[from].sizes[head.head.log];
  size = std::max(size, head.head.size);
  return true;
}

void SyncNode::maybe_request(const PublicKey& log, std::vector<Action>& out) {
  if (log == identity_.public_key || in_flight_.count(log) || broken_.count(log)) return;
  auto state = replicas_.log_state(log);
  if (!state.ok() || state->frozen) return;
  // Ask the connected peer that is furthest ahead.
  const Peer* best = nullptr;
  PublicKey best_key;
  for (const auto& [key, peer] : peers_) {
    if (!peer.connected || is_banned(key)) continue;
    auto size = peer.sizes.find(log);
    if (size == peer.sizes.end() || size->second <= state->size) continue;
    if (!best || size->second > best->sizes.at(log)) {
      best = &peer;
      best_key = key;
    }
  }
  if (!best) return;
  GetRecords request{log, state->size, std::nullopt, config_.batch_records};
  if (state->size > 0) request.have = state->head;
  in_flight_[log] = {best_key, clock_.now_ms()};
  out.push_back({Action::Kind::send, best_key, request, {}});
}

void SyncNode::handle(const PublicKey& from, const Heads& m, std::vector<Action>& out) {
  for (const auto& head : m.heads) {
    if (!note_head(from, head, out)) {
      if (is_banned(from)) return;
      continue;
    }
    maybe_request(head.head.log, out);
  }
}

void SyncNode::handle(const PublicKey& from, const GetRecords& m, std::vector<Action>& out) {
  if ((m.from_size > 0) != m.have.has_value() ||
      (m.have && (m.have->head.log != m.log || m.have->head.size != m.from_size))) {
    ban(from, "asked for records with a head that does not match the request", out);
    return;
  }
  if (m.have && !note_head(from, *m.have, out)) return;
  auto batch = replicas_.read_batch(m.log, m.from_size, std::min(m.max_records, config_.batch_records));
  if (!batch.ok()) {
    // Nothing newer here (or not held): say what we have, so the peer
    // stops asking us.
    auto state = replicas_.log_state(m.log);
    Heads heads;
    if (state.ok() && state->head) heads.heads.push_back(*state->head);
    out.push_back({Action::Kind::send, from, heads, {}});
    return;
  }
  LogBatch& b = batch.value();
  out.push_back({Action::Kind::send,
                 from,
                 Records{b.log, b.from_size, b.head, std::move(b.consistency_proof), std::move(b.records)},
                 {}});
}

void SyncNode::handle(const PublicKey& from, const Records& m, std::vector<Action>& out) {
  auto flight = in_flight_.find(m.log);
  if (flight != in_flight_.end() && flight->second.peer == from) in_flight_.erase(flight);
  if (!verify_tree_head(m.head)) {
    ban(from, "sent records under a tree head with a bad signature", out);
    return;
  }
  AppendResult result = replicas_.append({m.log, m.from_size, m.head, m.consistency_proof, m.records});
  using O = AppendResult::Outcome;
  const std::string peer_name = peers_[from].info.name;
  switch (result.outcome) {
    case O::appended:
      log_debug("log " + short_key(m.log) + ": " + std::to_string(result.appended) + " records from " +
                peer_name + ", now " + std::to_string(result.size));
      after_append(m.log, m.head, from, out);
      break;
    case O::nothing_new:
    case O::stale:
    case O::unknown_log:
    case O::frozen:
      break;
    case O::forged:
      ban(from, "sent records that do not verify: " + result.message, out);
      return;
    case O::inconsistent:
      // The peer's copy forks from ours: ask for its head at our size, which
      // is evidence if it differs from ours. Do not ask this peer again
      // for this log until it announces anew.
      log_warn("log " + short_key(m.log) + " from " + peer_name + ": " + result.message);
      peers_[from].sizes.erase(m.log);
      out.push_back({Action::Kind::send, from, GetHead{m.log, result.size}, {}});
      return;
    case O::equivocation:
      // Replicas::append stored it already: announce it here.
      if (result.evidence) keep_evidence(*result.evidence, {}, out, true);
      return;
    case O::rule_broken:
      log_error("log " + short_key(m.log) + " breaks the ledger rules; no longer fetched: " + result.message);
      broken_[m.log] = result.message;
      return;
    case O::store_failed:
      log_error("storing records of log " + short_key(m.log) + " failed: " + result.message);
      return;
  }
  maybe_request(m.log, out);
}

void SyncNode::after_append(const PublicKey& log, const SignedTreeHead& head, const PublicKey& from,
                            std::vector<Action>& out) {
  // Push: peers that lag fetch from us, and the sender learns we caught
  // up. Witness: we verified this head as extending what we held.
  (void)from;
  broadcast(Heads{{head}}, {}, out);
  Cosignature mine = cosign_tree_head(head.head, identity_.public_key, identity_.secret_key);
  if (auto kept = replicas_.add_cosignature(mine); kept.ok() && kept.value())
    broadcast(Cosignatures{{mine}}, {}, out);
  receive_transfers(log, out);
}

void SyncNode::receive_transfers(const PublicKey& log, std::vector<Action>& out) {
  if (!local_.submit || log == identity_.public_key) return;
  auto pending = replicas_.pending_inbound(log, inbound_[log]);
  if (!pending.ok()) {
    log_error("cannot read transfers from log " + short_key(log) + ": " + pending.status().message());
    return;
  }
  if (pending->empty()) return;
  std::vector<Bytes> entries;
  for (const auto& t : pending.value()) {
    Entry entry;
    entry.node = identity_.public_key;  // for this node's own log
    entry.author = identity_.public_key;
    entry.created_ms = clock_.now_ms();
    // A repeat after a crash is refused by the ledger (one transfer.in per
    // origin entry); the nonce derived from the origin only keeps it tidy.
    entry.nonce = 0;
    for (int i = 0; i < 8; ++i) entry.nonce = (entry.nonce << 8) | t.origin.bytes[i];
    entry.body = TransferIn{t.from_node, t.origin, t.to, t.minutes};
    entries.push_back(sign_entry(entry, identity_.secret_key).bytes);
  }
  auto results = local_.submit(entries);
  bool appended = false;
  std::uint64_t done_to = inbound_[log];
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (!r.ok() && r.code != Code::already_exists) {
      // Left for the next round; an unknown receiver stays in flight and
      // shows in `cohours clearing`.
      log_warn("transfer " + short_key((*pending)[i].origin) + " from " + short_key(log) +
               " not recorded: " + r.message);
      break;
    }
    appended = appended || (r.ok() && !r.duplicate);
    done_to = (*pending)[i].origin_seq;
  }
  inbound_[log] = done_to;
  if (appended) {
    auto more = on_local_append();
    out.insert(out.end(), more.begin(), more.end());
  }
}

void SyncNode::handle(const PublicKey& from, const Evidence& m, std::vector<Action>& out) {
  cohours::Evidence evidence = engine_evidence(m);
  if (!is_evidence(evidence)) {
    ban(from, "sent equivocation evidence that is not evidence", out);
    return;
  }
  if (!known_node(evidence.first.head.log)) return;
  keep_evidence(evidence, from, out);
}

void SyncNode::handle(const PublicKey& from, const Cosignatures& m, std::vector<Action>& out) {
  for (const auto& cosignature : m.cosignatures) {
    if (!known_node(cosignature.witness) || !known_node(cosignature.head.log)) continue;
    auto kept = replicas_.add_cosignature(cosignature);
    if (kept.code() == Code::bad_signature) {
      ban(from, "sent a cosignature that does not verify", out);
      return;
    }
  }
}

void SyncNode::handle(const PublicKey& from, const Goodbye& m, std::vector<Action>& out) {
  log_info(peers_[from].info.name + " said goodbye: " + m.message);
  out.push_back({Action::Kind::disconnect, from, {}, "the peer said goodbye"});
}

void SyncNode::handle(const PublicKey& from, const AliasQuery& m, std::vector<Action>& out) {
  std::optional<PublicKey> key = local_.lookup_alias ? local_.lookup_alias(m.alias) : std::nullopt;
  out.push_back(
      {Action::Kind::send, from, AliasAnswer{m.request_id, key.has_value(), key.value_or(PublicKey{})}, {}});
}

void SyncNode::handle(const PublicKey& from, const AliasAnswer& m, std::vector<Action>&) {
  auto wait = alias_waits_.find(m.request_id);
  if (wait == alias_waits_.end() || wait->second.peer != from) return;
  auto done = std::move(wait->second.done);
  alias_waits_.erase(wait);
  done(m.found ? std::optional<PublicKey>(m.key) : std::nullopt);
}

void SyncNode::handle(const PublicKey& from, const GetHead& m, std::vector<Action>& out) {
  auto head = replicas_.head_at(m.log, m.size);
  if (head.ok() && head.value()) out.push_back({Action::Kind::send, from, Heads{{*head.value()}}, {}});
}

}  // namespace cohours::net
