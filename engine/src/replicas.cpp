#include "cohours/replicas.h"

#include <map>

#include "cohours/log_space.h"
#include "batch_apply.h"
#include "log_tip.h"
#include "parallel_verify.h"
#include "row_cache.h"
#include "rules.h"
#include "state.h"
#include "tree_store.h"

namespace cohours {

const char* outcome_name(AppendResult::Outcome outcome) {
  using O = AppendResult::Outcome;
  switch (outcome) {
    case O::appended:
      return "appended";
    case O::nothing_new:
      return "nothing new";
    case O::stale:
      return "stale";
    case O::unknown_log:
      return "unknown log";
    case O::frozen:
      return "frozen";
    case O::forged:
      return "forged";
    case O::inconsistent:
      return "inconsistent";
    case O::equivocation:
      return "equivocation";
    case O::rule_broken:
      return "rule broken";
    case O::store_failed:
      return "store failed";
  }
  return "unknown";
}


namespace {

using Outcome = AppendResult::Outcome;

AppendResult refuse(Outcome outcome, std::string message, std::uint64_t size = 0) {
  AppendResult result;
  result.outcome = outcome;
  result.message = std::move(message);
  result.size = size;
  return result;
}

std::string head_string(const SignedTreeHead& head) {
  return bytes_string(encode_signed_tree_head(head));
}

Result<std::optional<SignedTreeHead>> load_head(const Store& space, Column column, std::string_view key) {
  std::string raw;
  Status status = space.get(column, key, &raw);
  if (status.code() == Code::not_found) return std::optional<SignedTreeHead>();
  if (!status.ok()) return status;
  auto head = decode_signed_tree_head(as_span(raw));
  if (!head.ok()) return Status(Code::corruption, "a stored tree head is malformed");
  return std::optional<SignedTreeHead>(head.value());
}

// evidence value: u32 length (big endian) || first head || second head
std::string encode_evidence(const Evidence& e) {
  std::string first = head_string(e.first);
  std::string out = be64(first.size()).substr(4);
  return out + first + head_string(e.second);
}

Result<Evidence> decode_evidence(std::string_view raw) {
  if (raw.size() < 4) return Status(Code::corruption, "stored evidence is malformed");
  std::uint64_t first_size = read_be64(std::string(4, '\0') + std::string(raw.substr(0, 4)));
  if (raw.size() < 4 + first_size) return Status(Code::corruption, "stored evidence is malformed");
  auto first = decode_signed_tree_head(as_span(raw.substr(4, first_size)));
  auto second = decode_signed_tree_head(as_span(raw.substr(4 + first_size)));
  if (!first.ok() || !second.ok()) return Status(Code::corruption, "stored evidence is malformed");
  return Evidence{first.value(), second.value()};
}

// The smallest key after every key starting with `prefix` (node keys and
// ids are never all 0xff).
std::string prefix_end(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

}  // namespace

struct Replicas::RowCaches {
  std::map<std::string, RowCache> by_log;
};

Replicas::Replicas(Store& store, const Clock& clock, const PublicKey& self)
    : store_(store), clock_(clock), self_(self), row_caches_(std::make_unique<RowCaches>()) {}

Replicas::~Replicas() = default;

Result<std::unique_ptr<Replicas>> Replicas::open(Store& store, const Clock& clock) {
  auto self = self_node_key(store);
  if (!self.ok()) return self.status();
  return std::unique_ptr<Replicas>(new Replicas(store, clock, self.value()));
}

Status Replicas::follow(const PublicKey& log, const std::string& name, const Currency& currency) {
  if (log == self_ || log.is_zero()) return Status(Code::malformed, "a node does not follow its own log");
  auto space = log_space(store_, log);
  std::string raw;
  Status held = space->get(Column::meta, meta_key::node_key, &raw);
  if (held.code() == Code::not_found) return write_log_identity(*space, log, name, currency, clock_.now_ms());
  if (!held.ok()) return held;
  // A corrected consortium file corrects the name and currency too.
  WriteBatch rename;
  rename.put(Column::meta, meta_key::node_name, name);
  rename.put(Column::meta, meta_key::currency, currency.str());
  return space->write(rename, Durability::synced);
}

Result<LogState> Replicas::log_state(const PublicKey& log) const {
  auto space = log_space(static_cast<const Store&>(store_), log);
  LogState state;
  state.log = log;
  state.own = log == self_;
  std::string raw;
  Status held = space->get(Column::meta, meta_key::node_key, &raw);
  if (held.code() == Code::not_found)
    return Status(Code::unknown_member, "this node holds no copy of log " + to_hex(log));
  if (!held.ok()) return held;
  (void)space->get(Column::meta, meta_key::node_name, &state.name);
  if (space->get(Column::meta, meta_key::log_size, &raw).ok() && raw.size() == 8) state.size = read_be64(raw);
  auto head = load_head(*space, Column::meta, meta_key::latest_head);
  if (!head.ok()) return head.status();
  state.head = head.value();
  state.frozen = frozen_unlocked(log);
  return state;
}

Result<std::vector<LogState>> Replicas::logs() const {
  // Every log's meta holds "node_key" under its 32-byte prefix.
  std::vector<LogState> out;
  auto cursor = store_.scan(Column::meta, "", "");
  for (; cursor->valid(); cursor->next()) {
    std::string_view key = cursor->key();
    if (key.size() != PublicKey::size() + meta_key::node_key.size() ||
        key.substr(PublicKey::size()) != meta_key::node_key)
      continue;
    PublicKey log;
    std::copy(key.begin(), key.begin() + PublicKey::size(), log.bytes.begin());
    auto state = log_state(log);
    if (!state.ok()) return state.status();
    out.push_back(std::move(state).value());
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<std::optional<SignedTreeHead>> Replicas::head_at(const PublicKey& log, std::uint64_t size) const {
  return load_head(*log_space(static_cast<const Store&>(store_), log), Column::heads, be64(size));
}

Result<LogBatch> Replicas::read_batch(const PublicKey& log, std::uint64_t from_size,
                                      std::uint32_t max_records, std::size_t max_bytes) const {
  auto state = log_state(log);
  if (!state.ok()) return state.status();
  if (from_size >= state->size)
    return Status(Code::not_found, "nothing after size " + std::to_string(from_size));
  auto space = log_space(static_cast<const Store&>(store_), log);
  // The batch ends at a signed head: the last one within both budgets, or
  // else the first one (heads are never far apart: kMaxBytesBetweenHeads).
  const std::uint64_t reach = from_size + std::max<std::uint32_t>(max_records, 1);
  LogBatch batch;
  batch.log = log;
  batch.from_size = from_size;
  std::size_t bytes = 0, end_count = 0;
  bool have_end = false;
  auto heads = space->scan(Column::heads, be64(from_size + 1), "");
  auto records = space->scan(Column::records, be64(from_size + 1), "");
  for (; heads->valid(); heads->next()) {
    const std::uint64_t size = read_be64(heads->key());
    // Read the records up to this head.
    std::vector<Bytes> more;
    std::size_t more_bytes = 0;
    while (from_size + batch.records.size() + more.size() < size && records->valid()) {
      more.emplace_back(records->value().begin(), records->value().end());
      more_bytes += more.back().size();
      records->next();
    }
    if (from_size + batch.records.size() + more.size() != size)
      return Status(Code::corruption, "records are missing below the signed head at " + std::to_string(size));
    if (have_end && (size > reach || bytes + more_bytes > max_bytes)) break;
    for (auto& record : more) batch.records.push_back(std::move(record));
    bytes += more_bytes;
    auto head = decode_signed_tree_head(as_span(heads->value()));
    if (!head.ok()) return Status(Code::corruption, "a stored tree head is malformed");
    batch.head = head.value();
    end_count = batch.records.size();
    have_end = true;
    if (size >= reach || bytes >= max_bytes) break;
  }
  if (Status s = heads->status(); !s.ok()) return s;
  if (Status s = records->status(); !s.ok()) return s;
  if (!have_end) return Status(Code::corruption, "no signed head covers the log's last records");
  batch.records.resize(end_count);
  const std::uint64_t end = batch.head.head.size;
  if (from_size > 0) {
    auto proof = merkle::consistency_proof(merkle::blake2b_hasher(), tree_reader(*space), from_size, end);
    if (!proof.ok()) return proof.status();
    batch.consistency_proof = std::move(proof).value();
  }
  return batch;
}

Result<std::vector<NodeSigner>> held_signers(const Store& store, const PublicKey& log) {
  return load_node_signers(*log_space(store, log), log);
}

std::vector<PublicKey> held_signer_keys(const Store& store, const PublicKey& log) {
  std::vector<PublicKey> keys;
  if (auto signers = held_signers(store, log); signers.ok())
    for (const NodeSigner& signer : signers.value()) keys.push_back(signer.key);
  else
    keys.push_back(log);
  return keys;
}

Result<std::vector<NodeSigner>> Replicas::signers(const PublicKey& log) const {
  return held_signers(store_, log);
}

Result<std::vector<Bytes>> Replicas::rotation_entries(const PublicKey& log) const {
  auto keys = signers(log);
  if (!keys.ok()) return keys.status();
  auto space = log_space(static_cast<const Store&>(store_), log);
  std::vector<Bytes> out;
  for (std::size_t i = 1; i < keys->size(); ++i) {
    std::string raw;
    if (Status s = space->get(Column::records, be64((*keys)[i].after_size), &raw); !s.ok())
      return s.code() == Code::not_found ? Status(Code::corruption, "a key rotation's record is missing") : s;
    auto record = decode_record(as_span(raw));
    if (!record.ok()) return Status(Code::corruption, "a key rotation's record does not decode");
    out.push_back(record->entry);
  }
  return out;
}

HeadCheck Replicas::check_head(const SignedTreeHead& head, const PublicKey& owner_key) const {
  const PublicKey& log = head.head.log;
  auto keys = signers(log);
  if (!keys.ok()) return HeadCheck::unknown_key;  // unread: judged again later, never banned for
  if (verify_tree_head(head, head_signer(keys.value(), head.head.size))) return HeadCheck::valid;
  auto state = log_state(log);
  const bool beyond = log != self_ && state.ok() && head.head.size > state->size;
  if (beyond && !owner_key.is_zero() && !signed_for_node(keys.value(), owner_key) &&
      verify_tree_head(head, owner_key))
    return HeadCheck::valid;
  // A key a rotation retired never signs beyond its rotation, and for the
  // sizes held every rotation up to them is known.
  for (const NodeSigner& old : keys.value())
    if (verify_tree_head(head, old.key)) return HeadCheck::bad;
  return beyond && owner_key.is_zero() ? HeadCheck::unknown_key : HeadCheck::bad;
}

HeadCheck Replicas::check_evidence(const Evidence& e) const {
  if (e.first.head.log != e.second.head.log || e.first.head.size != e.second.head.size ||
      e.first.head.root == e.second.head.root)
    return HeadCheck::bad;
  HeadCheck first = check_head(e.first), second = check_head(e.second);
  if (first == HeadCheck::bad || second == HeadCheck::bad) return HeadCheck::bad;
  return first == HeadCheck::valid && second == HeadCheck::valid ? HeadCheck::valid : HeadCheck::unknown_key;
}

std::optional<Evidence> Replicas::conflict(const SignedTreeHead& head) const {
  auto held = head_at(head.head.log, head.head.size);
  if (!held.ok() || !held.value() || held.value()->head.root == head.head.root) return std::nullopt;
  return Evidence{*held.value(), head};
}

AppendResult Replicas::append(const LogBatch& batch) {
  std::lock_guard lock(append_mu_);
  const PublicKey& log = batch.log;
  if (log == self_) return refuse(Outcome::unknown_log, "a node's own log grows only by its own ledger");
  auto space_owner = log_space(store_, log);
  Store& space = *space_owner;
  std::string raw;
  if (!space.get(Column::meta, meta_key::node_key, &raw).ok())
    return refuse(Outcome::unknown_log, "this node does not follow log " + to_hex(log));
  auto tip_loaded = load_tip(space);
  if (!tip_loaded.ok()) return refuse(Outcome::store_failed, tip_loaded.status().message());
  LogTip tip = std::move(tip_loaded).value();
  const std::uint64_t held = tip.size;
  if (frozen_unlocked(log))
    return refuse(Outcome::frozen, "the log is frozen by equivocation evidence", held);
  const SignedTreeHead& head = batch.head;
  auto keys_held = load_node_signers(space, log);
  if (!keys_held.ok()) return refuse(Outcome::store_failed, keys_held.status().message(), held);
  // A head beyond the copy may be signed by a key a rotation in the batch
  // names: that one is checked once the batch's records are replayed.
  const bool signed_by_held_key = verify_tree_head(head, head_signer(keys_held.value(), head.head.size));
  if (head.head.log != log || (!signed_by_held_key && head.head.size <= held))
    return refuse(Outcome::forged, "the batch's tree head is not signed by the log's node", held);
  if (auto evidence = conflict(head)) {
    if (Status s = store_evidence(*evidence); !s.ok())
      return refuse(Outcome::store_failed, s.message(), held);
    AppendResult result =
        refuse(Outcome::equivocation,
               "two signed heads of size " + std::to_string(head.head.size) + " differ", held);
    result.evidence = evidence;
    return result;
  }
  if (head.head.size <= held) {
    if (!batch.records.empty()) return refuse(Outcome::stale, "the copy already holds those records", held);
    return refuse(Outcome::nothing_new, "", held);
  }
  if (batch.from_size != held)
    return refuse(Outcome::stale,
                  "the batch starts after " + std::to_string(batch.from_size) + " but the copy holds " +
                      std::to_string(held),
                  held);
  if (batch.records.size() != head.head.size - held)
    return refuse(Outcome::forged,
                  "the batch has " + std::to_string(batch.records.size()) + " records for a head " +
                      std::to_string(head.head.size - held) + " ahead",
                  held);
  if (held > 0 && !merkle::verify_consistency(merkle::blake2b_hasher(), held, head.head.size,
                                              tip.frontier.root(), head.head.root, batch.consistency_proof))
    return refuse(Outcome::inconsistent,
                  "the head of size " + std::to_string(head.head.size) +
                      " does not extend the copy held at size " + std::to_string(held),
                  held);

  auto stored = stored_currency(space);
  if (!stored.ok()) return refuse(Outcome::store_failed, stored.status().message(), held);
  RowCache& rows = row_caches_->by_log[key_of(log)];
  StateView view(space, &rows);
  AppendResult checked = apply_batch_records(view, tip, batch, stored.value());
  if (checked.outcome != Outcome::appended) return refuse(checked.outcome, checked.message, held);
  const std::size_t count = batch.records.size();
  put_tip(view, tip);
  const std::string head_bytes = head_string(head);
  view.put(Column::heads, be64(head.head.size), head_bytes);
  view.put(Column::meta, meta_key::latest_head, head_bytes);
  WriteBatch write;
  view.drain_into(write);
  // A copy can always be fetched again, so its write need not wait for the
  // disk; RocksDB still applies the batch whole or not at all.
  if (Status s = rows.write_through(space, write, Durability::buffered); !s.ok())
    return refuse(Outcome::store_failed, s.message(), held);
  AppendResult result;
  result.outcome = Outcome::appended;
  result.size = tip.size;
  result.appended = count;
  return result;
}

bool Replicas::frozen_unlocked(const PublicKey& log) const {
  auto cursor = store_.scan(Column::evidence, key_of(log), prefix_end(key_of(log)));
  return cursor->valid();
}

Status Replicas::store_evidence(const Evidence& evidence) {
  WriteBatch batch;
  batch.put(Column::evidence, key_of(evidence.first.head.log) + be64(evidence.first.head.size),
            encode_evidence(evidence));
  return store_.write(batch, Durability::synced);
}

Result<bool> Replicas::add_evidence(const Evidence& evidence) {
  if (check_evidence(evidence) != HeadCheck::valid)
    return Status(Code::malformed,
                  "not evidence: two validly signed heads of one log and size with different roots");
  std::string raw;
  std::lock_guard lock(record_mu_);
  Status held =
      store_.get(Column::evidence, key_of(evidence.first.head.log) + be64(evidence.first.head.size), &raw);
  if (held.ok()) return false;
  if (held.code() != Code::not_found) return held;
  if (Status s = store_evidence(evidence); !s.ok()) return s;
  return true;
}

Result<std::vector<Evidence>> Replicas::evidence() const {
  std::vector<Evidence> out;
  auto cursor = store_.scan(Column::evidence, "", "");
  for (; cursor->valid(); cursor->next()) {
    auto evidence = decode_evidence(cursor->value());
    if (!evidence.ok()) return evidence.status();
    out.push_back(evidence.value());
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<bool> Replicas::add_cosignature(const Cosignature& cosignature, const PublicKey& witness_key) {
  if (cosignature.witness == cosignature.head.log)
    return Status(Code::malformed, "a node does not witness its own log");
  auto keys = signers(cosignature.witness);
  if (!keys.ok()) return keys.status();
  // By the witness's current key (or the one it proved in a handshake).
  // One by a key the witness retired is not kept, whenever it was made (a
  // thief could make it now), but no peer is blamed for passing it on: a
  // node keeps and resends the cosignatures it made before its rotation
  // until newer ones replace them.
  const std::vector<NodeSigner>& chain = keys.value();
  if (!(verify_cosignature(cosignature, chain.back().key) ||
        (!witness_key.is_zero() && verify_cosignature(cosignature, witness_key)))) {
    for (std::size_t i = 0; i + 1 < chain.size(); ++i)
      if (verify_cosignature(cosignature, chain[i].key))
        return Status(Code::wrong_state, "the cosignature is signed by a key the witness retired; not kept");
    if (cosignature.witness == self_ || !witness_key.is_zero())
      return Status(Code::bad_signature, "the cosignature does not verify");
    return Status(Code::not_found,
                  "the cosignature does not verify with the witness's key as held here; it may be signed by a "
                  "newer key of the witness, checked once its log is fetched");
  }
  const std::string key = key_of(cosignature.head.log) + key_of(cosignature.witness);
  std::string raw;
  std::lock_guard lock(record_mu_);
  Status held = store_.get(Column::witnesses, key, &raw);
  if (held.ok()) {
    auto existing = decode_cosignature(as_span(raw));
    if (existing.ok() && existing->head.size >= cosignature.head.size) return false;
  } else if (held.code() != Code::not_found) {
    return held;
  }
  WriteBatch batch;
  batch.put(Column::witnesses, key, bytes_string(encode_cosignature(cosignature)));
  if (Status s = store_.write(batch, Durability::buffered); !s.ok()) return s;
  return true;
}

Result<std::vector<Cosignature>> Replicas::cosignatures(const PublicKey& log) const {
  std::vector<Cosignature> out;
  std::string from = log.is_zero() ? std::string() : key_of(log);
  std::string to = log.is_zero() ? std::string() : prefix_end(key_of(log));
  auto cursor = store_.scan(Column::witnesses, from, to);
  for (; cursor->valid(); cursor->next()) {
    auto cosignature = decode_cosignature(as_span(cursor->value()));
    if (!cosignature.ok()) return Status(Code::corruption, "a stored cosignature is malformed");
    out.push_back(cosignature.value());
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<std::vector<InboundTransfer>> Replicas::pending_inbound(const PublicKey& from_log,
                                                               std::uint64_t after_seq) const {
  if (from_log == self_) return std::vector<InboundTransfer>();
  return in_flight(from_log, self_, after_seq);
}

Result<std::vector<InboundTransfer>> Replicas::in_flight(const PublicKey& from_log, const PublicKey& to_log,
                                                         std::uint64_t after_seq) const {
  std::vector<InboundTransfer> out;
  if (from_log == to_log) return out;
  auto origin = log_space(static_cast<const Store&>(store_), from_log);
  auto receiver = log_space(static_cast<const Store&>(store_), to_log);
  const AccountId clearing = AccountId::clearing(to_log);
  auto cursor =
      origin->scan(Column::postings, posting_key(clearing, after_seq + 1, 0), prefix_end(clearing.to_key()));
  for (; cursor->valid(); cursor->next()) {
    Posting posting;
    if (Status s = decode_row(cursor->value(), &posting); !s.ok()) return s;
    if (posting.delta_minutes <= 0) continue;  // only credits sent this way
    std::string seen;
    Status received = receiver->get(Column::inbound, key_of(from_log) + key_of(posting.entry), &seen);
    if (received.ok()) continue;
    if (received.code() != Code::not_found) return received;
    auto movement = load_row<Movement>(*origin, Column::movements, key_of(posting.movement));
    if (!movement.ok()) return movement.status();
    if (!*movement) return Status(Code::corruption, "a clearing posting has no movement");
    // Who the credit is for: the receiver of a transfer, the provider of hours.
    const Movement& m = **movement;
    const PublicKey& beneficiary = m.kind == MovementKind::hours ? m.provider : m.recipient;
    out.push_back({from_log, posting.entry, beneficiary, posting.delta_minutes, posting.seq});
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<std::optional<ClearingLimitPeer>> Replicas::unrecorded_clearing_limit(const PublicKey& from_log) const {
  using Answer = Result<std::optional<ClearingLimitPeer>>;
  if (from_log == self_) return Answer(std::nullopt);
  auto theirs = load_row<Policy>(*log_space(static_cast<const Store&>(store_), from_log), Column::meta,
                                 meta_key::policy);
  if (!theirs.ok()) return theirs.status();
  const ClearingLimits* set = *theirs ? (*theirs)->clearing_with(self_) : nullptr;
  if (!set || set->ours_seq == 0) return Answer(std::nullopt);
  auto ours = load_row<Policy>(*log_space(static_cast<const Store&>(store_), self_), Column::meta,
                               meta_key::policy);
  if (!ours.ok()) return ours.status();
  const ClearingLimits* recorded = *ours ? (*ours)->clearing_with(from_log) : nullptr;
  if (recorded && recorded->theirs_seq >= set->ours_seq) return Answer(std::nullopt);
  return Answer(ClearingLimitPeer{from_log, set->ours_entry, set->ours_seq, set->ours});
}

Result<PublicKey> Replicas::origin_party(const PublicKey& from_log, const EntryId& origin) const {
  auto copy = log_space(static_cast<const Store&>(store_), from_log);
  std::string raw;
  Status found = copy->get(Column::entries, key_of(origin), &raw);
  if (found.code() == Code::not_found)
    return Status(Code::unknown_entry, "the copy of that log does not hold entry " + to_hex(origin));
  if (!found.ok()) return found;
  if (raw.size() != 8) return Status(Code::corruption, "entry index row is malformed");
  const std::uint64_t seq = read_be64(raw);
  // The origin's postings into this node's clearing account: one leg.
  const AccountId clearing = AccountId::clearing(self_);
  auto cursor = copy->scan(Column::postings, posting_key(clearing, seq, 0), posting_key(clearing, seq + 1, 0));
  for (; cursor->valid(); cursor->next()) {
    Posting posting;
    if (Status s = decode_row(cursor->value(), &posting); !s.ok()) return s;
    if (posting.delta_minutes <= 0 || posting.entry != origin) continue;
    auto movement = load_row<Movement>(*copy, Column::movements, key_of(posting.movement));
    if (!movement.ok()) return movement.status();
    if (!*movement) return Status(Code::corruption, "a clearing posting has no movement");
    // The beneficiary here is in_flight's; the person there is the other side.
    const Movement& m = **movement;
    return m.kind == MovementKind::hours ? m.recipient : m.provider;
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return Status(Code::not_found, "entry " + to_hex(origin).substr(0, 12) + " sent this node nothing");
}

}  // namespace cohours
