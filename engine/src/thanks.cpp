#include "cohours/thanks.h"

#include "codec.h"
#include "cohours/crypto.h"
#include "cohours/text.h"
#include "state.h"

namespace cohours {

namespace {

// "thanks:" + volunteer + id: one volunteer's thank-yous are one range.
// Keys hold keys and derived ids only, never text (directory.cpp says why).
constexpr std::string_view kThanksFrom = "thanks:";
constexpr std::string_view kThanksTo = "thanks;";

std::string thanks_row_key(const PublicKey& volunteer, const ThanksId& id) {
  std::string key(kThanksFrom);
  key += key_of(volunteer);
  key.append(reinterpret_cast<const char*>(id.data()), ThanksId::size());
  return key;
}

template <typename C>
void thanks_layout(C& c, ThankYou& t, Bytes& text) {
  std::uint8_t version = 1;
  c.num(version);
  if constexpr (C::decoding) {
    if (version != 1) throw codec::DecodeError{"unknown thank-you row version"};
  }
  c.fixed(t.id);
  c.fixed(t.movement);
  c.fixed(t.sender);
  c.fixed(t.volunteer);
  c.num(t.sent_ms);
  c.blob(text, kMaxThanksBytes);
}

std::string encode_thanks(const ThankYou& thanks) {
  ThankYou copy = thanks;
  Bytes text(thanks.text.begin(), thanks.text.end());
  Bytes row;
  {
    codec::Encoder encoder(row);
    thanks_layout(encoder, copy, text);
  }
  return std::string(row.begin(), row.end());
}

std::optional<ThankYou> decode_thanks(std::string_view raw) {
  ThankYou thanks;
  Bytes text;
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    thanks_layout(decoder, thanks, text);
    if (decoder.remaining() != 0) return std::nullopt;
  } catch (...) {
    return std::nullopt;
  }
  thanks.text.assign(text.begin(), text.end());
  return thanks;
}

}  // namespace

ThanksId thanks_id(const EntryId& movement, const PublicKey& sender) {
  std::string input = "cohours thanks v1";
  input.append(reinterpret_cast<const char*>(movement.data()), EntryId::size());
  input.append(reinterpret_cast<const char*>(sender.data()), PublicKey::size());
  const Hash32 digest = blake2b_256(std::string_view(input));
  ThanksId id;
  std::copy(digest.bytes.begin(), digest.bytes.begin() + ThanksId::size(), id.bytes.begin());
  return id;
}

Result<std::vector<ThankYou>> ThanksBook::scan(std::string_view from, std::string_view to) const {
  std::vector<ThankYou> out;
  auto cursor = store_.scan(Column::directory, from, to);
  for (; cursor->valid(); cursor->next()) {
    auto thanks = decode_thanks(cursor->value());
    if (!thanks) return Status(Code::corruption, "a stored thank-you is malformed");
    out.push_back(std::move(*thanks));
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  std::stable_sort(out.begin(), out.end(),
                   [](const ThankYou& a, const ThankYou& b) { return a.sent_ms < b.sent_ms; });
  return out;
}

Status ThanksBook::put(const ThankYou& thanks) {
  auto characters = utf8_characters(thanks.text);
  if (!characters) return Status(Code::malformed, "a thank-you must be UTF-8 text");
  if (*characters == 0) return Status(Code::malformed, "a thank-you needs some words: it is empty");
  if (*characters > kMaxThanksCharacters)
    return Status(Code::malformed, "a thank-you is limited to " + std::to_string(kMaxThanksCharacters) +
                                       " characters (this one has " + std::to_string(*characters) +
                                       "); say it more briefly");
  std::string existing;
  const std::string key = thanks_row_key(thanks.volunteer, thanks.id);
  Status held = store_.get(Column::directory, key, &existing);
  if (held.ok())
    return Status(Code::already_exists,
                  "you have thanked them for this help already (erase that thank-you to send another)");
  if (held.code() != Code::not_found) return held;
  std::string from(kThanksFrom);
  from += key_of(thanks.volunteer);
  const std::string to = from + std::string(ThanksId::size() + 1, '\xff');  // past every id
  std::size_t kept = 0;
  auto cursor = store_.scan(Column::directory, from, to);
  for (; cursor->valid(); cursor->next()) ++kept;
  if (Status s = cursor->status(); !s.ok()) return s;
  if (kept >= kMaxThanksKept)
    return Status(Code::limit_reached, "this volunteer keeps " + std::to_string(kMaxThanksKept) +
                                           " thank-yous already; they can erase old ones to receive more");
  WriteBatch batch;
  batch.put(Column::directory, key, encode_thanks(thanks));
  return store_.write(batch, Durability::synced);
}

Result<std::vector<ThankYou>> ThanksBook::received(const PublicKey& volunteer) const {
  std::string from(kThanksFrom);
  from += key_of(volunteer);
  const std::string to = from + std::string(ThanksId::size() + 1, '\xff');  // past every id
  return scan(from, to);
}

Result<std::vector<ThankYou>> ThanksBook::sent(const PublicKey& sender) const {
  auto all = scan(kThanksFrom, kThanksTo);
  if (!all.ok()) return all.status();
  std::vector<ThankYou> out;
  for (auto& thanks : all.value())
    if (thanks.sender == sender) out.push_back(std::move(thanks));
  return out;
}

Result<ThankYou> ThanksBook::find(const ThanksId& id) const {
  auto all = scan(kThanksFrom, kThanksTo);
  if (!all.ok()) return all.status();
  for (auto& thanks : all.value())
    if (thanks.id == id) return std::move(thanks);
  return Status(Code::not_found, "no thank-you " + to_hex(id) + " (see `cohours thanks list`)");
}

Status ThanksBook::erase(const ThankYou& thanks) {
  WriteBatch batch;
  batch.erase(Column::directory, thanks_row_key(thanks.volunteer, thanks.id));
  return store_.write(batch, Durability::synced);
}

Result<std::size_t> ThanksBook::erase_member(const PublicKey& member) {
  auto all = scan(kThanksFrom, kThanksTo);
  if (!all.ok()) return all.status();
  WriteBatch batch;
  std::size_t erased = 0;
  for (const auto& thanks : all.value()) {
    if (thanks.sender != member && thanks.volunteer != member) continue;
    batch.erase(Column::directory, thanks_row_key(thanks.volunteer, thanks.id));
    ++erased;
  }
  if (batch.empty()) return erased;
  if (Status s = store_.write(batch, Durability::synced); !s.ok()) return s;
  return erased;
}

}  // namespace cohours
