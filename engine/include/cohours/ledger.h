// The ledger of one node: accepts signed entries under the rules of
// DESIGN.md, appends them to the hash-chained, Merkle-tree log, and keeps the
// derived state (balances, postings, movements, members) up to date.
//
// Thread safety: every method may be called from any thread. Concurrent
// submit() calls are grouped: the entries of one group share one synced
// store write and one signed tree head. On a thread that holds a
// ReadSnapshot of the store (store.h) every read, log_size() included,
// answers from that snapshot, and submit() is refused (not_permitted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cohours/account.h"
#include "cohours/clock.h"
#include "cohours/commit_stats.h"
#include "cohours/entry.h"
#include "cohours/policy.h"
#include "cohours/record.h"
#include "cohours/result.h"
#include "cohours/store.h"

namespace cohours {

// The most records, and bytes of entries, between two signed heads of a log
// (a commit group larger than that signs heads inside it too). Peers fetch
// logs in batches that end at signed heads, so this bounds a batch.
constexpr std::size_t kMaxRecordsBetweenHeads = 4096;
constexpr std::size_t kMaxBytesBetweenHeads = 2 * 1024 * 1024;

struct LogBatch;      // replicas.h
struct AppendResult;  // replicas.h

struct SubmitResult {
  Code code = Code::ok;
  std::string message;     // why it was rejected; empty when accepted
  EntryId id;              // zero when the bytes did not decode
  std::uint64_t seq = 0;   // position in the log when accepted
  bool duplicate = false;  // accepted earlier: this answer repeats the first
  // Refused earlier: this answer repeats the first refusal (code and
  // message). A refused entry is never judged again; the member signs a new
  // entry (a new nonce) instead.
  bool refused_before = false;
  // From submit_together() only: the entry passed on its own but was not
  // stored, because another entry of the batch was refused or the batch
  // was a dry run (seq then says where it would have gone).
  bool held_back = false;
  bool ok() const { return code == Code::ok; }
};

// How submit_together() treats a batch.
enum class Together {
  all_or_none,  // every entry is stored, or (one refused) none is
  dry_run,      // judged as all_or_none would, and nothing is stored
};

struct MemberInfo {
  PublicKey key;
  std::uint32_t roles = 0;
  PublicKey home_node;
  std::uint64_t joined_seq = 0;
};

// Keys that sign for a member. A member is known by the key they joined
// with, their identity: their accounts, movements, requests and claims are
// keyed by it for ever. The key that signs for them is that identity until
// a member.rekey names a new one and retires the old one for good (a lost
// phone); a retired key never signs again, and no key is used twice.
enum class KeyStatus : std::uint8_t { current = 1, retired = 2 };
struct SigningKey {
  PublicKey key;
  PublicKey member;  // the identity of the member it signs for
  KeyStatus status = KeyStatus::current;
  std::uint64_t since_seq = 0;    // the member.join or member.rekey from which it signs
  std::uint64_t retired_seq = 0;  // the member.rekey that retired it; 0 while current
  std::int64_t retired_ms = 0;    // that record's receive time; 0 while current
  PublicKey replaced_by;          // the key that rekey named; zero while current or if it named none
};

enum class MovementKind : std::uint8_t { hours = 1, respite = 2, transfer = 3, opening = 4 };
// Help given (hours or respite), as against credits moved (a transfer) or
// a balance brought over from another time bank (opening).
inline bool is_help(MovementKind kind) { return kind == MovementKind::hours || kind == MovementKind::respite; }
enum class MovementStatus : std::uint8_t { pending = 1, posted = 2, voided = 3, reversed = 4 };
const char* movement_status_name(MovementStatus status);

// A movement of credits: created by hours.log, respite.offer, transfer or
// balance.open.
struct Movement {
  EntryId id;  // the creating entry
  MovementKind kind = MovementKind::hours;
  MovementStatus status = MovementStatus::pending;
  AccountId payer;
  AccountId payee;
  std::int64_t minutes = 0;
  PublicKey provider;   // who gave the help (payee's member), or the sender
  PublicKey recipient;  // who received it; zero for community work
  std::string category;
  std::int32_t date_days = 0;
  std::uint64_t seq = 0;  // log position of the creating entry
  EntryId request;        // respite request; for a transfer.in, the origin entry in the sender's log
  EntryId closed_by;      // confirm / void / reversal entry, once there is one
  std::int64_t max_entry_minutes_then = 0;  // the per-entry maximum in force when it was made
  // A leg of a group session (hours.group) has its own id (group_leg_id)
  // and names the session's entry here, with its index (recipient x
  // providers + provider) and the session's shape; all zero otherwise.
  EntryId group{};
  std::uint16_t leg = 0;
  std::uint8_t group_providers = 0;
  std::uint8_t group_recipients = 0;
  bool is_group_leg() const { return !group.is_zero(); }
};

enum class RequestStatus : std::uint8_t { open = 1, offered = 2, done = 3, cancelled = 4 };
const char* request_status_name(RequestStatus status);

struct RespiteRequestState {
  EntryId id;
  PublicKey carer;
  std::int64_t minutes = 0;
  std::int32_t date_days = 0;
  RequestStatus status = RequestStatus::open;
  EntryId offer;  // the pending or confirmed offer
};

enum class ExpenseStatus : std::uint8_t { claimed = 1, approved = 2, rejected = 3, paid = 4 };
const char* expense_status_name(ExpenseStatus status);

// An expense claim and where it stands. Amounts are pence of `currency`.
struct ExpenseState {
  EntryId id;  // the expense.claim entry
  PublicKey claimant;
  std::int64_t pence = 0;
  Currency currency;
  ExpenseCategory category = ExpenseCategory::other;
  std::int32_t date_days = 0;
  std::uint32_t miles = 0;
  EntryId hours;
  Hash32 receipt_digest;
  Hash32 note_digest;
  ExpenseStatus status = ExpenseStatus::claimed;
  std::uint64_t claimed_seq = 0;
  EntryId decided_by;  // the approve or reject entry
  PublicKey decided_by_key;
  Hash32 reason_digest;
  EntryId paid_by;                  // the expense.paid entry
  std::int32_t paid_date_days = 0;  // the day the money was paid (from expense.paid)
  Hash32 reference_digest;
  PublicKey signed_by;  // who signed the claim (the claimant, or a coordinator for them)
};

// A check recorded by vetting.record and where it stands. A volunteer's
// checks are one row (docs/data-format.md, vettings column).
struct VettingState {
  EntryId id;  // the vetting.record entry
  PublicKey volunteer;
  VettingKind kind = VettingKind::dbs_enhanced_barred;
  std::int32_t issued_days = 0;
  std::int32_t expires_days = 0;  // valid to the end of this day
  Hash32 certificate_digest;
  PublicKey checker;  // the member who signed the record
  std::uint64_t recorded_seq = 0;
  bool withdrawn = false;
  EntryId withdrawn_by;  // the vetting.withdraw entry
  PublicKey withdrawn_by_key;
  Hash32 reason_digest;

  // Whether this check vouches for help given on `day`.
  bool covers(std::int32_t day) const { return !withdrawn && issued_days <= day && day <= expires_days; }
};
// A volunteer holds at most this many recorded checks, withdrawn ones
// included: enough for a renewal every year for decades.
inline constexpr std::size_t kMaxVettingsPerVolunteer = 64;

// One leg of a movement on one account.
struct Posting {
  AccountId account;
  std::uint64_t seq = 0;  // log position of the entry that posted it
  std::int64_t delta_minutes = 0;
  std::int64_t balance_after_minutes = 0;
  AccountId counterparty;
  EntryId entry;     // the entry that posted (confirm, transfer, reversal)
  EntryId movement;  // the movement it belongs to
};

// The key pair that signs for a node: its heads and the entries the node
// itself makes. At initialise it is the node's first key, which names the
// node (its log id) for ever; after a key rotation it is the newest key.
struct NodeIdentity {
  PublicKey public_key;
  SecretKey secret_key;  // signs tree heads
  NodeIdentity copy() const { return {public_key, secret_key.copy()}; }
};

class Ledger {
 public:
  // Writes a new node's identity into an empty store. already_exists if the
  // store already holds a node.
  static Status initialise(Store& store, const NodeIdentity& node, const std::string& name,
                           const Clock& clock, const Currency& currency = *Currency::parse("GBP"));
  // Opens the ledger of an initialised store. The key must be the one that
  // signs for the node now (not_permitted otherwise, saying so when it is a
  // key a rotation retired). The store and clock must outlive it.
  static Result<std::unique_ptr<Ledger>> open(Store& store, const NodeIdentity& node, const Clock& clock);
  // Opens the ledger of an initialised store without the node's secret key,
  // for auditors: every read works, submit() refuses every entry with
  // not_permitted and never writes.
  static Result<std::unique_ptr<Ledger>> open_read_only(Store& store, const Clock& clock);
  // Opens, read-only, the copy of another node's log `log` held in this
  // node's store (replica.h), for reads and reports. Sees the copy as it was
  // when opened. unknown_member if the store follows no such log.
  static Result<std::unique_ptr<Ledger>> open_copy(Store& store, const PublicKey& log, const Clock& clock);
  ~Ledger();

  // Verifies signatures (in parallel when there are many), applies the rules
  // and durably appends every accepted entry before returning. Results are
  // in input order. Submitting an entry already in the log answers with its
  // first result (duplicate = true) and changes nothing. A rejected entry
  // changes no ledger state; when the rules refused it and it was signed by
  // a member, the refusal is remembered durably and a retry of the same
  // bytes answers with it (refused_before = true).
  std::vector<SubmitResult> submit(std::span<const Bytes> signed_entries);
  SubmitResult submit_one(const Bytes& signed_entry);
  // As submit(), for entries that stand or fall together (an imported
  // timesheet): each is judged after the ones before it, every refusal is
  // reported, and refusals are not remembered (a corrected batch is judged
  // afresh). Entries already in the log answer as duplicates and count as
  // good. If any entry is refused, or `how` is dry_run, nothing is stored
  // and the good entries answer held_back.
  std::vector<SubmitResult> submit_together(std::span<const Bytes> signed_entries, Together how);

  // The node's log id: its first key, whatever key signs for it now.
  PublicKey node_key() const;
  // Every key that signed for this node, oldest first (record.h); the last
  // one signs now.
  Result<std::vector<NodeSigner>> node_signers() const;
  // Hands the node's signing over to `next` for good (a node.rotate entry,
  // signed by the current key with `next`'s proof): heads up to the
  // rotation's position carry the old key's signature, every later one
  // `next`'s, and the old key signs nothing here again. The caller keeps
  // `next` safe first (node.key); see app/node_key_rotation.h.
  SubmitResult rotate_key(const NodeIdentity& next);

  // Signing held (docs/decisions.md "Backups and a node's own history"):
  // after a restore, or once a peer showed it holds more of this node's log
  // than the node does, the ledger signs nothing (every submit is refused,
  // wrong_state, saying why and what to do) until the node's peers have
  // shown how far its log goes, or an admin says no peer ever will. Kept in
  // the store, so a restart does not forget it. nullopt: not held.
  std::optional<std::string> signing_hold() const;
  Status hold_signing(const std::string& why);
  Status release_signing();
  // This node's own records after its log's tip, fetched back from a peer's
  // verified copy: checked exactly as a copy's batch is (replicas.h: the
  // head signed by the key that signs for that size, the consistency proof
  // from the tip, hash links, every entry signature, the root, the rules)
  // and appended with their head, in one synced write. Never while a group
  // commits. Outcomes as Replicas::append; a head of a size held with
  // another root is `equivocation` (evidence is the caller's to keep).
  AppendResult recover_own(const LogBatch& batch);
  std::string node_name() const;
  AccountId pool_account() const { return AccountId::pool(node_key()); }

  Result<Balance> balance(const AccountId& account) const;
  // Every account with a balance or anything pending, in key order.
  Result<std::vector<std::pair<AccountId, Balance>>> balances() const;
  // Postings of one account in log order, seq in [from_seq, to_seq]; at
  // most `max_count` of them (the first ones).
  Result<std::vector<Posting>> postings(const AccountId& account, std::uint64_t from_seq = 0,
                                        std::uint64_t to_seq = UINT64_MAX,
                                        std::size_t max_count = SIZE_MAX) const;
  // The member `key` names: their identity (the key they joined with) only;
  // unknown_member otherwise. A key that signs for a member after a rekey
  // is not a member: see signing_key.
  Result<MemberInfo> member(const PublicKey& key) const;
  // Every member, by identity.
  Result<std::vector<MemberInfo>> members() const;
  // Whom `key` signs for, and whether it still may: a member's identity
  // (current until the member's first rekey), or a key a member.rekey
  // named. unknown_member for any other key (the node key included).
  Result<SigningKey> signing_key(const PublicKey& key) const;
  // The key that signs for `member` (an identity) now: the identity itself
  // until a rekey, then the newest key a rekey named; zero while the member
  // waits for a new key (a rekey that named none). unknown_member if
  // `member` is not a member's identity.
  Result<PublicKey> current_key(const PublicKey& member) const;
  Result<Movement> movement(const EntryId& id) const;
  Result<std::vector<Movement>> movements() const;
  // The legs of a group session (hours.group) in leg order; unknown_entry
  // if `group` is not a group session's entry.
  Result<std::vector<Movement>> group_legs(const EntryId& group) const;
  // The movements still pending, read through the pending column: as many
  // rows as are waiting, however long the log.
  Result<std::vector<Movement>> pending_movements() const;
  Result<RespiteRequestState> respite_request(const EntryId& id) const;
  Result<std::vector<RespiteRequestState>> respite_requests() const;
  Result<Policy> policy() const;
  Result<ExpenseState> expense(const EntryId& id) const;
  Result<std::vector<ExpenseState>> expenses() const;
  // Every check recorded, by volunteer; one volunteer's (empty if none).
  Result<std::vector<VettingState>> vettings() const;
  Result<std::vector<VettingState>> vettings_of(const PublicKey& volunteer) const;
  // The member's standing balance.open entry (the newest, whether or not
  // reversed since), or nullopt if none was ever made for them.
  Result<std::optional<EntryId>> opening_of(const PublicKey& member) const;
  // The node's currency for cash (set at initialise).
  Currency currency() const;
  // The entry whose id is `hex` or starts with it (at least 8 hex digits, so
  // people can type short ids). unknown_entry if none, malformed if
  // ambiguous or not hex.
  Result<EntryId> resolve_id(std::string_view hex) const;
  // Sequence number of an accepted entry; unknown_entry if absent.
  Result<std::uint64_t> seq_of(const EntryId& id) const;

  std::uint64_t log_size() const;
  // The commits of this process so far (GET /metrics); not log state.
  CommitStatsSnapshot commit_stats() const;
  Result<Record> record(std::uint64_t seq) const;
  Result<SignedTreeHead> latest_head() const;
  Result<SignedTreeHead> head_at(std::uint64_t size) const;
  Result<std::vector<Hash32>> inclusion_proof(std::uint64_t seq, std::uint64_t tree_size) const;
  Result<std::vector<Hash32>> consistency_proof(std::uint64_t old_size, std::uint64_t new_size) const;

  // BLAKE2b-256 over the derived state (balances, members, movements,
  // requests, expenses, signing keys, policy) in key order: equal digests
  // mean equal state (docs/data-format.md).
  Result<Hash32> state_digest() const;

 private:
  struct Impl;
  explicit Ledger(std::unique_ptr<Impl> impl);
  static Result<std::unique_ptr<Ledger>> open_space(Store& base, const PublicKey& log,
                                                    const NodeIdentity& node, const Clock& clock);
  std::unique_ptr<Impl> impl_;
};

// Holds signing in a store no ledger has open (`cohours restore`), as
// Ledger::hold_signing.
Status hold_signing_in(Store& store, const std::string& why);

// Throws away all derived state and rebuilds it from the records alone.
// The store must not be open in a Ledger. `progress` is called with
// (records done, total) now and then. The state is rebuilt in a scratch
// store at `scratch_dir` (open_scratch_store: memory stays flat however
// long the log), or in memory if it is empty.
struct ReindexReport {
  std::uint64_t records = 0;
  Hash32 digest_before;  // zero if the derived state was unreadable
  Hash32 digest_after;
};
Result<ReindexReport> reindex(Store& store, const Clock& clock,
                              const std::function<void(std::uint64_t, std::uint64_t)>& progress = {},
                              const std::string& scratch_dir = {});
// The same for the copy of another node's log held in this store.
Result<ReindexReport> reindex_log(Store& store, const PublicKey& log, const Clock& clock,
                                  const std::function<void(std::uint64_t, std::uint64_t)>& progress = {},
                                  const std::string& scratch_dir = {});

// State digest of a store's derived state (same as Ledger::state_digest).
Result<Hash32> state_digest(const Store& store);
// State digest of one log held in the store (this node's or a copy).
Result<Hash32> state_digest(const Store& store, const PublicKey& log);

}  // namespace cohours
