#include "cohours/ledger.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>

#include "cohours/commit_stats.h"
#include "cohours/crypto.h"
#include "cohours/log_space.h"
#include "cohours/replicas.h"
#include "batch_apply.h"
#include "log_tip.h"
#include "log_verifier.h"
#include "pending_index.h"
#include "parallel_verify.h"
#include "refusals.h"
#include "rules.h"
#include "row_cache.h"
#include "state.h"
#include "tree_store.h"

namespace cohours {

const char* movement_status_name(MovementStatus status) {
  switch (status) {
    case MovementStatus::pending:
      return "pending";
    case MovementStatus::posted:
      return "confirmed";
    case MovementStatus::voided:
      return "voided";
    case MovementStatus::reversed:
      return "reversed";
  }
  return "unknown";
}

const char* expense_status_name(ExpenseStatus status) {
  switch (status) {
    case ExpenseStatus::claimed:
      return "claimed";
    case ExpenseStatus::approved:
      return "approved";
    case ExpenseStatus::rejected:
      return "rejected";
    case ExpenseStatus::paid:
      return "paid";
  }
  return "unknown";
}

const char* request_status_name(RequestStatus status) {
  switch (status) {
    case RequestStatus::open:
      return "open";
    case RequestStatus::offered:
      return "offered";
    case RequestStatus::done:
      return "done";
    case RequestStatus::cancelled:
      return "cancelled";
  }
  return "unknown";
}

static bool is_operational(Code code) {
  return code == Code::io_error || code == Code::corruption || code == Code::not_found;
}

// One submit() call waiting in the commit queue.
struct Writer {
  std::vector<SignedEntry>* entries;
  std::vector<SubmitResult>* results;
  std::vector<std::size_t> to_apply;  // indices of entries that passed decoding and signature checks
  std::optional<Together> together;   // submit_together(): its entries stand or fall as one
  bool done = false;
  std::condition_variable cv;
};

struct Ledger::Impl {
  const Store& base;             // the node's store, which a ReadSnapshot pins
  std::unique_ptr<Store> space;  // this node's log inside the node's store
  Store& store;                  // = *space
  const Clock& clock;
  PublicKey log;      // the node's first key: its log id for ever
  NodeIdentity node;  // the key that signs for the node now (the log id until a rotation)
  // The key a rotate_key() call hands signing to, while its entry is
  // committed; only that call's entry may be a node.rotate. Set and cleared
  // under rotate_mu, read by the leader that commits it.
  std::mutex rotate_mu;
  std::optional<NodeIdentity> next_node;
  bool read_only = false;  // opened without the secret key: submit refuses
  std::string name;
  Currency currency;

  std::mutex queue_mu;
  std::deque<Writer*> queue;
  // Held by the leader while it commits a group, and by recover_own: both
  // build on the tip.
  std::mutex commit_mu;
  // Why signing is held (Ledger::signing_hold), as stored; under hold_mu.
  mutable std::mutex hold_mu;
  std::optional<std::string> hold;
  LogTip tip;  // only the current leader touches it
  // Set when a write failed: it may have landed all the same (its answer
  // lost on the way back), so `tip` may be behind the store. Appending on
  // it would reuse sequence numbers; the tip is read again first.
  bool tip_unknown = false;
  // The key a rotation in a group hands over to, until the group's write is
  // known to have landed (then it signs) or not (then it never will). After
  // a write whose outcome is unknown, reload_tip settles it from the store.
  // Only the leader touches it.
  std::optional<NodeIdentity> pending_signer;
  std::atomic<std::uint64_t> committed_size{0};
  // Hot rows as committed; only the leader touches it.
  RowCache rows;
  CommitStats stats;

  Impl(Store& b, const Clock& c, const PublicKey& l, const NodeIdentity& n)
      : base(b), space(log_space(b, l)), store(*space), clock(c), log(l), node(n.copy()) {}

  // `rotating`: the key a rotate_key() call hands over to, copied under
  // queue_mu when the group was formed (only its entry may be a node.rotate).
  void adopt_pending_signer() {
    if (!pending_signer) return;
    node = std::move(*pending_signer);
    pending_signer.reset();
  }
  void commit_group(const std::vector<Writer*>& group, const std::optional<NodeIdentity>& rotating);
  void commit_in_turn(Writer& writer);
  Status reload_tip();
};

// Makes `tip` the store's own again, after a write whose outcome is unknown.
Status Ledger::Impl::reload_tip() {
  rows.clear();  // a write whose outcome is unknown may have changed any of them
  auto loaded = load_tip(store);
  if (!loaded.ok()) return loaded.status();
  if (Status s = check_tip(store, loaded.value()); !s.ok()) return s;
  if (pending_signer) {
    auto signers = load_node_signers(store, log);
    if (!signers.ok()) return signers.status();
    if (signers->back().key == pending_signer->public_key) node = std::move(*pending_signer);
    pending_signer.reset();
  }
  tip = std::move(loaded).value();
  committed_size = tip.size;
  tip_unknown = false;
  return {};
}

// Where a together batch began in a group, to go back to.
struct Savepoint {
  StateView::Writes writes;
  LogTip next;
  std::size_t since_head_records, since_head_bytes, accepted;
};

// Every entry of the group that was going to be accepted gets `message`
// and the error's code instead.
static void fail_group(const std::vector<Writer*>& group, const Status& error, const std::string& message,
                       std::uint64_t durable_size) {
  for (Writer* writer : group)
    for (std::size_t index : writer->to_apply) {
      SubmitResult& result = (*writer->results)[index];
      // A duplicate of an entry earlier in this same group was never stored
      // either: its seq is past the durable tip.
      if (result.code == Code::ok && (!result.duplicate || result.seq > durable_size)) {
        result.duplicate = false;
        result.code = error.code();
        result.message = message;
        result.seq = 0;
      }
    }
}

// What a submit is told while signing is held.
static std::string held_message(const std::string& why) {
  return "this node signs nothing for now: " + why +
         ". Signing resumes by itself once every peer in the consortium has shown how far this node's log "
         "goes (start cohoursd with the peers reachable; `cohours sync status` shows it); if no peer ever "
         "will, see `cohours node i-am-alone` (docs/operations.md \"After a restore\")";
}

void Ledger::Impl::commit_group(const std::vector<Writer*>& group, const std::optional<NodeIdentity>& rotating) {
  // For monitoring only: how long the group takes, never a ledger time.
  const auto started = std::chrono::steady_clock::now();
  auto record_written = [&](std::uint64_t appended) {
    const auto took = std::chrono::steady_clock::now() - started;
    stats.record_written(appended, static_cast<std::uint64_t>(
                                       std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
  };
  {
    std::lock_guard lock(hold_mu);
    if (hold) {
      const Status held(Code::wrong_state, held_message(*hold));
      fail_group(group, held, held.message(), tip.size);
      return;
    }
  }
  if (tip_unknown) {
    if (Status s = reload_tip(); !s.ok()) {
      fail_group(group, s,
                 "not stored: after a failed write the ledger cannot read its log's tip to append after "
                 "it (" + s.message() + "); nothing is appended until it can. If this persists, restart "
                 "the node; if it then refuses to open, see docs/operations.md \"A damaged store\"",
                 0);
      return;
    }
  }
  StateView view(store, &rows);
  LogTip next = tip;
  const std::int64_t now_ms = clock.now_ms();
  // The key that signs this group's heads; a rotation in the group hands
  // over to the new key right after the head that covers it.
  const NodeIdentity* signing = &node;
  auto sign_head_at = [&](const LogTip& at) {
    return sign_tree_head({log, at.size, at.frontier.root(), now_ms}, signing->secret_key);
  };
  std::vector<SubmitResult*> accepted;
  // Refusals remembered in this group, and the answers that rest on them:
  // they hold only once the group's write is durable.
  std::set<std::string> refused_here;
  std::vector<SubmitResult*> repeats_here;
  std::size_t since_head_records = 0, since_head_bytes = 0;
  Status fatal;
  bool write_failed = false;
  for (Writer* writer : group) {
    // A together batch (submit_together) starts from here, and comes back
    // here if it is not to be stored.
    std::optional<Savepoint> savepoint;
    if (writer->together)
      savepoint = Savepoint{view.save(), next, since_head_records, since_head_bytes, accepted.size()};
    bool refused_in_batch = false;
    for (std::size_t index : writer->to_apply) {
      SignedEntry& entry = (*writer->entries)[index];
      SubmitResult& result = (*writer->results)[index];
      std::string seen;
      Status found = view.get(Column::entries, key_of(entry.id), &seen);
      if (found.ok() && seen.size() == 8) {
        result.seq = read_be64(seen);
        result.duplicate = true;
        continue;
      }
      if (!found.ok() && found.code() != Code::not_found) {
        fatal = found;
        break;
      }
      // Refused before: the same answer again, never a second judgement.
      auto earlier = load_refusal(view, entry.id);
      if (!earlier.ok()) {
        fatal = earlier.status();
        break;
      }
      if (*earlier) {
        result.code = (*earlier)->code;
        result.message = (*earlier)->message;
        result.refused_before = true;
        if (refused_here.count(key_of(entry.id))) repeats_here.push_back(&result);
        continue;
      }
      const bool rotation = entry.entry.kind() == EntryKind::node_rotate;
      Status applied =
          rotation && (!rotating || std::get<NodeRotate>(entry.entry.body).new_key != rotating->public_key)
              ? Status(Code::not_permitted,
                       "a node's key is rotated by the node itself (`cohours node rotate-key`), not by "
                       "submitting an entry")
              : apply_entry(view, entry, {log, next.size + 1, now_ms, currency});
      if (!applied.ok()) {
        if (is_operational(applied.code())) {
          fatal = applied;
          break;
        }
        result.code = applied.code();
        result.message = applied.message();
        if (writer->together) {
          refused_in_batch = true;
          continue;
        }
        auto remember = remembers_refusal(view, entry, applied.code());
        if (!remember.ok()) {
          fatal = remember.status();
          break;
        }
        if (remember.value()) {
          put_refusal(view, entry.id, {applied.code(), applied.message()});
          refused_here.insert(key_of(entry.id));
          repeats_here.push_back(&result);
        }
        continue;
      }
      append_record(view, next, entry.bytes, now_ms);
      result.seq = next.size;
      accepted.push_back(&result);
      // Signed heads are never far apart, however large the group: peers
      // fetch a log in batches that end at a head, and a batch must fit in
      // one message (kMaxRecordsBetweenHeads, kMaxBytesBetweenHeads).
      since_head_records += 1;
      since_head_bytes += entry.bytes.size();
      // A rotation ends the outgoing key's heads: the head at its position
      // is the last the old key signs.
      if (rotation || since_head_records >= kMaxRecordsBetweenHeads ||
          since_head_bytes >= kMaxBytesBetweenHeads) {
        SignedTreeHead head = sign_head_at(next);
        view.put(Column::heads, be64(next.size), bytes_string(encode_signed_tree_head(head)));
        since_head_records = 0;
        since_head_bytes = 0;
        if (rotation) {
          signing = &*rotating;
          pending_signer = rotating->copy();
        }
      }
    }
    if (!fatal.ok()) break;
    if (savepoint) {
      // Earlier refusals answer as they did; only a new judgement counts.
      for (std::size_t index : writer->to_apply)
        if ((*writer->results)[index].refused_before) refused_in_batch = true;
      if (refused_in_batch || *writer->together == Together::dry_run) {
        for (std::size_t i = savepoint->accepted; i < accepted.size(); ++i) accepted[i]->held_back = true;
        view.restore(std::move(savepoint->writes));
        next = std::move(savepoint->next);
        since_head_records = savepoint->since_head_records;
        since_head_bytes = savepoint->since_head_bytes;
        accepted.resize(savepoint->accepted);
      }
    }
  }
  // A group that only refused still writes, to remember its refusals.
  bool wrote = false;
  if (fatal.ok() && !view.empty() && next.size != tip.size) {
    put_tip(view, next);
    std::string head_bytes;
    if (since_head_records == 0) {
      // A head was just signed at this size (a rotation ended the group);
      // a failed read leaves no empty latest head: the group fails whole.
      fatal = view.get(Column::heads, be64(next.size), &head_bytes);
    } else {
      head_bytes = bytes_string(encode_signed_tree_head(sign_head_at(next)));
      view.put(Column::heads, be64(next.size), head_bytes);
    }
    if (fatal.ok()) view.put(Column::meta, meta_key::latest_head, head_bytes);
  }
  if (fatal.ok() && !view.empty()) {
    WriteBatch batch;
    view.drain_into(batch);
    fatal = rows.write_through(store, batch, Durability::synced);
    write_failed = !fatal.ok();
    wrote = fatal.ok();
  }
  std::string message = "not stored: " + fatal.message();
  if (write_failed) {
    // A failed write may still have landed (the store applied it and the
    // answer was lost): read the tip back. The batch holds the new tip, so
    // finding it there means the whole group is in, and its answers stand.
    const std::uint64_t before = tip.size;
    tip_unknown = true;
    if (Status reread = reload_tip(); !reread.ok())
      message = "may not be stored: " + fatal.message() +
                "; sending the same entry again is safe (it is answered as a duplicate if it was stored)";
    else if (next.size != before && tip.size == next.size && tip.last_hash == next.last_hash) {
      // It landed: a rotation in it is in force.
      record_written(next.size - before);
      adopt_pending_signer();
      return;
    }
  }
  if (!fatal.ok()) {
    stats.record_failed();
    // Surely not stored: the rotation never happened. Unknown: reload_tip
    // reads which key signs for the node before the next group.
    if (!tip_unknown) pending_signer.reset();
    // The group is not in the store (or, if the tip could not be read
    // back, may not be): every entry that was going to be accepted gets the
    // error instead, and the tip stays where it was.
    fail_group(group, fatal, message, tip.size);
    // A refusal that was not remembered must not be reported as final:
    // a retry would be judged again.
    for (SubmitResult* result : repeats_here) {
      result->refused_before = false;
      result->code = fatal.code();
      result->message = message;
    }
    return;
  }
  if (wrote) record_written(next.size - tip.size);
  tip = std::move(next);
  committed_size = tip.size;
  adopt_pending_signer();
}

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ledger::~Ledger() = default;

Status Ledger::initialise(Store& store, const NodeIdentity& node, const std::string& name, const Clock& clock,
                          const Currency& currency) {
  std::string existing;
  Status status = store.get(Column::meta, meta_key::self_node, &existing);
  if (status.ok()) return Status(Code::already_exists, "this store already holds a node");
  if (status.code() != Code::not_found) return status;
  auto space = log_space(store, node.public_key);
  if (Status s = write_log_identity(*space, node.public_key, name, currency, clock.now_ms()); !s.ok())
    return s;
  WriteBatch batch;
  batch.put(Column::meta, meta_key::self_node, key_of(node.public_key));
  return store.write(batch, Durability::synced);
}

Status write_log_identity(Store& space, const PublicKey& log, const std::string& name,
                          const Currency& currency, std::int64_t created_ms) {
  WriteBatch batch;
  batch.put(Column::meta, meta_key::node_key, key_of(log));
  batch.put(Column::meta, meta_key::node_name, name);
  batch.put(Column::meta, meta_key::format, kStoreFormat);
  batch.put(Column::meta, meta_key::currency, currency.str());
  batch.put(Column::meta, meta_key::created_ms, be64(static_cast<std::uint64_t>(created_ms)));
  return space.write(batch, Durability::synced);
}

Status check_store_format(const Store& space) {
  std::string format;
  Status status = space.get(Column::meta, meta_key::format, &format);
  if (!status.ok() && status.code() != Code::not_found) return status;
  if (status.ok() && format == kStoreFormat) return Status();
  return Status(Code::corruption,
                "this store is of format " + (status.ok() ? format : std::string("unknown")) +
                    ", written by an older cohours; this version reads store format " +
                    std::string(kStoreFormat) + " only (entries bound to their node, entry format " +
                    std::to_string(kEntryFormatVersion) +
                    ") and does not convert stores: initialise a new node with `cohours init`");
}

Result<std::unique_ptr<Ledger>> Ledger::open(Store& base, const NodeIdentity& node, const Clock& clock) {
  auto self = self_node_key(base);
  if (self.code() == Code::not_found)
    return Status(Code::not_found, "the store holds no node; run `cohours init` first");
  if (!self.ok()) return self.status();
  if (Status s = check_store_format(*log_space(base, self.value())); !s.ok()) return s;
  if (Status s = build_pending_index(base); !s.ok()) return s;
  auto opened = open_space(base, self.value(), node, clock);
  if (!opened.ok()) return opened;
  // The key must be the one that signs for the node now: the node's first
  // key until it rotated, then the newest one a rotation named.
  auto signers = load_node_signers(opened.value()->impl_->store, self.value());
  if (!signers.ok()) return signers.status();
  const NodeSigner& now = signers->back();
  if (node.public_key == now.key) return opened;
  for (const NodeSigner& old : *signers)
    if (old.key == node.public_key)
      return Status(Code::not_permitted,
                    "the node key " + to_hex(node.public_key).substr(0, 12) +
                        " was retired by a key rotation (record " + std::to_string(signers->back().after_size) +
                        "); this node signs with " + to_hex(now.key).substr(0, 12) +
                        " now: put that key in node.key");
  return Status(Code::not_permitted, "the node key does not match this store's node");
}

Result<std::unique_ptr<Ledger>> Ledger::open_space(Store& base, const PublicKey& log, const NodeIdentity& node,
                                                   const Clock& clock) {
  auto impl = std::make_unique<Impl>(base, clock, log, node);
  Store& store = impl->store;
  std::string raw;
  if (Status s = check_store_format(store); !s.ok()) return s;
  // A read that fails is passed on as it is: taken for "absent" it would
  // open half-rebuilt state, or a EUR node as GBP.
  Status marker = store.get(Column::meta, meta_key::reindexing, &raw);
  if (marker.ok()) return Status(Code::corruption, "a reindex was interrupted; run `cohours reindex` again");
  if (marker.code() != Code::not_found) return marker;
  if (Status s = store.get(Column::meta, meta_key::node_name, &impl->name); !s.ok()) return s;
  auto currency = stored_currency(store);
  if (!currency.ok()) return currency.status();
  impl->currency = currency.value();
  auto tip = load_tip(store);
  if (!tip.ok()) return tip.status();
  impl->tip = tip.value();
  impl->committed_size = impl->tip.size;
  if (Status s = check_tip(store, impl->tip); !s.ok()) return s;
  Status held = store.get(Column::meta, meta_key::signing_hold, &raw);
  if (held.ok()) impl->hold = raw;
  else if (held.code() != Code::not_found) return held;
  return std::unique_ptr<Ledger>(new Ledger(std::move(impl)));
}

Result<std::unique_ptr<Ledger>> Ledger::open_read_only(Store& store, const Clock& clock) {
  auto key = self_node_key(store);
  if (!key.ok()) return key.status();
  // The same checks as open(), with the stored key and no secret: a zero
  // secret could never sign a head, and read_only keeps submit from trying.
  auto opened = open_space(store, key.value(), NodeIdentity{key.value(), {}}, clock);
  if (opened.ok()) opened.value()->impl_->read_only = true;
  return opened;
}

Result<std::unique_ptr<Ledger>> Ledger::open_copy(Store& store, const PublicKey& log, const Clock& clock) {
  std::string raw;
  Status held = log_space(store, log)->get(Column::meta, meta_key::node_key, &raw);
  if (held.code() == Code::not_found)
    return Status(Code::unknown_member, "this node holds no copy of log " + to_hex(log));
  if (!held.ok()) return held;
  auto opened = open_space(store, log, NodeIdentity{log, {}}, clock);
  if (opened.ok()) opened.value()->impl_->read_only = true;
  return opened;
}

// Decodes and verifies `signed_entries` on every core, before any lock is
// taken; the indices of those that passed go to the writer's to_apply.
// Refuses them all when this ledger cannot submit: rules checked against a
// snapshot could pass what the live state refuses (the store would refuse
// the write anyway), and a read-only ledger never writes.
static void prepare(std::span<const Bytes> signed_entries, bool read_only, bool pinned, Writer& writer) {
  auto& results = *writer.results;
  auto& entries = *writer.entries;
  if (read_only || pinned) {
    for (auto& result : results) {
      result.code = Code::not_permitted;
      result.message = pinned ? "cannot submit while this thread reads a snapshot" : "read-only ledger";
    }
    return;
  }
  const std::size_t count = signed_entries.size();
  std::vector<char> valid(count, 0);
  parallel_for(count, [&](std::size_t i) {
    auto decoded = decode_entry(signed_entries[i]);
    if (!decoded.ok()) {
      results[i].code = decoded.code();
      results[i].message = decoded.status().message();
      return;
    }
    entries[i] = std::move(decoded).value();
    results[i].id = entries[i].id;
    if (!verify_signature(entries[i])) {
      results[i].code = Code::bad_signature;
      results[i].message = "the signature does not match the entry's author key";
      return;
    }
    valid[i] = 1;
  });
  for (std::size_t i = 0; i < count; ++i)
    if (valid[i]) writer.to_apply.push_back(i);
}

std::vector<SubmitResult> Ledger::submit(std::span<const Bytes> signed_entries) {
  std::vector<SubmitResult> results(signed_entries.size());
  std::vector<SignedEntry> entries(signed_entries.size());
  Writer writer{&entries, &results, {}, {}, false, {}};
  prepare(signed_entries, impl_->read_only, ReadSnapshot::active(impl_->base), writer);
  if (!writer.to_apply.empty()) impl_->commit_in_turn(writer);
  return results;
}

std::vector<SubmitResult> Ledger::submit_together(std::span<const Bytes> signed_entries, Together how) {
  std::vector<SubmitResult> results(signed_entries.size());
  std::vector<SignedEntry> entries(signed_entries.size());
  Writer writer{&entries, &results, {}, how, false, {}};
  const bool pinned = ReadSnapshot::active(impl_->base);
  prepare(signed_entries, impl_->read_only, pinned, writer);
  if (impl_->read_only || pinned) return results;
  // One that cannot even be read sinks the batch: the rest are still judged.
  if (writer.to_apply.size() != signed_entries.size()) writer.together = Together::dry_run;
  if (!writer.to_apply.empty()) impl_->commit_in_turn(writer);
  return results;
}

// Queues the writer; the first in the queue leads, committing everything
// queued so far as one group, and hands over to the next.
void Ledger::Impl::commit_in_turn(Writer& writer) {
  std::unique_lock lock(queue_mu);
  queue.push_back(&writer);
  writer.cv.wait(lock, [&] { return writer.done || queue.front() == &writer; });
  if (writer.done) return;
  constexpr std::size_t kMaxGroupEntries = 4096;
  std::vector<Writer*> group;
  std::size_t group_entries = 0;
  for (Writer* queued : queue) {
    if (!group.empty() && group_entries + queued->to_apply.size() > kMaxGroupEntries) break;
    group.push_back(queued);
    group_entries += queued->to_apply.size();
  }
  std::optional<NodeIdentity> rotating;
  if (next_node) rotating = next_node->copy();
  lock.unlock();
  try {
    std::lock_guard committing(commit_mu);
    commit_group(group, rotating);
  } catch (const std::exception& e) {
    // Never leave the queue stuck: every writer of the group gets the error.
    // Whether its write happened is not known: the tip is read again first.
    tip_unknown = true;
    for (Writer* member : group)
      for (std::size_t index : member->to_apply) {
        (*member->results)[index].code = Code::io_error;
        (*member->results)[index].message = std::string("not stored: ") + e.what();
        (*member->results)[index].duplicate = false;
        (*member->results)[index].refused_before = false;
        (*member->results)[index].seq = 0;
      }
  }
  lock.lock();
  for (Writer* member : group) {
    queue.pop_front();
    member->done = true;
    if (member != &writer) member->cv.notify_one();
  }
  if (!queue.empty()) queue.front()->cv.notify_one();
}

SubmitResult Ledger::submit_one(const Bytes& signed_entry) {
  return submit(std::span<const Bytes>(&signed_entry, 1)).front();
}

PublicKey Ledger::node_key() const {
  return impl_->log;
}

Result<std::vector<NodeSigner>> Ledger::node_signers() const {
  return load_node_signers(impl_->store, impl_->log);
}

SubmitResult Ledger::rotate_key(const NodeIdentity& next) {
  std::lock_guard rotating(impl_->rotate_mu);
  SignedEntry signed_entry;
  {
    // Signed by the current key, which only a leader changes; next_node is
    // read by the leader that forms the group, under the same lock.
    std::lock_guard lock(impl_->queue_mu);
    Entry entry;
    entry.node = impl_->log;
    entry.author = impl_->node.public_key;
    entry.created_ms = impl_->clock.now_ms();
    entry.nonce = random_u64();
    entry.body = NodeRotate{next.public_key, sign(rotation_proof_message(impl_->log, entry.author, next.public_key),
                                                  next.secret_key)};
    signed_entry = sign_entry(entry, impl_->node.secret_key);
    impl_->next_node = next.copy();
  }
  SubmitResult result = submit_one(signed_entry.bytes);
  std::lock_guard lock(impl_->queue_mu);
  impl_->next_node.reset();
  return result;
}
Status hold_signing_in(Store& store, const std::string& why) {
  auto self = self_node_key(store);
  if (!self.ok()) return self.status();
  WriteBatch batch;
  batch.put(Column::meta, meta_key::signing_hold, why);
  return log_space(store, self.value())->write(batch, Durability::synced);
}

std::optional<std::string> Ledger::signing_hold() const {
  std::lock_guard lock(impl_->hold_mu);
  return impl_->hold;
}

Status Ledger::hold_signing(const std::string& why) {
  if (impl_->read_only) return Status(Code::not_permitted, "read-only ledger");
  std::lock_guard lock(impl_->hold_mu);
  if (impl_->hold) return {};  // the first reason stands
  WriteBatch batch;
  batch.put(Column::meta, meta_key::signing_hold, why);
  if (Status s = impl_->store.write(batch, Durability::synced); !s.ok()) return s;
  impl_->hold = why;
  return {};
}

Status Ledger::release_signing() {
  if (impl_->read_only) return Status(Code::not_permitted, "read-only ledger");
  std::lock_guard lock(impl_->hold_mu);
  WriteBatch batch;
  batch.erase(Column::meta, meta_key::signing_hold);
  if (Status s = impl_->store.write(batch, Durability::synced); !s.ok()) return s;
  impl_->hold.reset();
  return {};
}

AppendResult Ledger::recover_own(const LogBatch& batch) {
  using Outcome = AppendResult::Outcome;
  auto refused = [](Outcome outcome, std::string message, std::uint64_t size) {
    AppendResult result;
    result.outcome = outcome;
    result.message = std::move(message);
    result.size = size;
    return result;
  };
  Impl& impl = *impl_;
  if (impl.read_only) return refused(Outcome::unknown_log, "read-only ledger", 0);
  std::lock_guard committing(impl.commit_mu);
  if (impl.tip_unknown)
    if (Status s = impl.reload_tip(); !s.ok()) return refused(Outcome::store_failed, s.message(), 0);
  const std::uint64_t held = impl.tip.size;
  const SignedTreeHead& head = batch.head;
  if (batch.log != impl.log || head.head.log != impl.log)
    return refused(Outcome::unknown_log, "not this node's log", held);
  auto keys_held = load_node_signers(impl.store, impl.log);
  if (!keys_held.ok()) return refused(Outcome::store_failed, keys_held.status().message(), held);
  // Beyond the tip the head may be signed by a key a rotation in the batch
  // names: apply_batch_records checks it against the schedule they leave.
  if (head.head.size <= held) {
    if (!verify_tree_head(head, head_signer(keys_held.value(), head.head.size)))
      return refused(Outcome::forged, "the batch's tree head is not signed by this node's key", held);
    std::string raw;
    Status mine = impl.store.get(Column::heads, be64(head.head.size), &raw);
    if (mine.ok()) {
      auto own = decode_signed_tree_head(as_span(raw));
      if (own.ok() && own->head.root != head.head.root) {
        AppendResult result = refused(Outcome::equivocation,
                                      "a peer holds another head of this node's log at size " +
                                          std::to_string(head.head.size),
                                      held);
        result.evidence = Evidence{own.value(), head};
        return result;
      }
    }
    return refused(Outcome::nothing_new, "", held);
  }
  if (batch.from_size != held)
    return refused(Outcome::stale,
                   "the batch starts after " + std::to_string(batch.from_size) + " but the log holds " +
                       std::to_string(held),
                   held);
  if (batch.records.size() != head.head.size - held)
    return refused(Outcome::forged, "the batch's records do not reach its head", held);
  if (held > 0 && !merkle::verify_consistency(merkle::blake2b_hasher(), held, head.head.size,
                                              impl.tip.frontier.root(), head.head.root, batch.consistency_proof))
    return refused(Outcome::inconsistent,
                   "the head of size " + std::to_string(head.head.size) +
                       " does not extend this node's log at size " + std::to_string(held),
                   held);
  StateView view(impl.store, &impl.rows);
  LogTip next = impl.tip;
  AppendResult checked = apply_batch_records(view, next, batch, impl.currency);
  if (checked.outcome != Outcome::appended) {
    impl.rows.clear();  // the view read through the cache; nothing was written
    return refused(checked.outcome, checked.message, held);
  }
  put_tip(view, next);
  const std::string head_bytes = bytes_string(encode_signed_tree_head(head));
  view.put(Column::heads, be64(head.head.size), head_bytes);
  view.put(Column::meta, meta_key::latest_head, head_bytes);
  WriteBatch write;
  view.drain_into(write);
  if (Status s = impl.rows.write_through(impl.store, write, Durability::synced); !s.ok()) {
    impl.tip_unknown = true;
    return refused(Outcome::store_failed, s.message(), held);
  }
  impl.tip = std::move(next);
  impl.committed_size = impl.tip.size;
  // A rotation among the records may have retired the key this node holds.
  if (auto signers = load_node_signers(impl.store, impl.log);
      signers.ok() && signers->back().key != impl.node.public_key)
    (void)hold_signing("the records fetched back from the peers rotate this node's key to " +
                       to_hex(signers->back().key).substr(0, 12) +
                       ", which node.key does not hold: put the newest node.key back (from the backup made "
                       "after that rotation) and restart");
  checked.size = impl.tip.size;
  return checked;
}

std::string Ledger::node_name() const {
  return impl_->name;
}
CommitStatsSnapshot Ledger::commit_stats() const {
  return impl_->stats.snapshot();
}

std::uint64_t Ledger::log_size() const {
  // Under a ReadSnapshot the size is the snapshot's, never newer or older
  // than the rows read with it (the stored size is written with them).
  if (ReadSnapshot::active(impl_->base))
    if (auto tip = stored_log_size(impl_->store); tip.ok()) return tip.value();
  return impl_->committed_size;
}

Result<Balance> Ledger::balance(const AccountId& account) const {
  auto row = load_row<Balance>(impl_->store, Column::balances, account.to_key());
  if (!row.ok()) return row.status();
  return row->value_or(Balance{});
}

template <typename Row, typename F>
static Status scan_rows(const Store& store, Column column, std::string_view from, std::string_view to,
                        F&& each) {
  auto cursor = store.scan(column, from, to);
  for (; cursor->valid(); cursor->next()) {
    Row row;
    if (Status s = decode_row(cursor->value(), &row); !s.ok()) return s;
    each(cursor->key(), std::move(row));
  }
  return cursor->status();
}

Result<std::vector<std::pair<AccountId, Balance>>> Ledger::balances() const {
  std::vector<std::pair<AccountId, Balance>> out;
  Status status =
      scan_rows<Balance>(impl_->store, Column::balances, "", "", [&](std::string_view key, Balance row) {
        if (auto id = AccountId::from_key(key)) out.emplace_back(*id, row);
      });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Posting>> Ledger::postings(const AccountId& account, std::uint64_t from_seq,
                                              std::uint64_t to_seq, std::size_t max_count) const {
  std::vector<Posting> out;
  std::string from = posting_key(account, from_seq, 0);
  std::string to = to_seq == UINT64_MAX ? AccountId{account}.to_key() + std::string(9, '\xff') + '\xff'
                                        : posting_key(account, to_seq + 1, 0);
  auto cursor = impl_->store.scan(Column::postings, from, to);
  for (; cursor->valid() && out.size() < max_count; cursor->next()) {
    Posting row;
    if (Status s = decode_row(cursor->value(), &row); !s.ok()) return s;
    out.push_back(std::move(row));
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<MemberInfo> Ledger::member(const PublicKey& key) const {
  auto row = load_row<MemberInfo>(impl_->store, Column::members, key_of(key));
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::unknown_member, "no member with key " + to_hex(key));
  return **row;
}

Result<std::vector<MemberInfo>> Ledger::members() const {
  std::vector<MemberInfo> out;
  Status status = scan_rows<MemberInfo>(impl_->store, Column::members, "", "",
                                        [&](std::string_view, MemberInfo row) { out.push_back(row); });
  if (!status.ok()) return status;
  return out;
}

Result<SigningKey> Ledger::signing_key(const PublicKey& key) const {
  auto row = find_signer(impl_->store, key);
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::unknown_member, "no member signs with key " + to_hex(key));
  return **row;
}

Result<PublicKey> Ledger::current_key(const PublicKey& member) const {
  if (Status s = this->member(member).status(); !s.ok()) return s;
  return current_signer(impl_->store, member);
}

Result<Movement> Ledger::movement(const EntryId& id) const {
  auto row = load_row<Movement>(impl_->store, Column::movements, key_of(id));
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::unknown_entry, "no hours or transfer entry " + to_hex(id));
  return **row;
}

Result<std::vector<Movement>> Ledger::movements() const {
  std::vector<Movement> out;
  Status status = scan_rows<Movement>(impl_->store, Column::movements, "", "",
                                      [&](std::string_view, Movement row) { out.push_back(std::move(row)); });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<Movement>> Ledger::group_legs(const EntryId& group) const {
  auto legs = load_group_legs(impl_->store, group);
  if (!legs.ok()) return legs.status();
  if (legs->empty()) return Status(Code::unknown_entry, "no group session " + to_hex(group));
  return legs;
}

Result<std::vector<Movement>> Ledger::pending_movements() const {
  std::vector<Movement> out;
  auto cursor = impl_->store.scan(Column::pending, "", "");
  for (; cursor->valid(); cursor->next()) {
    auto row = load_row<Movement>(impl_->store, Column::movements, cursor->key());
    if (!row.ok()) return row.status();
    if (!*row) return Status(Code::corruption, "a pending movement row names no movement; run `cohours reindex`");
    // Read without a snapshot, a confirmation can land between the two reads.
    if ((*row)->status == MovementStatus::pending) out.push_back(std::move(**row));
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<RespiteRequestState> Ledger::respite_request(const EntryId& id) const {
  auto row = load_row<RespiteRequestState>(impl_->store, Column::requests, key_of(id));
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::unknown_entry, "no respite request " + to_hex(id));
  return **row;
}

Currency Ledger::currency() const {
  return impl_->currency;
}

Result<ExpenseState> Ledger::expense(const EntryId& id) const {
  auto row = load_row<ExpenseState>(impl_->store, Column::expenses, key_of(id));
  if (!row.ok()) return row.status();
  if (!*row) return Status(Code::unknown_entry, "no expense claim " + to_hex(id));
  return **row;
}

Result<std::vector<ExpenseState>> Ledger::expenses() const {
  std::vector<ExpenseState> out;
  Status status = scan_rows<ExpenseState>(impl_->store, Column::expenses, "", "",
                                          [&](std::string_view, ExpenseState row) { out.push_back(row); });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<VettingState>> Ledger::vettings() const {
  std::vector<VettingState> out;
  // Only the 0x01 rows: each volunteer's checks (0x02 rows name owners).
  Status status = scan_rows<std::vector<VettingState>>(
      impl_->store, Column::vettings, std::string(1, '\x01'), std::string(1, '\x02'),
      [&](std::string_view, std::vector<VettingState> row) { out.insert(out.end(), row.begin(), row.end()); });
  if (!status.ok()) return status;
  return out;
}

Result<std::vector<VettingState>> Ledger::vettings_of(const PublicKey& volunteer) const {
  auto row = load_row<std::vector<VettingState>>(impl_->store, Column::vettings, vettings_row_key(volunteer));
  if (!row.ok()) return row.status();
  return row->value_or(std::vector<VettingState>{});
}

Result<std::optional<EntryId>> Ledger::opening_of(const PublicKey& member) const {
  std::string raw;
  Status found = impl_->store.get(Column::openings, key_of(member), &raw);
  if (found.code() == Code::not_found) return std::optional<EntryId>();
  if (!found.ok()) return found;
  EntryId id;
  if (raw.size() != id.bytes.size()) return Status(Code::corruption, "an openings row is malformed");
  std::copy(raw.begin(), raw.end(), id.bytes.begin());
  return std::optional<EntryId>(id);
}

Result<std::vector<RespiteRequestState>> Ledger::respite_requests() const {
  std::vector<RespiteRequestState> out;
  Status status =
      scan_rows<RespiteRequestState>(impl_->store, Column::requests, "", "",
                                     [&](std::string_view, RespiteRequestState row) { out.push_back(row); });
  if (!status.ok()) return status;
  return out;
}

Result<Policy> Ledger::policy() const {
  auto row = load_row<Policy>(impl_->store, Column::meta, meta_key::policy);
  if (!row.ok()) return row.status();
  return row->value_or(Policy{});
}

Result<std::uint64_t> Ledger::seq_of(const EntryId& id) const {
  std::string raw;
  Status status = impl_->store.get(Column::entries, key_of(id), &raw);
  if (status.code() == Code::not_found)
    return Status(Code::unknown_entry, "no entry " + to_hex(id) + " in the log");
  if (!status.ok()) return status;
  if (raw.size() != 8) return Status(Code::corruption, "entry index row is malformed");
  return read_be64(raw);
}

Result<EntryId> Ledger::resolve_id(std::string_view hex) const {
  if (hex.size() < 8 || hex.size() > 64)
    return Status(Code::malformed, "an entry id is 8 to 64 hex digits, got '" + std::string(hex) + "'");
  // An odd-length prefix is padded both ways to bound the scan.
  auto low = from_hex(std::string(hex) + (hex.size() % 2 ? "0" : ""));
  if (!low) return Status(Code::malformed, "'" + std::string(hex) + "' is not a hex entry id");
  std::string from(low->begin(), low->end());
  std::string to = from;
  if (hex.size() % 2) to.back() = static_cast<char>(to.back() | 0x0f);
  // Keys with the prefix sort between `from` and the prefix followed by 0xff..
  to += std::string(32, '\xff');
  auto cursor = impl_->store.scan(Column::entries, from, to);
  std::optional<EntryId> found;
  for (; cursor->valid(); cursor->next()) {
    if (cursor->key().size() != 32) continue;
    if (found)
      return Status(Code::malformed,
                    "entry id prefix '" + std::string(hex) + "' is ambiguous; give more digits");
    EntryId id;
    std::copy(cursor->key().begin(), cursor->key().end(), id.bytes.begin());
    found = id;
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  if (!found) return Status(Code::unknown_entry, "no entry " + std::string(hex) + " in the log");
  return *found;
}

Result<Record> Ledger::record(std::uint64_t seq) const {
  std::string raw;
  Status status = impl_->store.get(Column::records, be64(seq), &raw);
  if (status.code() == Code::not_found) return Status(Code::not_found, "no record " + std::to_string(seq));
  if (!status.ok()) return status;
  auto record = decode_record(as_span(raw));
  if (!record.ok())
    return Status(Code::corruption, "record " + std::to_string(seq) + ": " + record.status().message());
  return record;
}

Result<SignedTreeHead> Ledger::latest_head() const {
  std::string raw;
  Status status = impl_->store.get(Column::meta, meta_key::latest_head, &raw);
  if (status.code() == Code::not_found) return Status(Code::not_found, "the log is empty: no tree head yet");
  if (!status.ok()) return status;
  return decode_signed_tree_head(as_span(raw));
}

Result<SignedTreeHead> Ledger::head_at(std::uint64_t size) const {
  std::string raw;
  Status status = impl_->store.get(Column::heads, be64(size), &raw);
  if (status.code() == Code::not_found)
    return Status(Code::not_found, "no signed head at size " + std::to_string(size));
  if (!status.ok()) return status;
  return decode_signed_tree_head(as_span(raw));
}

Result<std::vector<Hash32>> Ledger::inclusion_proof(std::uint64_t seq, std::uint64_t tree_size) const {
  if (seq == 0 || seq > tree_size || tree_size > log_size())
    return Status(Code::malformed, "need 1 <= seq <= tree size <= log size");
  Status unread;  // a failed read is the store's error, not a missing tree node
  auto proof = merkle::inclusion_proof(merkle::blake2b_hasher(), tree_reader(impl_->store, &unread), seq - 1,
                                       tree_size);
  if (!unread.ok()) return unread;
  return proof;
}

Result<std::vector<Hash32>> Ledger::consistency_proof(std::uint64_t old_size, std::uint64_t new_size) const {
  if (old_size > new_size || new_size > log_size())
    return Status(Code::malformed, "need old size <= new size <= log size");
  Status unread;
  auto proof = merkle::consistency_proof(merkle::blake2b_hasher(), tree_reader(impl_->store, &unread), old_size,
                                         new_size);
  if (!unread.ok()) return unread;
  return proof;
}

Result<Hash32> Ledger::state_digest() const {
  return digest_state(impl_->store);
}
Result<Hash32> state_digest(const Store& store, const PublicKey& log) {
  return digest_state(*log_space(store, log));
}
Result<Hash32> state_digest(const Store& store) {
  auto self = self_node_key(store);
  if (!self.ok()) return self.status();
  return digest_state(*log_space(store, self.value()));
}

Result<ReindexReport> reindex(Store& base, const Clock& clock,
                              const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                              const std::string& scratch_dir) {
  auto self = self_node_key(base);
  if (!self.ok()) return self.status();
  return reindex_log(base, self.value(), clock, progress, scratch_dir);
}

Result<ReindexReport> reindex_log(Store& base, const PublicKey& log_key, const Clock& clock,
                                  const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                                  const std::string& scratch_dir) {
  (void)clock;
  ReindexReport report;
  auto space = log_space(base, log_key);
  Store& store = *space;
  auto node_key = stored_node_key(store);
  if (!node_key.ok()) return node_key.status();
  if (node_key.value() != log_key) return Status(Code::corruption, "the log's rows name another node");
  if (Status s = check_store_format(store); !s.ok()) return s;
  std::string marker;
  if (!store.get(Column::meta, meta_key::reindexing, &marker).ok()) {
    auto before = digest_state(store);
    if (before.ok()) report.digest_before = before.value();
  }

  // 1. Rebuild off to the side, verifying every record, signature and
  //    signed head on the way. Nothing in the store changes unless the whole
  //    log is sound: a damaged record must be restored, not indexed over.
  std::unique_ptr<Store> scratch = make_memory_store();
  if (!scratch_dir.empty()) {
    auto opened = open_scratch_store(scratch_dir);
    if (!opened.ok()) return opened.status();
    scratch = std::move(opened).value();
  }
  RowCache rows;  // only this replay writes the scratch store
  StateView view(*scratch, &rows);
  auto stored = stored_currency(store);
  if (!stored.ok()) return stored.status();
  const Currency currency = stored.value();
  std::string scratch_failure;
  auto flush = [&] {
    WriteBatch batch;
    view.drain_into(batch);
    if (Status s = rows.write_through(*scratch, batch, Durability::buffered); !s.ok())
      scratch_failure = s.message();
  };
  LogCheck log = verify_log(
      store, node_key.value(), {}, TipMeta::rebuilt,
      [&](const VerifiedRecord& r) -> std::string {
        std::string seen;
        if (view.get(Column::entries, key_of(r.entry.id), &seen).ok())
          return "record " + std::to_string(r.seq) + " repeats an earlier entry";
        Status applied =
            apply_entry(view, r.entry, {node_key.value(), r.seq, r.record.received_ms, currency});
        if (!applied.ok())
          return "record " + std::to_string(r.seq) + " breaks a ledger rule: " + applied.message();
        for (const auto& [node, hash] : r.completed) view.put(Column::tree, tree_key(node), key_of(hash));
        if (r.seq % 2048 == 0) flush();
        return scratch_failure;
      },
      progress);
  if (!log.passed)
    return Status(Code::corruption, "reindex refused, nothing was changed: " + log.failure +
                                        ". The records are damaged; restore the store from a backup");
  flush();
  if (!scratch_failure.empty()) return Status(Code::io_error, scratch_failure);

  // 2. Swap it in. The marker makes an interruption visible: Ledger::open
  //    refuses half-rebuilt state until reindex runs again.
  WriteBatch start;
  start.put(Column::meta, meta_key::reindexing, "1");
  if (Status s = store.write(start, Durability::synced); !s.ok()) return s;
  for (Column column : kDerivedColumns)
    if (Status s = store.clear(column); !s.ok()) return s;
  for (Column column : kDerivedColumns) {
    WriteBatch batch;
    auto cursor = scratch->scan(column, "", "");
    for (; cursor->valid(); cursor->next()) {
      batch.put(column, cursor->key(), cursor->value());
      if (batch.ops().size() == 4096) {
        if (Status s = store.write(batch, Durability::buffered); !s.ok()) return s;
        batch.clear();
      }
    }
    if (Status s = store.write(batch, Durability::buffered); !s.ok()) return s;
  }
  WriteBatch finish;
  std::string policy;
  if (scratch->get(Column::meta, meta_key::policy, &policy).ok())
    finish.put(Column::meta, meta_key::policy, policy);
  else
    finish.erase(Column::meta, meta_key::policy);
  std::string latest;
  if (log.records > 0 && store.get(Column::heads, be64(log.records), &latest).ok())
    finish.put(Column::meta, meta_key::latest_head, latest);
  finish.put(Column::meta, meta_key::log_size, be64(log.records));
  finish.put(Column::meta, meta_key::last_hash, key_of(log.last_hash));
  finish.erase(Column::meta, meta_key::reindexing);
  if (Status s = store.write(finish, Durability::synced); !s.ok()) return s;
  report.records = log.records;
  auto after = digest_state(store);
  if (!after.ok()) return after.status();
  report.digest_after = after.value();
  return report;
}

}  // namespace cohours
