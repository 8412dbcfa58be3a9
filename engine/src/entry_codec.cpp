// Canonical entry bytes. The layout functions below are the single source
// of the byte order documented in docs/data-format.md.
#include <algorithm>

#include "codec.h"
#include "cohours/crypto.h"
#include "cohours/entry.h"

namespace cohours {

namespace {

template <typename C>
void layout(C& c, MemberJoin& b) {
  c.fixed(b.member);
  c.num(b.roles);
  c.fixed(b.home_node);
}
template <typename C>
void layout(C& c, MemberRole& b) {
  c.fixed(b.member);
  c.num(b.roles);
}
template <typename C>
void layout(C& c, PolicySetting& b) {
  c.enumeration(b.target, 1, 9);
  c.num(b.subject);
  c.num(b.amount);
  c.list(b.categories, kMaxCategories,
         [&](std::string& category) { c.short_string(category, kMaxCategoryLength); });
}
template <typename C>
void layout(C& c, PolicySet& b) {
  c.list(b.settings, kMaxPolicySettings, [&](PolicySetting& setting) { layout(c, setting); });
}
template <typename C>
void layout(C& c, HoursLog& b) {
  c.fixed(b.recipient);
  c.enumeration(b.payer, 0, 1);
  c.num(b.minutes);
  c.short_string(b.category, kMaxCategoryLength);
  c.num(b.date_days);
  c.fixed(b.note_digest);
}
template <typename C>
void layout(C& c, HoursConfirm& b) {
  c.fixed(b.target);
}
template <typename C>
void layout(C& c, HoursVoid& b) {
  c.fixed(b.target);
  c.fixed(b.reason_digest);
}
template <typename C>
void layout(C& c, Transfer& b) {
  c.fixed(b.to);
  c.num(b.minutes);
  c.fixed(b.memo_digest);
}
template <typename C>
void layout(C& c, RespiteRequest& b) {
  c.num(b.minutes);
  c.num(b.date_days);
  c.fixed(b.note_digest);
}
template <typename C>
void layout(C& c, RespiteOffer& b) {
  c.fixed(b.request);
}
template <typename C>
void layout(C& c, RespiteCancel& b) {
  c.fixed(b.request);
}
template <typename C>
void layout(C& c, Reversal& b) {
  c.fixed(b.target);
  c.fixed(b.reason_digest);
}

template <typename C>
void layout(C& c, ExpenseClaim& b) {
  c.num(b.pence);
  c.fixed(b.currency);
  c.enumeration(b.category, 1, 5);
  c.num(b.date_days);
  c.num(b.miles);
  c.fixed(b.hours);
  c.fixed(b.receipt_digest);
  c.fixed(b.note_digest);
}
template <typename C>
void layout(C& c, ExpenseApprove& b) {
  c.fixed(b.claim);
  c.fixed(b.reason_digest);
}
template <typename C>
void layout(C& c, ExpenseReject& b) {
  c.fixed(b.claim);
  c.fixed(b.reason_digest);
}
template <typename C>
void layout(C& c, ExpensePaid& b) {
  c.fixed(b.claim);
  c.num(b.date_days);
  c.fixed(b.reference_digest);
}

template <typename C>
void layout(C& c, TransferOut& b) {
  c.fixed(b.to);
  c.fixed(b.to_node);
  c.num(b.minutes);
  c.fixed(b.memo_digest);
}
template <typename C>
void layout(C& c, TransferIn& b) {
  c.fixed(b.from_node);
  c.fixed(b.origin);
  c.fixed(b.to);
  c.num(b.minutes);
}

template <typename C>
void layout(C& c, RemoteHoursLog& b) {
  c.fixed(b.provider);
  c.fixed(b.provider_node);
  layout(c, b.hours);
}

template <typename C>
void layout(C& c, MemberRekey& b) {
  c.fixed(b.member);
  c.fixed(b.new_key);
}

template <typename C>
void layout(C& c, NodeRotate& b) {
  c.fixed(b.new_key);
  c.fixed(b.proof);
}

template <typename C>
void layout(C& c, VettingRecord& b) {
  c.fixed(b.volunteer);
  c.enumeration(b.kind, 1, kVettingKindCount);
  c.num(b.issued_days);
  c.num(b.expires_days);
  c.fixed(b.certificate_digest);
}

template <typename C>
void layout(C& c, VettingWithdraw& b) {
  c.fixed(b.record);
  c.fixed(b.reason_digest);
}

template <typename C>
void layout(C& c, GroupProvider& b) {
  c.fixed(b.provider);
  c.num(b.minutes);
}

template <typename C>
void layout(C& c, GroupHours& b) {
  c.list(b.providers, kMaxGroupProviders, [&](GroupProvider& provider) { layout(c, provider); });
  c.list(b.recipients, kMaxGroupRecipients, [&](PublicKey& recipient) { c.fixed(recipient); });
  c.enumeration(b.payer, 0, 1);
  c.short_string(b.category, kMaxCategoryLength);
  c.num(b.date_days);
  c.fixed(b.note_digest);
}

template <typename C>
void layout(C& c, BalanceOpen& b) {
  c.fixed(b.member);
  c.num(b.minutes);
  c.fixed(b.source_digest);
  c.num(b.source_row);
}

// No limit is a zero flag and zero minutes: one encoding per value.
template <typename C>
void layout(C& c, ClearingFloor& b) {
  std::uint8_t limited = b.limited ? 1 : 0;
  c.num(limited);
  c.num(b.minutes);
  if constexpr (C::decoding) {
    if (limited > 1) throw codec::DecodeError{"clearing limit flag is not 0 or 1"};
    b.limited = limited == 1;
  }
}

template <typename C>
void layout(C& c, ClearingLimit& b) {
  c.fixed(b.peer);
  layout(c, b.floor);
}

template <typename C>
void layout(C& c, ClearingLimitPeer& b) {
  c.fixed(b.peer);
  c.fixed(b.origin);
  c.num(b.origin_seq);
  layout(c, b.floor);
}

// Variant index i holds kind i + 1: the body types are listed in kind order.
EntryBody body_for_kind(EntryKind kind) {
  EntryBody body;
  auto index = static_cast<std::size_t>(kind) - 1;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((index == I ? (body = std::variant_alternative_t<I, EntryBody>{}, 0) : 0), ...);
  }
  (std::make_index_sequence<std::variant_size_v<EntryBody>>{});
  return body;
}

template <typename C>
void layout(C& c, Entry& e) {
  c.num(e.version);
  EntryKind kind = e.kind();
  c.enumeration(kind, 1, static_cast<std::uint8_t>(std::variant_size_v<EntryBody>));
  if constexpr (C::decoding) {
    if (e.version != kEntryFormatVersion)
      throw codec::DecodeError{"entry format version " + std::to_string(e.version) +
                               " is not supported; this node reads version " +
                               std::to_string(kEntryFormatVersion) + " only (sign the entry again)"};
    e.body = body_for_kind(kind);
  }
  c.fixed(e.node);
  c.fixed(e.author);
  c.fixed(e.on_behalf);
  c.num(e.created_ms);
  c.num(e.nonce);
  std::visit([&](auto& body) { layout(c, body); }, e.body);
}

constexpr const char* kKindNames[] = {"",
                                      "member.join",
                                      "member.role",
                                      "policy.set",
                                      "hours.log",
                                      "hours.confirm",
                                      "hours.void",
                                      "transfer",
                                      "respite.request",
                                      "respite.offer",
                                      "respite.cancel",
                                      "reversal",
                                      "expense.claim",
                                      "expense.approve",
                                      "expense.reject",
                                      "expense.paid",
                                      "transfer.out",
                                      "transfer.in",
                                      "hours.log.remote",
                                      "member.rekey",
                                      "node.rotate",
                                      "vetting.record",
                                      "vetting.withdraw",
                                      "hours.group",
                                      "balance.open",
                                      "clearing.limit",
                                      "clearing.limit.peer"};

constexpr const char* kVettingKindNames[] = {"",           "dbs-basic", "dbs-standard", "dbs-enhanced",
                                             "dbs-enhanced-barred", "pvg", "access-ni", "other"};

constexpr const char* kExpenseCategoryNames[] = {"", "travel", "childcare", "meals", "uniform", "other"};

constexpr const char* kRoleNames[] = {"volunteer",   "carer", "service-user", "staff",
                                      "coordinator", "admin", "auditor"};

}  // namespace

EntryKind kind_of(const EntryBody& body) {
  return static_cast<EntryKind>(body.index() + 1);
}

const char* kind_name(EntryKind kind) {
  auto index = static_cast<std::size_t>(kind);
  return index < std::size(kKindNames) ? kKindNames[index] : "unknown";
}

const char* role_name(Role role) {
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i)
    if (role == (1u << i)) return kRoleNames[i];
  return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i)
    if (name == kRoleNames[i]) return static_cast<Role>(1u << i);
  return std::nullopt;
}

std::string roles_to_string(std::uint32_t roles) {
  std::string out;
  for (std::size_t i = 0; i < std::size(kRoleNames); ++i) {
    if (!(roles & (1u << i))) continue;
    if (!out.empty()) out += ',';
    out += kRoleNames[i];
  }
  return out;
}

const char* expense_category_name(ExpenseCategory category) {
  auto index = static_cast<std::size_t>(category);
  return index < std::size(kExpenseCategoryNames) ? kExpenseCategoryNames[index] : "unknown";
}

const char* vetting_kind_name(VettingKind kind) {
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(kVettingKindNames) ? kVettingKindNames[index] : "unknown";
}

std::optional<VettingKind> parse_vetting_kind(std::string_view name) {
  for (std::size_t i = 1; i < std::size(kVettingKindNames); ++i)
    if (name == kVettingKindNames[i]) return static_cast<VettingKind>(i);
  return std::nullopt;
}

std::optional<ExpenseCategory> parse_expense_category(std::string_view name) {
  for (std::size_t i = 1; i < std::size(kExpenseCategoryNames); ++i)
    if (name == kExpenseCategoryNames[i]) return static_cast<ExpenseCategory>(i);
  return std::nullopt;
}

std::optional<Currency> Currency::parse(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  Currency out;
  for (std::size_t i = 0; i < 3; ++i) {
    if (code[i] < 'A' || code[i] > 'Z') return std::nullopt;
    out.bytes[i] = static_cast<std::uint8_t>(code[i]);
  }
  return out;
}

bool valid_category(std::string_view category) {
  if (category.empty() || category.size() > kMaxCategoryLength) return false;
  for (char ch : category)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return false;
  return true;
}

Bytes encode_unsigned(const Entry& entry) {
  Bytes out;
  out.reserve(256);
  {
    codec::Encoder encoder(out);
    layout(encoder, const_cast<Entry&>(entry));  // Encoder only reads
  }
  return out;
}

EntryId entry_id_of(std::span<const std::uint8_t> signed_bytes) {
  return blake2b_256(signed_bytes);
}

SignedEntry sign_entry(const Entry& entry, const SecretKey& secret) {
  SignedEntry out;
  out.entry = entry;
  out.bytes = encode_unsigned(entry);
  out.signature = sign(out.bytes, secret);
  out.bytes.insert(out.bytes.end(), out.signature.bytes.begin(), out.signature.bytes.end());
  out.id = entry_id_of(out.bytes);
  return out;
}

Result<SignedEntry> decode_entry(std::span<const std::uint8_t> signed_bytes) {
  if (signed_bytes.size() > kMaxEntryBytes)
    return Status(Code::malformed, "entry is " + std::to_string(signed_bytes.size()) +
                                       " bytes, over the limit of " + std::to_string(kMaxEntryBytes));
  if (signed_bytes.size() <= Signature::size())
    return Status(Code::malformed, "entry is too short to hold a signature");
  const std::size_t unsigned_size = signed_bytes.size() - Signature::size();
  SignedEntry out;
  try {
    codec::Decoder decoder(signed_bytes.data(), unsigned_size);
    layout(decoder, out.entry);
    if (decoder.remaining() != 0)
      return Status(Code::malformed,
                    "entry has " + std::to_string(decoder.remaining()) + " unexpected trailing bytes");
  } catch (const codec::DecodeError& e) {
    return Status(Code::malformed, "malformed entry: " + e.what);
  } catch (const std::exception& e) {
    return Status(Code::malformed, std::string("malformed entry: truncated or corrupt (") + e.what() + ")");
  }
  if (auto* claim = std::get_if<ExpenseClaim>(&out.entry.body);
      claim && !Currency::parse(claim->currency.str()))
    return Status(Code::malformed, "malformed entry: currency is not three upper-case letters");
  if (auto* log = std::get_if<HoursLog>(&out.entry.body); log && !valid_category(log->category))
    return Status(Code::malformed, "malformed entry: category is not 1-32 of [a-z0-9-]");
  if (auto* group = std::get_if<GroupHours>(&out.entry.body); group && !valid_category(group->category))
    return Status(Code::malformed, "malformed entry: category is not 1-32 of [a-z0-9-]");
  if (auto* policy = std::get_if<PolicySet>(&out.entry.body))
    for (const auto& setting : policy->settings)
      for (const auto& category : setting.categories)
        if (!valid_category(category))
          return Status(Code::malformed, "malformed entry: category is not 1-32 of [a-z0-9-]");
  // Strictness: only the canonical encoding of a value is accepted, so an
  // entry has exactly one id.
  Bytes canonical = encode_unsigned(out.entry);
  if (canonical.size() != unsigned_size ||
      !std::equal(canonical.begin(), canonical.end(), signed_bytes.begin()))
    return Status(Code::malformed, "entry bytes are not in canonical form");
  std::copy(signed_bytes.end() - Signature::size(), signed_bytes.end(), out.signature.bytes.begin());
  out.bytes.assign(signed_bytes.begin(), signed_bytes.end());
  out.id = entry_id_of(out.bytes);
  return out;
}

std::size_t group_leg_count(const GroupHours& group) {
  return group.providers.size() * std::max<std::size_t>(group.recipients.size(), 1);
}

std::int64_t group_leg_minutes(const GroupHours& group, std::size_t r, std::size_t p) {
  const auto recipients = static_cast<std::int64_t>(group.recipients.size());
  if (recipients == 0) return group.providers[p].minutes;
  // Where this provider's left-over minutes start: after the previous ones'.
  std::int64_t start = 0;
  for (std::size_t q = 0; q < p; ++q) start = (start + group.providers[q].minutes % recipients) % recipients;
  const std::int64_t minutes = group.providers[p].minutes;
  const std::int64_t extra = minutes % recipients;
  const std::int64_t offset = (static_cast<std::int64_t>(r) - start + recipients) % recipients;
  return minutes / recipients + (offset < extra ? 1 : 0);
}

EntryId group_leg_id(const EntryId& group, std::uint16_t leg) {
  constexpr std::string_view kDomain = "cohours-group-leg-v1";
  Bytes message(kDomain.begin(), kDomain.end());
  message.insert(message.end(), group.bytes.begin(), group.bytes.end());
  message.push_back(static_cast<std::uint8_t>(leg >> 8));
  message.push_back(static_cast<std::uint8_t>(leg & 0xff));
  return blake2b_256(message);
}

bool verify_signature(const SignedEntry& entry) {
  return verify(entry.signature, std::span(entry.bytes.data(), entry.bytes.size() - Signature::size()),
                entry.entry.author);
}

Bytes rotation_proof_message(const PublicKey& log, const PublicKey& outgoing, const PublicKey& new_key) {
  constexpr std::string_view kDomain = "cohours-node-rotate-v1";
  Bytes message(kDomain.begin(), kDomain.end());
  for (const PublicKey* key : {&log, &outgoing, &new_key})
    message.insert(message.end(), key->bytes.begin(), key->bytes.end());
  return message;
}

std::optional<PublicKey> rotation_to(const SignedEntry& entry, const PublicKey& log, const PublicKey& current) {
  const auto* rotate = std::get_if<NodeRotate>(&entry.entry.body);
  if (!rotate || entry.entry.node != log || entry.entry.author != current || !entry.entry.on_behalf.is_zero() ||
      rotate->new_key.is_zero() || rotate->new_key == current)
    return std::nullopt;
  if (!verify(rotate->proof, rotation_proof_message(log, current, rotate->new_key), rotate->new_key))
    return std::nullopt;
  return rotate->new_key;
}

Result<std::vector<PublicKey>> follow_rotations(const PublicKey& log, std::span<const Bytes> rotations) {
  std::vector<PublicKey> chain{log};
  for (std::size_t i = 0; i < rotations.size(); ++i) {
    const std::string which = "key rotation " + std::to_string(i + 1);
    auto entry = decode_entry(rotations[i]);
    if (!entry.ok()) return Status(Code::malformed, which + " does not decode: " + entry.status().message());
    if (!verify_signature(entry.value())) return Status(Code::bad_signature, which + " has a bad signature");
    auto next = rotation_to(entry.value(), log, chain.back());
    if (!next) return Status(Code::not_permitted, which + " is not a rotation signed by the key before it");
    chain.push_back(*next);
  }
  return chain;
}

ChainFit chain_fit(std::span<const PublicKey> held, std::span<const PublicKey> shown) {
  const std::size_t common = std::min(held.size(), shown.size());
  if (!std::equal(held.begin(), held.begin() + common, shown.begin())) return ChainFit::forked;
  return held.size() > shown.size() ? ChainFit::retired : ChainFit::extends;
}

}  // namespace cohours
