// Signed, typed, immutable ledger entries and their canonical bytes.
//
// Canonical bytes (docs/data-format.md): cereal portable binary, little
// endian, fields in the fixed order below. The signature covers every byte
// before it; an entry's id is BLAKE2b-256 of the signed bytes (entry bytes
// followed by the 64-byte signature). Since format version 2 the signed
// bytes name the node whose log the entry is for, so an entry signed for one
// co-op cannot be replayed into another's log. Personal data never appears here:
// notes and memos are carried as keyed digests, the text lives in the
// erasable notes column.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours {

// Version 2 added `node` (the log the entry is for) and expense.paid's
// date. Only this version decodes; version 1 entries are refused.
constexpr std::uint16_t kEntryFormatVersion = 2;
constexpr std::size_t kMaxEntryBytes = 4096;
constexpr std::size_t kMaxCategoryLength = 32;
constexpr std::size_t kMaxCategories = 64;

// The wire value of every kind is fixed forever.
enum class EntryKind : std::uint8_t {
  member_join = 1,
  member_role = 2,
  policy_set = 3,
  hours_log = 4,
  hours_confirm = 5,
  hours_void = 6,
  transfer = 7,
  respite_request = 8,
  respite_offer = 9,
  respite_cancel = 10,
  reversal = 11,
  expense_claim = 12,
  expense_approve = 13,
  expense_reject = 14,
  expense_paid = 15,
  transfer_out = 16,
  transfer_in = 17,
  hours_log_remote = 18,
  member_rekey = 19,
  node_rotate = 20,
  vetting_record = 21,
  vetting_withdraw = 22,
  hours_group = 23,
  balance_open = 24,
  clearing_limit = 25,
  clearing_limit_peer = 26,
};
const char* kind_name(EntryKind kind);  // e.g. "hours.log"

// Roles are a bit set; a member may hold several.
enum Role : std::uint32_t {
  role_volunteer = 1u << 0,
  role_carer = 1u << 1,
  role_service_user = 1u << 2,
  role_staff = 1u << 3,
  role_coordinator = 1u << 4,
  role_admin = 1u << 5,
  role_auditor = 1u << 6,
};
constexpr std::uint32_t kAllRoles = (1u << 7) - 1;
const char* role_name(Role role);  // "service-user"
std::optional<Role> parse_role(std::string_view name);
std::string roles_to_string(std::uint32_t roles);  // "carer,volunteer"

// member.join: a key becomes a member with roles. Signed by the node key
// (the operator) or an admin.
struct MemberJoin {
  PublicKey member;
  std::uint32_t roles = 0;
  PublicKey home_node;
};

// member.role: replaces a member's roles. Signed by the node key or an admin.
struct MemberRole {
  PublicKey member;
  std::uint32_t roles = 0;
};

enum class PolicyTarget : std::uint8_t {
  role_floor = 1,           // subject: one role bit; amount: minutes (<= 0)
  pool_floor = 2,           // amount: minutes (<= 0)
  max_entry_minutes = 3,    // amount: minutes
  categories = 4,           // categories
  pool_floor_none = 5,      // removes the pool's floor
  expense_claim_limit = 6,  // subject: ExpenseCategory; amount: pence per claim (0: no limit)
  expense_month_limit = 7,  // subject: ExpenseCategory; amount: pence per member per month (0: no limit)
  mileage_rate = 8,         // amount: pence per mile
  vetted_categories = 9,    // categories: the activities that need a current vetting (may be empty)
};
struct PolicySetting {
  PolicyTarget target = PolicyTarget::role_floor;
  std::uint32_t subject = 0;            // a Role bit or an ExpenseCategory, per target; else 0
  std::int64_t amount = 0;              // minutes or pence, per target
  std::vector<std::string> categories;  // for `categories`, else empty
};
constexpr std::size_t kMaxPolicySettings = 16;
// policy.set: one or more settings that take effect together or not at
// all, signed by an admin.
struct PolicySet {
  std::vector<PolicySetting> settings;
};

enum class Payer : std::uint8_t {
  recipient = 0,  // member-to-member exchange: the recipient pays
  pool = 1,       // service users and community work: the co-op pool pays
};

// hours.log: the provider (acting member) gave `minutes` of help. Pending
// until confirmed. `recipient` all-zero means the community (paid by pool).
struct HoursLog {
  PublicKey recipient;
  Payer payer = Payer::recipient;
  std::int64_t minutes = 0;
  std::string category;
  std::int32_t date_days = 0;
  Hash32 note_digest;  // keyed digest of a private note, or zero
};

// hours.confirm: posts a pending hours.log or respite.offer.
struct HoursConfirm {
  EntryId target;
};

// hours.void: cancels a pending hours.log or respite.offer.
struct HoursVoid {
  EntryId target;
  Hash32 reason_digest;
};

// transfer: the acting member gives credits to another member at once.
struct Transfer {
  PublicKey to;
  std::int64_t minutes = 0;
  Hash32 memo_digest;
};

// respite.request: a carer asks for `minutes` of respite on a date.
struct RespiteRequest {
  std::int64_t minutes = 0;
  std::int32_t date_days = 0;
  Hash32 note_digest;
};

// respite.offer: a volunteer takes a request; creates the pending hours
// movement carer -> volunteer, which the carer then confirms.
struct RespiteOffer {
  EntryId request;
};

// respite.cancel: the carer (or a coordinator) withdraws an open request;
// a pending offer on it is voided with it.
struct RespiteCancel {
  EntryId request;
};

// reversal: an admin undoes a posted movement by posting its opposite.
struct Reversal {
  EntryId target;
  Hash32 reason_digest;
};

// Cash is kept apart from credits: expense entries move integer pence in
// cash accounts only, and no entry converts one into the other.
enum class ExpenseCategory : std::uint8_t { travel = 1, childcare = 2, meals = 3, uniform = 4, other = 5 };
constexpr std::size_t kExpenseCategoryCount = 5;
const char* expense_category_name(ExpenseCategory category);
std::optional<ExpenseCategory> parse_expense_category(std::string_view name);

// ISO 4217 code, three upper-case letters.
struct Currency : FixedBytes<3> {
  static std::optional<Currency> parse(std::string_view code);
  std::string str() const { return std::string(bytes.begin(), bytes.end()); }
};

// One claim's travel in miles is 1 to this many: a sanity bound (a rule).
inline constexpr std::uint32_t kMaxClaimMiles = 10'000;

// expense.claim: the acting member asks to be paid back real costs.
struct ExpenseClaim {
  std::int64_t pence = 0;
  Currency currency;
  ExpenseCategory category = ExpenseCategory::other;
  std::int32_t date_days = 0;
  std::uint32_t miles = 0;  // travel claimed by distance: pence = miles x the policy's rate
  EntryId hours;            // the hours entry the cost belongs to, or zero
  Hash32 receipt_digest;    // BLAKE2b-256 of the receipt file, or zero
  Hash32 note_digest;
};

// expense.approve / expense.reject: an admin (not the claimant) decides.
struct ExpenseApprove {
  EntryId claim;
  Hash32 reason_digest;
};
struct ExpenseReject {
  EntryId claim;
  Hash32 reason_digest;
};

// expense.paid: an admin records the payment and the day the money was
// paid; the reference text (a bank reference) stays in the erasable notes.
struct ExpensePaid {
  EntryId claim;
  std::int32_t date_days = 0;  // the day the money was paid
  Hash32 reference_digest;
};

// Credits cross co-ops through clearing accounts (DESIGN.md rule 8).
// transfer.out: the acting member, at their home node, sends credits to
// member `to` of node `to_node`: posts member -> clearing[to_node] here.
struct TransferOut {
  PublicKey to;
  PublicKey to_node;
  std::int64_t minutes = 0;
  Hash32 memo_digest;
};

// transfer.in: signed by the receiving node's key once it holds the origin
// record in its verified copy of `from_node`'s log: posts
// clearing[from_node] -> `to`. At most one per origin entry.
struct TransferIn {
  PublicKey from_node;
  EntryId origin;  // the transfer.out in from_node's log
  PublicKey to;
  std::int64_t minutes = 0;
};

// hours.log.remote: help given by a volunteer of another co-op to a member
// of this one (or its community), logged here, at the node that pays.
// Signed by the provider, or by a coordinator of this co-op entering their
// timesheet. Pending like hours.log; once confirmed, the payer pays
// clearing[provider_node] and that node records a transfer.in to the
// provider (DESIGN.md rule 8).
struct RemoteHoursLog {
  PublicKey provider;
  PublicKey provider_node;
  HoursLog hours;
};

// member.rekey: a new key signs for `member` from now on, and the key that
// signed for them until now is retired for good (a lost phone). `member` is
// the key the member joined with, which stays their identity: accounts,
// movements, requests and claims stay keyed by it. `new_key` zero retires
// the current key with none in its place yet (the member enrols a new phone
// later, with another member.rekey). Signed by the node key or an admin.
struct MemberRekey {
  PublicKey member;
  PublicKey new_key;
};

// node.rotate: `new_key` signs for this node from the next record on, and
// the key that signed this entry (the node's current key) is retired for
// good. The node's first key stays its name, the log id, everywhere (entry
// `node`, head `log`, the consortium file); only the signer changes. Heads
// of sizes up to this record's position verify with the old key, larger
// ones with the new (docs/decisions.md "Key rotation"). `proof` is the new
// key's signature over rotation_proof_message, so nobody can name a key they
// do not hold.
struct NodeRotate {
  PublicKey new_key;
  Signature proof;
};
// A node's key is rotated at most this many times: a peer's handshake
// carries every rotation (net/HANDSHAKE.md) and must stay small.
inline constexpr std::size_t kMaxNodeRotations = 8;

// Safeguarding (docs/safeguarding.md): the kinds of check a co-op records
// as seen before a volunteer helps in someone's home.
enum class VettingKind : std::uint8_t {
  dbs_basic = 1,            // England and Wales: DBS basic
  dbs_standard = 2,         // DBS standard
  dbs_enhanced = 3,         // DBS enhanced
  dbs_enhanced_barred = 4,  // DBS enhanced with the adults' and/or children's barred list
  pvg = 5,                  // Scotland: PVG scheme membership
  access_ni = 6,            // Northern Ireland: AccessNI enhanced
  other = 7,                // a check the co-op's policy names otherwise
};
constexpr std::uint8_t kVettingKindCount = 7;
const char* vetting_kind_name(VettingKind kind);  // "dbs-enhanced-barred"
std::optional<VettingKind> parse_vetting_kind(std::string_view name);

// vetting.record: an admin or coordinator (the checker, who signs) saw a
// check for `volunteer`, valid from `issued_days` to `expires_days`
// inclusive. The certificate number is kept off the log: only its keyed
// digest is signed, the number itself lives in the erasable notes.
struct VettingRecord {
  PublicKey volunteer;
  VettingKind kind = VettingKind::dbs_enhanced_barred;
  std::int32_t issued_days = 0;
  std::int32_t expires_days = 0;
  Hash32 certificate_digest;  // keyed digest of the certificate number, or zero
};

// vetting.withdraw: an admin or coordinator withdraws a recorded check (a
// concern raised, a certificate found wrong); the reason stays off the log.
struct VettingWithdraw {
  EntryId record;
  Hash32 reason_digest;
};

// hours.group: one session of help with several legs (docs/decisions.md
// "Group sessions"): 1..32 volunteers, each with the minutes they gave, for
// 0..32 recipients (none: the community, paid by the pool). Each volunteer
// earns their minutes once; the cost is split into one leg per (recipient,
// volunteer) pair, recipient-major, each paid by the pool or by that
// recipient (group_leg_minutes). Pending until confirmed: a coordinator's
// hours.confirm posts every pending leg, a recipient's posts their own.
// Signed by a coordinator, or by one of the volunteers.
struct GroupProvider {
  PublicKey provider;
  std::int64_t minutes = 0;
};
struct GroupHours {
  std::vector<GroupProvider> providers;
  std::vector<PublicKey> recipients;
  Payer payer = Payer::pool;  // pool, or recipient: the recipients share the cost
  std::string category;
  std::int32_t date_days = 0;
  Hash32 note_digest;  // keyed digest of a private note, or zero
};
inline constexpr std::size_t kMaxGroupProviders = 32;
inline constexpr std::size_t kMaxGroupRecipients = 32;
// Legs are providers x recipients (x 1 for the community); at most this
// many, so one account takes at most 256 postings from one confirmation.
inline constexpr std::size_t kMaxGroupLegs = 256;
// The minutes recipient `r` (0-based, in entry order) pays provider `p` of
// `group`: each volunteer's minutes split evenly among the recipients, the
// minutes left over dealt one each to the recipients in entry order,
// continuing from where the previous volunteer's left-over minutes stopped,
// so every recipient's total is within a minute of every other's. With no
// recipients the pool pays each volunteer's minutes whole.
std::int64_t group_leg_minutes(const GroupHours& group, std::size_t r, std::size_t p);
// The number of legs: providers x recipients (x 1 with no recipients).
std::size_t group_leg_count(const GroupHours& group);
// A leg's movement id: BLAKE2b-256("cohours-group-leg-v1" || group entry id
// || leg index, u16 big endian). Leg index = recipient * providers + provider.
EntryId group_leg_id(const EntryId& group, std::uint16_t leg);

// The largest balance a co-op may bring over for one member, either way:
// 10,000 hours. A sanity bound (a rule), far above any real time bank's.
inline constexpr std::int64_t kMaxOpeningMinutes = 600'000;

// balance.open: a member's balance brought over from the time bank the co-op
// used before (a TimeOverflow export, docs/moving-from-timeoverflow.md).
// Posts pool -> member for credit, member -> pool for a debt, nothing for
// zero. Signed by an admin. Cites BLAKE2b-256 of the source file and the
// member's row (their number) in it, so an auditor can check each figure
// against the file. A member has at most one that is not reversed.
struct BalanceOpen {
  PublicKey member;
  std::int64_t minutes = 0;  // negative: the member owed time
  Hash32 source_digest;
  std::uint32_t source_row = 0;
};

// How far another co-op may go into debt with this one in clearing
// (docs/decisions.md "Trade limits between co-ops"): the lowest balance this
// co-op's clearing account for `peer` may reach through the peer's sending,
// zero or negative minutes, or no limit. It applies to what the peer's log
// sends, so it is enforced there: the peer's node records it in its own log
// (clearing.limit.peer) and refuses its own members' transfers past it.
struct ClearingFloor {
  bool limited = false;      // false: no limit (then minutes is 0)
  std::int64_t minutes = 0;  // the floor, <= 0
  bool operator==(const ClearingFloor&) const = default;
};

// clearing.limit: an admin of this co-op (or the node operator) sets the
// floor of this co-op's clearing account for `peer`.
struct ClearingLimit {
  PublicKey peer;
  ClearingFloor floor;
};

// clearing.limit.peer: signed by this node's key once its verified copy of
// `peer`'s log holds the clearing.limit `origin` (at `origin_seq` there)
// that `peer` set about this co-op. From here on, this log's own
// transfers and confirmations that pay `peer` keep within it. The newest
// only: origin_seq grows with each one recorded for a peer.
struct ClearingLimitPeer {
  PublicKey peer;
  EntryId origin;
  std::uint64_t origin_seq = 0;
  ClearingFloor floor;
};

using EntryBody =
    std::variant<MemberJoin, MemberRole, PolicySet, HoursLog, HoursConfirm, HoursVoid, Transfer,
                 RespiteRequest, RespiteOffer, RespiteCancel, Reversal, ExpenseClaim, ExpenseApprove,
                 ExpenseReject, ExpensePaid, TransferOut, TransferIn, RemoteHoursLog, MemberRekey,
                 NodeRotate, VettingRecord, VettingWithdraw, GroupHours, BalanceOpen, ClearingLimit,
                 ClearingLimitPeer>;

EntryKind kind_of(const EntryBody& body);

struct Entry {
  std::uint16_t version = kEntryFormatVersion;
  PublicKey node;               // the home node of the log the entry is for
  PublicKey author;             // the signer
  PublicKey on_behalf;          // the member the author acts for, or zero
  std::int64_t created_ms = 0;  // author's clock
  std::uint64_t nonce = 0;      // makes two otherwise equal entries distinct
  EntryBody body;

  EntryKind kind() const { return kind_of(body); }
  // The member whose act this is: on_behalf if set, else the author.
  const PublicKey& actor() const { return on_behalf.is_zero() ? author : on_behalf; }
};

struct SignedEntry {
  Entry entry;
  Signature signature;
  Bytes bytes;  // canonical signed bytes: encode_unsigned(entry) || signature
  EntryId id;   // blake2b_256(bytes)
};

// Canonical bytes of everything the signature covers. A list or string over
// its bound (more than kMaxCategories categories, say) throws
// std::length_error: a caller's bug, since every use case checks the
// bounds first with a message for people; bytes whose counts disagree with
// their items are never made.
Bytes encode_unsigned(const Entry& entry);
// Signs and returns the complete signed entry (bytes and id filled in).
SignedEntry sign_entry(const Entry& entry, const SecretKey& secret);
// Parses signed bytes strictly: size limits, known version and kind, field
// ranges, no trailing bytes, and re-encoding must give the same bytes.
// Does NOT verify the signature (see verify_signature).
Result<SignedEntry> decode_entry(std::span<const std::uint8_t> signed_bytes);
bool verify_signature(const SignedEntry& entry);
EntryId entry_id_of(std::span<const std::uint8_t> signed_bytes);

// What a node.rotate's new key signs: "cohours-node-rotate-v1" || log id ||
// outgoing key || new key.
Bytes rotation_proof_message(const PublicKey& log, const PublicKey& outgoing, const PublicKey& new_key);
// The key `entry` hands the log `log` over to, if it is a node.rotate for
// that log signed by `current` (the log's signer now) with a proof that
// verifies; nullopt otherwise. The entry's own signature is checked by the
// caller. The rules add their checks (a key never used twice) on top.
std::optional<PublicKey> rotation_to(const SignedEntry& entry, const PublicKey& log, const PublicKey& current);
// Follows `rotations` (signed node.rotate entries, oldest first) from the
// log id: every key that signed for `log`, the log id first. Each must
// decode (malformed), carry its author's signature (bad_signature) and be
// a rotation of `log` by the key before it (not_permitted); the message
// names the rotation by its number. What a node shows of its rotations (its
// handshake, its consortium-file signature) is checked with it.
Result<std::vector<PublicKey>> follow_rotations(const PublicKey& log, std::span<const Bytes> rotations);
// How a chain of keys shown for a log stands to the one held for it: it
// extends or equals it; it stops short (its last key was retired by a
// rotation held here); or it forks (one key made two successors).
enum class ChainFit { extends, retired, forked };
ChainFit chain_fit(std::span<const PublicKey> held, std::span<const PublicKey> shown);

// A category is 1..32 of [a-z0-9-].
bool valid_category(std::string_view category);

}  // namespace cohours
