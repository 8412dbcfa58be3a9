// Derived state rows and a write overlay for applying a group of entries.
// Internal to the engine.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <span>
#include <vector>
#include <string>

#include "cohours/ledger.h"
#include "cohours/policy.h"
#include "cohours/store.h"

namespace cohours {

class RowCache;

// Reads see the group's own uncommitted writes first, then the store
// (through `cache`, if given, for the rows it holds).
class StateView {
 public:
  explicit StateView(const Store& base, RowCache* cache = nullptr) : base_(base), cache_(cache) {}

  Status get(Column column, std::string_view key, std::string* value) const;
  void put(Column column, std::string_view key, std::string value);
  void erase(Column column, std::string_view key);
  // Moves all writes into `batch` (in a deterministic order) and forgets them.
  void drain_into(WriteBatch& batch);
  bool empty() const { return writes_.empty(); }
  // The writes so far, to go back to them (a batch that stands or falls as
  // one). Reads the view learnt are the base's and stay valid.
  using Writes = std::map<std::pair<Column, std::string>, std::optional<std::string>>;
  Writes save() const { return writes_; }
  void restore(Writes writes) { writes_ = std::move(writes); }

 private:
  const Store& base_;
  RowCache* cache_;
  Writes writes_;
};

// Row encodings of derived columns (docs/data-format.md).
std::string encode_row(const MemberInfo& row);
std::string encode_row(const Balance& row);
std::string encode_row(const Movement& row);
std::string encode_row(const RespiteRequestState& row);
std::string encode_row(const Posting& row);
std::string encode_row(const Policy& row);
std::string encode_row(const ExpenseState& row);
std::string encode_row(const SigningKey& row);
std::string encode_row(const std::vector<VettingState>& row);
Status decode_row(std::string_view bytes, MemberInfo* row);
Status decode_row(std::string_view bytes, Balance* row);
Status decode_row(std::string_view bytes, Movement* row);
Status decode_row(std::string_view bytes, RespiteRequestState* row);
Status decode_row(std::string_view bytes, Posting* row);
Status decode_row(std::string_view bytes, Policy* row);
Status decode_row(std::string_view bytes, ExpenseState* row);
Status decode_row(std::string_view bytes, SigningKey* row);
Status decode_row(std::string_view bytes, std::vector<VettingState>* row);
// vettings column keys: a volunteer's checks, and which volunteer a check
// (its vetting.record id) belongs to.
std::string vettings_row_key(const PublicKey& volunteer);
std::string vetting_owner_key(const EntryId& record);

// Loads a row: nullopt if absent; corruption if it does not decode.
template <typename Row, typename Source>
Result<std::optional<Row>> load_row(const Source& source, Column column, std::string_view key) {
  std::string raw;
  Status status = source.get(column, key, &raw);
  if (status.code() == Code::not_found) return std::optional<Row>();
  if (!status.ok()) return status;
  Row row;
  if (Status decoded = decode_row(raw, &row); !decoded.ok()) return decoded;
  return std::optional<Row>(std::move(row));
}

std::string key_of(const FixedBytes<32>& value);

// The legs of the group session `group` (hours.group), in leg order: found
// through leg 0's derived id, which says how many there are. Empty if
// `group` is no group session; corruption if a leg is missing.
template <typename Source>
Result<std::vector<Movement>> load_group_legs(const Source& source, const EntryId& group) {
  std::vector<Movement> legs;
  auto first = load_row<Movement>(source, Column::movements, key_of(group_leg_id(group, 0)));
  if (!first.ok()) return first.status();
  if (!*first || (*first)->group != group) return legs;
  const std::size_t count =
      std::size_t{(*first)->group_providers} * std::max<std::size_t>((*first)->group_recipients, 1);
  legs.push_back(std::move(**first));
  for (std::size_t leg = 1; leg < count; ++leg) {
    auto row = load_row<Movement>(source, Column::movements,
                                  key_of(group_leg_id(group, static_cast<std::uint16_t>(leg))));
    if (!row.ok()) return row.status();
    if (!*row || (*row)->group != group)
      return Status(Code::corruption, "a group session's leg is missing; run `cohours reindex`");
    legs.push_back(std::move(**row));
  }
  return legs;
}
// postings key: account (33 bytes) || seq (8, big endian) || leg (1)
std::string posting_key(const AccountId& account, std::uint64_t seq, std::uint8_t leg);

// signers column keys (docs/data-format.md): the row of a key a rekey
// touched, 0x01 || key -> SigningKey; and a rekeyed member's current key,
// 0x02 || identity -> the key (32 bytes, zero while they wait for one).
std::string signer_row_key(const PublicKey& key);
std::string current_key_row_key(const PublicKey& member);
// The node's key rotations, one row 0x03 -> (new key 32 || after_size u64 BE
// || since_ms i64 BE) per node.rotate, in log order. Absent: never rotated.
inline const std::string kNodeRotationsRowKey(1, '\x03');
std::string encode_rotations(std::span<const NodeSigner> rotations);
Result<std::vector<NodeSigner>> decode_rotations(std::string_view bytes);

// Every key that signed for `log` (record.h node_signers), from the
// rotations row; corruption if it does not decode.
template <typename Source>
Result<std::vector<NodeSigner>> load_node_signers(const Source& source, const PublicKey& log) {
  std::string raw;
  Status status = source.get(Column::signers, kNodeRotationsRowKey, &raw);
  if (status.code() == Code::not_found) return node_signers(log, {});
  if (!status.ok()) return status;
  auto rotations = decode_rotations(raw);
  if (!rotations.ok()) return rotations.status();
  return node_signers(log, rotations.value());
}

// Whom `key` signs for: its signers row if a rekey named or retired it;
// else, if it is a member's identity, the key itself, current since the
// join; else nullopt (the node key, strangers).
template <typename Source>
Result<std::optional<SigningKey>> find_signer(const Source& source, const PublicKey& key) {
  auto row = load_row<SigningKey>(source, Column::signers, signer_row_key(key));
  if (!row.ok() || *row) return row;
  auto member = load_row<MemberInfo>(source, Column::members, key_of(key));
  if (!member.ok()) return member.status();
  if (!*member) return std::optional<SigningKey>();
  SigningKey self;
  self.key = key;
  self.member = key;
  self.since_seq = (*member)->joined_seq;
  return std::optional<SigningKey>(self);
}

// The key that signs for a member (an identity) now: the identity until
// the first rekey; zero while the member waits for a new key.
template <typename Source>
Result<PublicKey> current_signer(const Source& source, const PublicKey& member) {
  std::string raw;
  Status status = source.get(Column::signers, current_key_row_key(member), &raw);
  if (status.code() == Code::not_found) return member;
  if (!status.ok()) return status;
  if (raw.size() != 32) return Status(Code::corruption, "a member's current key row is malformed");
  PublicKey key;
  std::copy(raw.begin(), raw.end(), key.bytes.begin());
  return key;
}

// meta column keys
namespace meta_key {
inline constexpr std::string_view self_node = "self_node";  // unprefixed: whose store this is
// Unprefixed: every log's `pending` column was built from its movements
// (stores from before the column get it on their first open for writing).
inline constexpr std::string_view pending_index = "pending_index";
inline constexpr std::string_view node_key = "node_key";
inline constexpr std::string_view node_name = "node_name";
inline constexpr std::string_view created_ms = "created_ms";
inline constexpr std::string_view format = "format_version";
inline constexpr std::string_view log_size = "log_size";        // u64 BE
inline constexpr std::string_view last_hash = "last_hash";      // record hash at log_size
inline constexpr std::string_view latest_head = "latest_head";  // signed head bytes
inline constexpr std::string_view policy = "policy";            // derived
inline constexpr std::string_view reindexing = "reindexing";    // set while reindex runs
inline constexpr std::string_view currency = "currency";        // the node's cash currency
inline constexpr std::string_view signing_hold = "signing_hold";  // own log: why signing is held (Ledger)
}  // namespace meta_key

// Columns rebuilt by reindex.
inline constexpr Column kDerivedColumns[] = {
    Column::entries, Column::postings, Column::balances, Column::movements, Column::requests,
    Column::members, Column::expenses, Column::inbound,  Column::signers,   Column::tree,
    Column::pending, Column::vettings, Column::openings};

// The store format each log's meta `format_version` holds. 3: entries of
// format version 2 (bound to their node) and the node-level `refusals`
// column. Stores are not converted: an older one is refused on open.
inline constexpr std::string_view kStoreFormat = "3";
// ok if the log's rows are of kStoreFormat; otherwise a message that says
// which format the store holds and that it is not converted.
Status check_store_format(const Store& space);

// Writes a log's identity rows (node key, name, currency, format) into its
// space: at initialise for this node's log, when a copy of another's starts.
Status write_log_identity(Store& space, const PublicKey& log, const std::string& name,
                          const Currency& currency, std::int64_t created_ms);

// The node's currency as stored at initialise (GBP for stores made before
// it was recorded). A read that fails is an error, never GBP.
Result<Currency> stored_currency(const Store& store);

// Digest over balances, members, movements, requests, expenses, signing
// keys (when a rekey made any) and the policy.
Result<Hash32> digest_state(const Store& store);

}  // namespace cohours
