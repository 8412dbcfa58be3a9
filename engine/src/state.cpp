#include "state.h"

#include "codec.h"
#include "cohours/crypto.h"
#include "row_cache.h"

namespace cohours {

Status StateView::get(Column column, std::string_view key, std::string* value) const {
  auto it = writes_.find({column, std::string(key)});
  if (it != writes_.end()) {
    if (!it->second) return Status(Code::not_found, "absent");
    *value = *it->second;
    return Status();
  }
  if (!cache_ || !RowCache::caches(column, key)) return base_.get(column, key, value);
  if (const auto* held = cache_->find(column, key)) {
    if (!*held) return Status(Code::not_found, "absent");
    *value = **held;
    return Status();
  }
  Status status = base_.get(column, key, value);
  if (status.ok())
    cache_->learn_read(column, key, value);
  else if (status.code() == Code::not_found)
    cache_->learn_read(column, key, nullptr);
  return status;
}

void StateView::put(Column column, std::string_view key, std::string value) {
  writes_[{column, std::string(key)}] = std::move(value);
}

void StateView::erase(Column column, std::string_view key) {
  writes_[{column, std::string(key)}] = std::nullopt;
}

void StateView::drain_into(WriteBatch& batch) {
  for (auto& [where, value] : writes_) {
    if (value)
      batch.put(where.first, where.second, *value);
    else
      batch.erase(where.first, where.second);
  }
  writes_.clear();
}

std::string key_of(const FixedBytes<32>& value) {
  return std::string(reinterpret_cast<const char*>(value.data()), 32);
}

std::string AccountId::to_key() const {
  std::string out(1, static_cast<char>(kind));
  out += key_of(key);
  return out;
}

std::optional<AccountId> AccountId::from_key(std::string_view raw) {
  if (raw.size() != 33) return std::nullopt;
  auto kind = static_cast<std::uint8_t>(raw[0]);
  if (kind < 1 || kind > 6) return std::nullopt;
  AccountId id{static_cast<AccountKind>(kind), {}};
  std::copy(raw.begin() + 1, raw.end(), id.key.bytes.begin());
  return id;
}

std::string posting_key(const AccountId& account, std::uint64_t seq, std::uint8_t leg) {
  std::string out = account.to_key();
  out += be64(seq);
  out += static_cast<char>(leg);
  return out;
}

namespace {

template <typename C>
void layout(C& c, AccountId& a) {
  c.enumeration(a.kind, 1, 6);
  c.fixed(a.key);
}
template <typename C>
void layout(C& c, MemberInfo& r) {
  c.fixed(r.key);
  c.num(r.roles);
  c.fixed(r.home_node);
  c.num(r.joined_seq);
}
template <typename C>
void layout(C& c, Balance& r) {
  c.num(r.balance_minutes);
  c.num(r.pending_in_minutes);
  c.num(r.pending_out_minutes);
}
template <typename C>
void layout(C& c, Movement& r) {
  c.fixed(r.id);
  c.enumeration(r.kind, 1, 4);
  c.enumeration(r.status, 1, 4);
  layout(c, r.payer);
  layout(c, r.payee);
  c.num(r.minutes);
  c.fixed(r.provider);
  c.fixed(r.recipient);
  c.short_string(r.category, kMaxCategoryLength);
  c.num(r.date_days);
  c.num(r.seq);
  c.fixed(r.request);
  c.fixed(r.closed_by);
  c.num(r.max_entry_minutes_then);
  // Added with group sessions, written only for a group's legs: every
  // other movement's row is the same bytes as before they existed.
  if constexpr (C::decoding) {
    if (c.remaining() == 0) return;
  } else if (r.group.is_zero()) {
    return;
  }
  c.fixed(r.group);
  c.num(r.leg);
  c.num(r.group_providers);
  c.num(r.group_recipients);
  if constexpr (C::decoding)
    if (r.group.is_zero()) throw codec::DecodeError{"a group leg names no group"};
}
template <typename C>
void layout(C& c, RespiteRequestState& r) {
  c.fixed(r.id);
  c.fixed(r.carer);
  c.num(r.minutes);
  c.num(r.date_days);
  c.enumeration(r.status, 1, 4);
  c.fixed(r.offer);
}
template <typename C>
void layout(C& c, Posting& r) {
  layout(c, r.account);
  c.num(r.seq);
  c.num(r.delta_minutes);
  c.num(r.balance_after_minutes);
  layout(c, r.counterparty);
  c.fixed(r.entry);
  c.fixed(r.movement);
}
template <typename C>
void layout(C& c, Policy& r) {
  for (auto& floor : r.role_floor_minutes) c.num(floor);
  std::uint8_t has_pool_floor = r.pool_floor_minutes.has_value();
  c.num(has_pool_floor);
  std::int64_t pool_floor = r.pool_floor_minutes.value_or(0);
  c.num(pool_floor);
  if constexpr (C::decoding) {
    if (has_pool_floor > 1) throw codec::DecodeError{"bad flag"};
    r.pool_floor_minutes = has_pool_floor ? std::optional(pool_floor) : std::nullopt;
  }
  c.num(r.max_entry_minutes);
  c.list(r.categories, kMaxCategories,
         [&](std::string& category) { c.short_string(category, kMaxCategoryLength); });
  for (auto& limit : r.expense_claim_limit_pence) c.num(limit);
  for (auto& limit : r.expense_month_limit_pence) c.num(limit);
  c.num(r.mileage_rate_pence);
  // Added with vetting, written only when not empty: an empty list is the
  // same bytes as a row written before vetting existed.
  if constexpr (C::decoding) {
    if (c.remaining() == 0) {
      r.vetted_categories.clear();
      r.clearing_limits.clear();
      return;
    }
  } else if (r.vetted_categories.empty() && r.clearing_limits.empty()) {
    return;
  }
  c.list(r.vetted_categories, kMaxCategories,
         [&](std::string& category) { c.short_string(category, kMaxCategoryLength); });
  // Added with trade limits between co-ops, the same way: a policy without
  // any has the bytes it had before, so the state digest agrees across versions.
  if constexpr (C::decoding) {
    if (c.remaining() == 0) {
      r.clearing_limits.clear();
      return;
    }
  } else if (r.clearing_limits.empty()) {
    return;
  }
  c.list(r.clearing_limits, kMaxClearingPeers, [&](ClearingLimits& limits) {
    c.fixed(limits.peer);
    for (ClearingFloor* floor : {&limits.ours, &limits.theirs}) {
      std::uint8_t limited = floor->limited ? 1 : 0;
      c.num(limited);
      c.num(floor->minutes);
      if constexpr (C::decoding) {
        if (limited > 1) throw codec::DecodeError{"bad flag"};
        floor->limited = limited == 1;
      }
    }
    c.fixed(limits.ours_entry);
    c.num(limits.ours_seq);
    c.num(limits.theirs_seq);
  });
}

template <typename C>
void layout(C& c, ExpenseState& r) {
  c.fixed(r.id);
  c.fixed(r.claimant);
  c.num(r.pence);
  c.fixed(r.currency);
  c.enumeration(r.category, 1, 5);
  c.num(r.date_days);
  c.num(r.miles);
  c.fixed(r.hours);
  c.fixed(r.receipt_digest);
  c.fixed(r.note_digest);
  c.enumeration(r.status, 1, 4);
  c.num(r.claimed_seq);
  c.fixed(r.decided_by);
  c.fixed(r.decided_by_key);
  c.fixed(r.reason_digest);
  c.fixed(r.paid_by);
  c.num(r.paid_date_days);
  c.fixed(r.reference_digest);
  c.fixed(r.signed_by);
}

template <typename C>
void layout(C& c, SigningKey& r) {
  c.fixed(r.key);
  c.fixed(r.member);
  c.enumeration(r.status, 1, 2);
  c.num(r.since_seq);
  c.num(r.retired_seq);
  c.num(r.retired_ms);
  c.fixed(r.replaced_by);
}

template <typename C>
void layout(C& c, VettingState& r) {
  c.fixed(r.id);
  c.fixed(r.volunteer);
  c.enumeration(r.kind, 1, kVettingKindCount);
  c.num(r.issued_days);
  c.num(r.expires_days);
  c.fixed(r.certificate_digest);
  c.fixed(r.checker);
  c.num(r.recorded_seq);
  std::uint8_t withdrawn = r.withdrawn;
  c.num(withdrawn);
  if constexpr (C::decoding) {
    if (withdrawn > 1) throw codec::DecodeError{"bad flag"};
    r.withdrawn = withdrawn == 1;
  }
  c.fixed(r.withdrawn_by);
  c.fixed(r.withdrawn_by_key);
  c.fixed(r.reason_digest);
}

template <typename C>
void layout(C& c, std::vector<VettingState>& r) {
  c.list(r, kMaxVettingsPerVolunteer, [&](VettingState& check) { layout(c, check); });
}

template <typename Row>
std::string encode_any(const Row& row) {
  Bytes out;
  {
    codec::Encoder encoder(out);
    layout(encoder, const_cast<Row&>(row));
  }
  return std::string(out.begin(), out.end());
}

template <typename Row>
Status decode_any(std::string_view bytes, Row* row) {
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    layout(decoder, *row);
    if (decoder.remaining() != 0) return Status(Code::corruption, "stored row has trailing bytes");
  } catch (...) {
    return Status(Code::corruption, "stored row does not decode");
  }
  return Status();
}

}  // namespace

std::string encode_row(const MemberInfo& row) {
  return encode_any(row);
}
std::string encode_row(const Balance& row) {
  return encode_any(row);
}
std::string encode_row(const Movement& row) {
  return encode_any(row);
}
std::string encode_row(const RespiteRequestState& row) {
  return encode_any(row);
}
std::string encode_row(const Posting& row) {
  return encode_any(row);
}
std::string encode_row(const Policy& row) {
  return encode_any(row);
}
Status decode_row(std::string_view b, MemberInfo* r) {
  return decode_any(b, r);
}
Status decode_row(std::string_view b, Balance* r) {
  return decode_any(b, r);
}
Status decode_row(std::string_view b, Movement* r) {
  return decode_any(b, r);
}
Status decode_row(std::string_view b, RespiteRequestState* r) {
  return decode_any(b, r);
}
Status decode_row(std::string_view b, Posting* r) {
  return decode_any(b, r);
}
Status decode_row(std::string_view b, Policy* r) {
  return decode_any(b, r);
}
std::string encode_row(const ExpenseState& row) {
  return encode_any(row);
}
Status decode_row(std::string_view b, ExpenseState* r) {
  return decode_any(b, r);
}
std::string encode_row(const SigningKey& row) {
  return encode_any(row);
}
Status decode_row(std::string_view b, SigningKey* r) {
  return decode_any(b, r);
}

std::string encode_row(const std::vector<VettingState>& row) {
  return encode_any(row);
}
Status decode_row(std::string_view b, std::vector<VettingState>* r) {
  return decode_any(b, r);
}
std::string vettings_row_key(const PublicKey& volunteer) {
  return std::string(1, '\x01') + key_of(volunteer);
}
std::string vetting_owner_key(const EntryId& record) {
  return std::string(1, '\x02') + key_of(record);
}

std::string signer_row_key(const PublicKey& key) {
  return std::string(1, '\x01') + key_of(key);
}
std::string current_key_row_key(const PublicKey& member) {
  return std::string(1, '\x02') + key_of(member);
}

std::string encode_rotations(std::span<const NodeSigner> rotations) {
  std::string out;
  for (const NodeSigner& r : rotations)
    out += key_of(r.key) + be64(r.after_size) + be64(static_cast<std::uint64_t>(r.since_ms));
  return out;
}

Result<std::vector<NodeSigner>> decode_rotations(std::string_view bytes) {
  constexpr std::size_t kRow = 32 + 8 + 8;
  if (bytes.empty() || bytes.size() % kRow != 0)
    return Status(Code::corruption, "the node's key rotations row is malformed");
  std::vector<NodeSigner> out;
  for (std::size_t at = 0; at < bytes.size(); at += kRow) {
    NodeSigner r;
    std::copy(bytes.begin() + at, bytes.begin() + at + 32, r.key.bytes.begin());
    r.after_size = read_be64(bytes.substr(at + 32, 8));
    r.since_ms = static_cast<std::int64_t>(read_be64(bytes.substr(at + 40, 8)));
    if (r.key.is_zero() || r.after_size == 0 || (!out.empty() && r.after_size <= out.back().after_size))
      return Status(Code::corruption, "the node's key rotations row is malformed");
    out.push_back(r);
  }
  return out;
}

Result<Currency> stored_currency(const Store& store) {
  std::string raw;
  Status status = store.get(Column::meta, meta_key::currency, &raw);
  if (!status.ok() && status.code() != Code::not_found) return status;
  if (status.ok())
    if (auto currency = Currency::parse(raw)) return *currency;
  return *Currency::parse("GBP");
}

std::int64_t Policy::floor_for_roles(std::uint32_t roles) const {
  std::int64_t floor = 0;
  bool any = false;
  for (std::size_t i = 0; i < role_floor_minutes.size(); ++i) {
    if (!(roles & (1u << i))) continue;
    floor = any ? std::min(floor, role_floor_minutes[i]) : role_floor_minutes[i];
    any = true;
  }
  return floor;
}

const ClearingLimits* Policy::clearing_with(const PublicKey& peer) const {
  for (const auto& limits : clearing_limits)
    if (limits.peer == peer) return &limits;
  return nullptr;
}

// Kept in key order, so the row's bytes depend only on what was set.
ClearingLimits& Policy::clearing_with_or_add(const PublicKey& peer) {
  auto at = std::lower_bound(clearing_limits.begin(), clearing_limits.end(), peer,
                             [](const ClearingLimits& limits, const PublicKey& key) { return limits.peer < key; });
  if (at != clearing_limits.end() && at->peer == peer) return *at;
  ClearingLimits fresh;
  fresh.peer = peer;
  return *clearing_limits.insert(at, fresh);
}

bool Policy::needs_vetting(std::string_view category) const {
  for (const auto& vetted : vetted_categories)
    if (vetted == category) return true;
  return false;
}

bool Policy::category_allowed(std::string_view category) const {
  for (const auto& allowed : categories)
    if (allowed == category) return true;
  return false;
}

Result<Hash32> digest_state(const Store& store) {
  Blake2bStream digest;
  const Column columns[] = {Column::balances, Column::members, Column::movements, Column::requests,
                            Column::expenses};
  auto feed = [&](std::string_view bytes) {
    std::string length = be64(bytes.size());
    digest.update(length);
    digest.update(bytes);
  };
  auto feed_column = [&](Column column) -> Status {
    feed(column_name(column));
    auto cursor = store.scan(column, "", "");
    for (; cursor->valid(); cursor->next()) {
      feed(cursor->key());
      feed(cursor->value());
    }
    return cursor->status();
  };
  for (Column column : columns)
    if (Status status = feed_column(column); !status.ok()) return status;
  // Signing keys only once a rekey made any: a log without rekeys keeps the
  // digest it had before the column existed, so nodes of either version
  // agree on it. The length-prefixed column name keeps the two inputs apart.
  {
    auto any = store.scan(Column::signers, "", "");
    if (Status status = any->status(); !status.ok()) return status;
    if (any->valid())
      if (Status status = feed_column(Column::signers); !status.ok()) return status;
  }
  std::string policy;
  Status status = store.get(Column::meta, meta_key::policy, &policy);
  if (!status.ok() && status.code() != Code::not_found) return status;
  feed("policy");
  feed(policy);
  return digest.finish();
}

}  // namespace cohours
