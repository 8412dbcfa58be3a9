// Verified copies of other consortium nodes' logs (DESIGN.md "Network").
//
// A copy only ever grows by a batch that ends at a head signed by the log's
// owner: the batch's consistency proof must show the head extends what this
// node already holds, every record must link to the one before, every entry
// signature must verify, the records must rebuild exactly the signed root,
// and the log's own ledger rules must accept every entry. Only then is the
// batch stored, in one write; otherwise nothing of it is.
//
// Two valid heads of one log and size with different roots are evidence
// that the log's owner rewrote history: stored, and the log is frozen here.
// Witnesses' cosignatures on heads are kept, the latest per witness and log.
//
// Thread-safe: any method from any thread. This node's own log is served
// (read_batch, heads) but only ever appended to by its Ledger.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cohours/clock.h"
#include "cohours/entry.h"
#include "cohours/ledger.h"
#include "cohours/record.h"
#include "cohours/result.h"
#include "cohours/store.h"

namespace cohours {

// What a batch of records may weigh: well inside one 8 MiB peer message,
// and at least one stretch between two heads (kMaxBytesBetweenHeads, plus
// the record framing) always fits.
constexpr std::size_t kMaxBatchBytes = 6 * 1024 * 1024;

// Records of one log from from_size + 1 to head.size, with the proof that
// head extends the tree of from_size.
struct LogBatch {
  PublicKey log;
  std::uint64_t from_size = 0;
  SignedTreeHead head;
  std::vector<Hash32> consistency_proof;
  std::vector<Bytes> records;
};

// Two heads of the same log and size, both validly signed by the log's
// owner, with different roots.
struct Evidence {
  SignedTreeHead first;
  SignedTreeHead second;
};

struct LogState {
  PublicKey log;
  std::string name;  // from the consortium file (this node's: its own name)
  std::uint64_t size = 0;
  std::optional<SignedTreeHead> head;  // the latest signed head held, if any
  bool own = false;                    // this node's own log
  bool frozen = false;                 // equivocation evidence is held
};

// What a signed head's signature shows, as far as the copies here know
// which key signs each size of its log (a node rotates its key with a
// node.rotate record: record.h NodeSigner).
enum class HeadCheck {
  valid,        // signed by the key that signs that size
  bad,          // not: forged, or signed by a key a rotation retired
  unknown_key,  // not by any key known here, for a size beyond the copy held,
                // where a rotation not fetched yet may have named a newer key
};

struct AppendResult {
  enum class Outcome {
    appended,      // stored; `size` is the copy's new size
    nothing_new,   // the head is not ahead of the copy (no records taken)
    stale,         // the batch starts elsewhere than the copy's size: ask again
    unknown_log,   // this node follows no such log (or it is its own)
    frozen,        // the log is frozen by equivocation evidence
    forged,        // bad head or entry signature, broken link, wrong order or root
    inconsistent,  // the head does not extend what this node holds (a fork?)
    equivocation,  // the head conflicts with a held head of the same size
    rule_broken,   // the log's owner accepted an entry its rules refuse
    store_failed,  // the store failed; nothing was changed
  };
  Outcome outcome = Outcome::forged;
  std::string message;
  std::uint64_t size = 0;            // the copy's size afterwards
  std::uint64_t appended = 0;        // records stored
  std::optional<Evidence> evidence;  // set for `equivocation`
  bool ok() const { return outcome == Outcome::appended || outcome == Outcome::nothing_new; }
};
const char* outcome_name(AppendResult::Outcome outcome);

// A transfer.out (or other posting into this node's clearing account) in
// another node's log that this node has not yet recorded as transfer.in.
struct InboundTransfer {
  PublicKey from_node;
  EntryId origin;
  PublicKey to;
  std::int64_t minutes = 0;
  std::uint64_t origin_seq = 0;
};

// Every key that signed for `log` as the copies in `store` (a node's whole
// store) show, oldest first; just the log id when none is held.
Result<std::vector<NodeSigner>> held_signers(const Store& store, const PublicKey& log);
// Their keys alone, for checking what a node shows of its rotations
// (follow_rotations, chain_fit); just the log id when they cannot be read,
// which then checks the shown rotations only against each other.
std::vector<PublicKey> held_signer_keys(const Store& store, const PublicKey& log);

class Replicas {
 public:
  // `store` is the node's whole store, already initialised by Ledger.
  static Result<std::unique_ptr<Replicas>> open(Store& store, const Clock& clock);
  ~Replicas();

  PublicKey self() const { return self_; }

  // Starts keeping a copy of `log` (idempotent; the name is updated).
  // The currency is the one the consortium file gives for that node.
  Status follow(const PublicKey& log, const std::string& name, const Currency& currency);

  // This node's log and every copy, in key order.
  Result<std::vector<LogState>> logs() const;
  Result<LogState> log_state(const PublicKey& log) const;
  Result<std::optional<SignedTreeHead>> head_at(const PublicKey& log, std::uint64_t size) const;

  // Up to about `max_records` records after `from_size`, ending at a signed
  // head held for the log (the largest at most from_size + max_records, or
  // else the first beyond it), with the consistency proof. not_found if
  // there is nothing after from_size.
  Result<LogBatch> read_batch(const PublicKey& log, std::uint64_t from_size, std::uint32_t max_records,
                              std::size_t max_bytes = kMaxBatchBytes) const;

  // Verifies and stores a batch (see the top of this file).
  AppendResult append(const LogBatch& batch);

  // Every key that signed for `log` as far as what is held here shows,
  // oldest first (record.h); just the log id for a log with no rotation
  // held, or one not followed.
  Result<std::vector<NodeSigner>> signers(const PublicKey& log) const;
  std::vector<PublicKey> signer_keys(const PublicKey& log) const { return held_signer_keys(store_, log); }
  // The signed node.rotate entries of `log` held here, oldest first: what
  // leads from the log id to its current key (the handshake shows them).
  Result<std::vector<Bytes>> rotation_entries(const PublicKey& log) const;
  // The signature of `head` against those keys (see HeadCheck).
  // `owner_key`: the key the log's owner proved in a live handshake, if it
  // is connected (zero otherwise): its current key, so a head beyond the
  // copy that neither key signed is `bad`, not `unknown_key`.
  HeadCheck check_head(const SignedTreeHead& head, const PublicKey& owner_key = {}) const;
  // Whether two heads are evidence: one log and size, different roots, and
  // both `valid`. `bad` if either is forged or they do not differ as
  // evidence must; `unknown_key` if a signature can be judged only later.
  HeadCheck check_evidence(const Evidence& evidence) const;

  // A held head of the same log and size with another root, as evidence.
  // The head's own signature must be checked by the caller.
  std::optional<Evidence> conflict(const SignedTreeHead& head) const;
  // Stores evidence after checking it, freezing the log. Returns true if it
  // was new. malformed if it is not evidence.
  Result<bool> add_evidence(const Evidence& evidence);
  Result<std::vector<Evidence>> evidence() const;

  // Stores a cosignature after checking it, if it is newer than the one held
  // for that witness and log. Returns true if it was kept. It must verify
  // with the witness's current key as held here or `witness_key`:
  // wrong_state (not kept, nobody to blame) for one by a key the witness
  // retired; bad_signature for one by no key of the witness's when its key
  // is known for sure (this node's own, or `witness_key` given); not_found
  // (not kept) otherwise, as it may be signed by a newer key of the witness
  // whose rotation is not fetched yet.
  // `witness_key`: the witness's current key when the caller knows it (the
  // witness itself sent it after proving that key); zero: the key held here.
  Result<bool> add_cosignature(const Cosignature& cosignature, const PublicKey& witness_key = {});
  // Cosignatures held, for one log or (zero key) all.
  Result<std::vector<Cosignature>> cosignatures(const PublicKey& log = {}) const;

  // Postings into this node's clearing account for `from_log` in that log's
  // copy, after `after_seq`, that this node's own log has not received yet.
  Result<std::vector<InboundTransfer>> pending_inbound(const PublicKey& from_log,
                                                       std::uint64_t after_seq) const;
  // The same between any two logs held here: postings into `from_log`'s
  // clearing account for `to_log` that `to_log` has not recorded as
  // received (as far as this node's copies show): transfers in flight.
  Result<std::vector<InboundTransfer>> in_flight(const PublicKey& from_log, const PublicKey& to_log,
                                                 std::uint64_t after_seq = 0) const;

  // The clearing limit `from_log`'s co-op set about this node, as its copy
  // holds it, when this node's own log has not recorded it yet (or an older
  // one): the body of the clearing.limit.peer this node should sign.
  // nullopt when there is nothing new (docs/decisions.md "Trade limits
  // between co-ops").
  Result<std::optional<ClearingLimitPeer>> unrecorded_clearing_limit(const PublicKey& from_log) const;

  // The member of `from_log`'s node at the other end of a credit that log
  // sent this node with entry `origin` (a transfer.in's origin): the sender
  // of a transfer.out, or the member who received the hours of an
  // hours.log.remote confirmed by `origin` (zero: the community there).
  // unknown_entry while the copy does not hold `origin`; not_found if the
  // entry sent this node nothing.
  Result<PublicKey> origin_party(const PublicKey& from_log, const EntryId& origin) const;

 private:
  Replicas(Store& store, const Clock& clock, const PublicKey& self);
  bool frozen_unlocked(const PublicKey& log) const;
  Status store_evidence(const Evidence& evidence);

  Store& store_;
  const Clock& clock_;
  PublicKey self_;
  mutable std::mutex append_mu_;  // one batch at a time: each builds on the tip
  // Each copy's hot rows as last written (row_cache.h), under append_mu_:
  // append() is the only writer of a copy's rows while the node runs.
  struct RowCaches;
  std::unique_ptr<RowCaches> row_caches_;
  // Evidence and cosignatures are read, compared and written: one at a time,
  // so a newer cosignature is never overwritten by an older one.
  std::mutex record_mu_;
};

}  // namespace cohours
