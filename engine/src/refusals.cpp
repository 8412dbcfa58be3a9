#include "refusals.h"

#include "codec.h"

namespace cohours {

namespace {

// Row: marker, the code's name (str8, stable where the enum's numbers are
// not), the message (blob32).
constexpr std::size_t kMaxRefusalMessage = 4096;

template <typename C>
void layout(C& c, std::string& code_name_text, Bytes& message) {
  c.short_string(code_name_text, 32);
  c.blob(message, kMaxRefusalMessage);
}

}  // namespace

Result<bool> remembers_refusal(const StateView& view, const SignedEntry& entry, Code code) {
  if (code == Code::ok || code == Code::wrong_node || code == Code::not_found || code == Code::io_error ||
      code == Code::corruption)
    return false;
  // The node key is never a member (member.join refuses it). A retired key
  // is refused for ever whatever it signs, so remembering its entries would
  // only let whoever found a lost phone fill the disk.
  auto signer = find_signer(view, entry.entry.author);
  if (!signer.ok()) return signer.status();
  return signer->has_value() && (*signer)->status == KeyStatus::current;
}

void put_refusal(StateView& view, const EntryId& id, const Refusal& refusal) {
  std::string name = code_name(refusal.code);
  const std::string& text = refusal.message;
  Bytes message(text.begin(), text.begin() + static_cast<long>(std::min(text.size(), kMaxRefusalMessage)));
  Bytes row;
  {
    codec::Encoder encoder(row);
    layout(encoder, name, message);
  }
  view.put(Column::refusals, key_of(id), std::string(row.begin(), row.end()));
}

Result<std::optional<Refusal>> load_refusal(const StateView& view, const EntryId& id) {
  std::string raw;
  Status status = view.get(Column::refusals, key_of(id), &raw);
  if (status.code() == Code::not_found) return std::optional<Refusal>();
  if (!status.ok()) return status;
  std::string name;
  Bytes message;
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    layout(decoder, name, message);
    if (decoder.remaining() != 0) throw codec::DecodeError{"trailing bytes"};
  } catch (...) {
    return Status(Code::corruption, "the refusal remembered for entry " + to_hex(id) + " is malformed");
  }
  auto code = code_from_name(name);
  if (!code || *code == Code::ok)
    return Status(Code::corruption,
                  "the refusal remembered for entry " + to_hex(id) + " has an unknown code");
  return std::optional<Refusal>(Refusal{*code, std::string(message.begin(), message.end())});
}

}  // namespace cohours
