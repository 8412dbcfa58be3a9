// Entries as the JSON of schemas/entry-vectors.json, both ways: the
// generator (make_entry_vectors.cpp) writes fields with entry_to_json, the
// pinned test (entry_vectors_test.cpp) reads them back with entry_from_json.
// The naming is documented in the file's "$comment" and in
// docs/data-format.md ("Test vectors"). Test code: throws on bad input.
#pragma once

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

#include "cohours/entry.h"

namespace cohours::test {

using Json = nlohmann::ordered_json;

namespace entry_json_detail {

template <typename T>
T fixed(const Json& value, const char* what) {
  auto parsed = fixed_from_hex<T>(value.get<std::string>());
  if (!parsed) throw std::runtime_error(std::string(what) + " is not lower-case hex of the right length");
  return *parsed;
}

inline constexpr const char* kPolicyTargets[] = {"",
                                                 "role_floor",
                                                 "pool_floor",
                                                 "max_entry_minutes",
                                                 "categories",
                                                 "pool_floor_none",
                                                 "expense_claim_limit",
                                                 "expense_month_limit",
                                                 "mileage_rate"};

inline std::string target_name(PolicyTarget target) {
  return kPolicyTargets[static_cast<std::size_t>(target)];
}
inline PolicyTarget parse_target(const std::string& name) {
  for (std::size_t i = 1; i < std::size(kPolicyTargets); ++i)
    if (name == kPolicyTargets[i]) return static_cast<PolicyTarget>(i);
  throw std::runtime_error("unknown policy target " + name);
}
inline std::string payer_name(Payer payer) {
  return payer == Payer::pool ? "pool" : "recipient";
}
inline Payer parse_payer(const std::string& name) {
  if (name == "pool") return Payer::pool;
  if (name == "recipient") return Payer::recipient;
  throw std::runtime_error("unknown payer " + name);
}
inline ExpenseCategory parse_expense(const std::string& name) {
  auto category = parse_expense_category(name);
  if (!category) throw std::runtime_error("unknown expense category " + name);
  return *category;
}

// One pair of functions per body, fields named and ordered as in entry.h.
inline Json body(const MemberJoin& b) {
  return {{"member", to_hex(b.member)}, {"roles", b.roles}, {"home_node", to_hex(b.home_node)}};
}
inline void read(const Json& j, MemberJoin& b) {
  b.member = fixed<PublicKey>(j.at("member"), "member");
  b.roles = j.at("roles").get<std::uint32_t>();
  b.home_node = fixed<PublicKey>(j.at("home_node"), "home_node");
}
inline Json body(const MemberRole& b) {
  return {{"member", to_hex(b.member)}, {"roles", b.roles}};
}
inline void read(const Json& j, MemberRole& b) {
  b.member = fixed<PublicKey>(j.at("member"), "member");
  b.roles = j.at("roles").get<std::uint32_t>();
}
inline Json body(const PolicySet& b) {
  Json settings = Json::array();
  for (const auto& s : b.settings)
    settings.push_back({{"target", target_name(s.target)},
                        {"subject", s.subject},
                        {"amount", s.amount},
                        {"categories", s.categories}});
  return {{"settings", settings}};
}
inline void read(const Json& j, PolicySet& b) {
  for (const auto& s : j.at("settings"))
    b.settings.push_back({parse_target(s.at("target").get<std::string>()),
                          s.at("subject").get<std::uint32_t>(), s.at("amount").get<std::int64_t>(),
                          s.at("categories").get<std::vector<std::string>>()});
}
inline Json body(const HoursLog& b) {
  return {{"recipient", to_hex(b.recipient)},
          {"payer", payer_name(b.payer)},
          {"minutes", b.minutes},
          {"category", b.category},
          {"date_days", b.date_days},
          {"note_digest", to_hex(b.note_digest)}};
}
inline void read(const Json& j, HoursLog& b) {
  b.recipient = fixed<PublicKey>(j.at("recipient"), "recipient");
  b.payer = parse_payer(j.at("payer").get<std::string>());
  b.minutes = j.at("minutes").get<std::int64_t>();
  b.category = j.at("category").get<std::string>();
  b.date_days = j.at("date_days").get<std::int32_t>();
  b.note_digest = fixed<Hash32>(j.at("note_digest"), "note_digest");
}
inline Json body(const HoursConfirm& b) {
  return {{"target", to_hex(b.target)}};
}
inline void read(const Json& j, HoursConfirm& b) {
  b.target = fixed<EntryId>(j.at("target"), "target");
}
inline Json body(const HoursVoid& b) {
  return {{"target", to_hex(b.target)}, {"reason_digest", to_hex(b.reason_digest)}};
}
inline void read(const Json& j, HoursVoid& b) {
  b.target = fixed<EntryId>(j.at("target"), "target");
  b.reason_digest = fixed<Hash32>(j.at("reason_digest"), "reason_digest");
}
inline Json body(const Transfer& b) {
  return {{"to", to_hex(b.to)}, {"minutes", b.minutes}, {"memo_digest", to_hex(b.memo_digest)}};
}
inline void read(const Json& j, Transfer& b) {
  b.to = fixed<PublicKey>(j.at("to"), "to");
  b.minutes = j.at("minutes").get<std::int64_t>();
  b.memo_digest = fixed<Hash32>(j.at("memo_digest"), "memo_digest");
}
inline Json body(const RespiteRequest& b) {
  return {{"minutes", b.minutes}, {"date_days", b.date_days}, {"note_digest", to_hex(b.note_digest)}};
}
inline void read(const Json& j, RespiteRequest& b) {
  b.minutes = j.at("minutes").get<std::int64_t>();
  b.date_days = j.at("date_days").get<std::int32_t>();
  b.note_digest = fixed<Hash32>(j.at("note_digest"), "note_digest");
}
inline Json body(const RespiteOffer& b) {
  return {{"request", to_hex(b.request)}};
}
inline void read(const Json& j, RespiteOffer& b) {
  b.request = fixed<EntryId>(j.at("request"), "request");
}
inline Json body(const RespiteCancel& b) {
  return {{"request", to_hex(b.request)}};
}
inline void read(const Json& j, RespiteCancel& b) {
  b.request = fixed<EntryId>(j.at("request"), "request");
}
inline Json body(const Reversal& b) {
  return {{"target", to_hex(b.target)}, {"reason_digest", to_hex(b.reason_digest)}};
}
inline void read(const Json& j, Reversal& b) {
  b.target = fixed<EntryId>(j.at("target"), "target");
  b.reason_digest = fixed<Hash32>(j.at("reason_digest"), "reason_digest");
}
inline Json body(const ExpenseClaim& b) {
  return {{"pence", b.pence},
          {"currency", b.currency.str()},
          {"category", expense_category_name(b.category)},
          {"date_days", b.date_days},
          {"miles", b.miles},
          {"hours", to_hex(b.hours)},
          {"receipt_digest", to_hex(b.receipt_digest)},
          {"note_digest", to_hex(b.note_digest)}};
}
inline void read(const Json& j, ExpenseClaim& b) {
  b.pence = j.at("pence").get<std::int64_t>();
  auto currency = Currency::parse(j.at("currency").get<std::string>());
  if (!currency) throw std::runtime_error("bad currency");
  b.currency = *currency;
  b.category = parse_expense(j.at("category").get<std::string>());
  b.date_days = j.at("date_days").get<std::int32_t>();
  b.miles = j.at("miles").get<std::uint32_t>();
  b.hours = fixed<EntryId>(j.at("hours"), "hours");
  b.receipt_digest = fixed<Hash32>(j.at("receipt_digest"), "receipt_digest");
  b.note_digest = fixed<Hash32>(j.at("note_digest"), "note_digest");
}
inline Json body(const ExpenseApprove& b) {
  return {{"claim", to_hex(b.claim)}, {"reason_digest", to_hex(b.reason_digest)}};
}
inline void read(const Json& j, ExpenseApprove& b) {
  b.claim = fixed<EntryId>(j.at("claim"), "claim");
  b.reason_digest = fixed<Hash32>(j.at("reason_digest"), "reason_digest");
}
inline Json body(const ExpenseReject& b) {
  return {{"claim", to_hex(b.claim)}, {"reason_digest", to_hex(b.reason_digest)}};
}
inline void read(const Json& j, ExpenseReject& b) {
  b.claim = fixed<EntryId>(j.at("claim"), "claim");
  b.reason_digest = fixed<Hash32>(j.at("reason_digest"), "reason_digest");
}
inline Json body(const ExpensePaid& b) {
  return {{"claim", to_hex(b.claim)},
          {"date_days", b.date_days},
          {"reference_digest", to_hex(b.reference_digest)}};
}
inline void read(const Json& j, ExpensePaid& b) {
  b.claim = fixed<EntryId>(j.at("claim"), "claim");
  b.date_days = j.at("date_days").get<std::int32_t>();
  b.reference_digest = fixed<Hash32>(j.at("reference_digest"), "reference_digest");
}
inline Json body(const TransferOut& b) {
  return {{"to", to_hex(b.to)},
          {"to_node", to_hex(b.to_node)},
          {"minutes", b.minutes},
          {"memo_digest", to_hex(b.memo_digest)}};
}
inline void read(const Json& j, TransferOut& b) {
  b.to = fixed<PublicKey>(j.at("to"), "to");
  b.to_node = fixed<PublicKey>(j.at("to_node"), "to_node");
  b.minutes = j.at("minutes").get<std::int64_t>();
  b.memo_digest = fixed<Hash32>(j.at("memo_digest"), "memo_digest");
}
inline Json body(const TransferIn& b) {
  return {{"from_node", to_hex(b.from_node)},
          {"origin", to_hex(b.origin)},
          {"to", to_hex(b.to)},
          {"minutes", b.minutes}};
}
inline void read(const Json& j, TransferIn& b) {
  b.from_node = fixed<PublicKey>(j.at("from_node"), "from_node");
  b.origin = fixed<EntryId>(j.at("origin"), "origin");
  b.to = fixed<PublicKey>(j.at("to"), "to");
  b.minutes = j.at("minutes").get<std::int64_t>();
}
inline Json body(const RemoteHoursLog& b) {
  return {
      {"provider", to_hex(b.provider)}, {"provider_node", to_hex(b.provider_node)}, {"hours", body(b.hours)}};
}
inline void read(const Json& j, RemoteHoursLog& b) {
  b.provider = fixed<PublicKey>(j.at("provider"), "provider");
  b.provider_node = fixed<PublicKey>(j.at("provider_node"), "provider_node");
  read(j.at("hours"), b.hours);
}

inline Json body(const MemberRekey& b) {
  return {{"member", to_hex(b.member)}, {"new_key", to_hex(b.new_key)}};
}
inline void read(const Json& j, MemberRekey& b) {
  b.member = fixed<PublicKey>(j.at("member"), "member");
  b.new_key = fixed<PublicKey>(j.at("new_key"), "new_key");
}

inline Json body(const NodeRotate& b) {
  return {{"new_key", to_hex(b.new_key)}, {"proof", to_hex(b.proof)}};
}
inline void read(const Json& j, NodeRotate& b) {
  b.new_key = fixed<PublicKey>(j.at("new_key"), "new_key");
  b.proof = fixed<Signature>(j.at("proof"), "proof");
}

inline Json body(const VettingRecord& b) {
  return {{"volunteer", to_hex(b.volunteer)},
          {"kind", vetting_kind_name(b.kind)},
          {"issued_days", b.issued_days},
          {"expires_days", b.expires_days},
          {"certificate_digest", to_hex(b.certificate_digest)}};
}
inline void read(const Json& j, VettingRecord& b) {
  b.volunteer = fixed<PublicKey>(j.at("volunteer"), "volunteer");
  auto kind = parse_vetting_kind(j.at("kind").get<std::string>());
  if (!kind) throw std::runtime_error("unknown vetting kind");
  b.kind = *kind;
  b.issued_days = j.at("issued_days").get<std::int32_t>();
  b.expires_days = j.at("expires_days").get<std::int32_t>();
  b.certificate_digest = fixed<Hash32>(j.at("certificate_digest"), "certificate_digest");
}

inline Json body(const VettingWithdraw& b) {
  return {{"record", to_hex(b.record)}, {"reason_digest", to_hex(b.reason_digest)}};
}
inline void read(const Json& j, VettingWithdraw& b) {
  b.record = fixed<EntryId>(j.at("record"), "record");
  b.reason_digest = fixed<Hash32>(j.at("reason_digest"), "reason_digest");
}

inline Json body(const GroupHours& b) {
  Json providers = Json::array(), recipients = Json::array();
  for (const auto& p : b.providers) providers.push_back({{"provider", to_hex(p.provider)}, {"minutes", p.minutes}});
  for (const auto& r : b.recipients) recipients.push_back(to_hex(r));
  return {{"providers", providers},
          {"recipients", recipients},
          {"payer", payer_name(b.payer)},
          {"category", b.category},
          {"date_days", b.date_days},
          {"note_digest", to_hex(b.note_digest)}};
}
inline void read(const Json& j, GroupHours& b) {
  for (const auto& p : j.at("providers"))
    b.providers.push_back({fixed<PublicKey>(p.at("provider"), "provider"), p.at("minutes").get<std::int64_t>()});
  for (const auto& r : j.at("recipients")) b.recipients.push_back(fixed<PublicKey>(r, "recipient"));
  b.payer = parse_payer(j.at("payer").get<std::string>());
  b.category = j.at("category").get<std::string>();
  b.date_days = j.at("date_days").get<std::int32_t>();
  b.note_digest = fixed<Hash32>(j.at("note_digest"), "note_digest");
}
inline Json body(const BalanceOpen& b) {
  return {{"member", to_hex(b.member)},
          {"minutes", b.minutes},
          {"source_digest", to_hex(b.source_digest)},
          {"source_row", b.source_row}};
}
inline void read(const Json& j, BalanceOpen& b) {
  b.member = fixed<PublicKey>(j.at("member"), "member");
  b.minutes = j.at("minutes").get<std::int64_t>();
  b.source_digest = fixed<Hash32>(j.at("source_digest"), "source_digest");
  b.source_row = j.at("source_row").get<std::uint32_t>();
}

// A clearing floor is two flat fields: limited (0 or 1) and floor_minutes.
inline void floor_fields(Json& j, const ClearingFloor& f) {
  j["limited"] = f.limited ? 1 : 0;
  j["floor_minutes"] = f.minutes;
}
inline ClearingFloor read_floor(const Json& j) {
  return {j.at("limited").get<int>() == 1, j.at("floor_minutes").get<std::int64_t>()};
}
inline Json body(const ClearingLimit& b) {
  Json j = {{"peer", to_hex(b.peer)}};
  floor_fields(j, b.floor);
  return j;
}
inline void read(const Json& j, ClearingLimit& b) {
  b.peer = fixed<PublicKey>(j.at("peer"), "peer");
  b.floor = read_floor(j);
}
inline Json body(const ClearingLimitPeer& b) {
  // u64 as a decimal string, as the nonce: more than a JavaScript number holds.
  Json j = {{"peer", to_hex(b.peer)}, {"origin", to_hex(b.origin)}, {"origin_seq", std::to_string(b.origin_seq)}};
  floor_fields(j, b.floor);
  return j;
}
inline void read(const Json& j, ClearingLimitPeer& b) {
  b.peer = fixed<PublicKey>(j.at("peer"), "peer");
  b.origin = fixed<EntryId>(j.at("origin"), "origin");
  b.origin_seq = std::stoull(j.at("origin_seq").get<std::string>());
  b.floor = read_floor(j);
}

// The body variant for a kind name ("hours.log"): index i is kind i + 1.
inline EntryBody empty_body(const std::string& kind) {
  for (std::size_t k = 1; k <= std::variant_size_v<EntryBody>; ++k)
    if (kind == kind_name(static_cast<EntryKind>(k))) {
      EntryBody out;
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((k - 1 == I ? (out = std::variant_alternative_t<I, EntryBody>{}, 0) : 0), ...);
      }
      (std::make_index_sequence<std::variant_size_v<EntryBody>>{});
      return out;
    }
  throw std::runtime_error("unknown kind " + kind);
}

}  // namespace entry_json_detail

// The fields of an entry, everything the signature covers.
inline Json entry_to_json(const Entry& entry) {
  return {{"version", entry.version},
          {"kind", kind_name(entry.kind())},
          {"node", to_hex(entry.node)},
          {"author", to_hex(entry.author)},
          {"on_behalf", to_hex(entry.on_behalf)},
          {"created_ms", entry.created_ms},
          {"nonce", std::to_string(entry.nonce)},  // u64: more than a JavaScript number holds
          {"body", std::visit([](const auto& b) { return entry_json_detail::body(b); }, entry.body)}};
}

inline Entry entry_from_json(const Json& j) {
  using namespace entry_json_detail;
  Entry entry;
  entry.version = j.at("version").get<std::uint16_t>();
  entry.node = fixed<PublicKey>(j.at("node"), "node");
  entry.author = fixed<PublicKey>(j.at("author"), "author");
  entry.on_behalf = fixed<PublicKey>(j.at("on_behalf"), "on_behalf");
  entry.created_ms = j.at("created_ms").get<std::int64_t>();
  const std::string nonce = j.at("nonce").get<std::string>();
  if (nonce.empty() || nonce.size() > 20 || nonce.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("nonce is not a decimal string");
  entry.nonce = std::stoull(nonce);
  entry.body = empty_body(j.at("kind").get<std::string>());
  std::visit([&](auto& b) { read(j.at("body"), b); }, entry.body);
  return entry;
}

}  // namespace cohours::test
