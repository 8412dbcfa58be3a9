#include "cohours/node_settings.h"

#include "codec.h"
#include "cohours/text.h"

namespace cohours {

namespace {

// Unprefixed, so no log's meta rows (32-byte node key first) share it.
constexpr std::string_view kSocialValueKey = "setting:social_value_rate";

template <typename C>
void rate_layout(C& c, SocialValueRate& r) {
  std::uint8_t version = 1;
  c.num(version);
  if constexpr (C::decoding) {
    if (version != 1) throw codec::DecodeError{"unknown settings row version"};
  }
  c.num(r.pence_per_hour);
  c.num(r.date_days);
  c.short_string(r.source, kMaxSocialValueSourceBytes);
  c.fixed(r.set_by);
  c.num(r.set_ms);
}

}  // namespace

Result<std::optional<SocialValueRate>> NodeSettings::social_value_rate() const {
  std::string raw;
  Status status = store_.get(Column::meta, kSocialValueKey, &raw);
  if (status.code() == Code::not_found) return std::optional<SocialValueRate>();
  if (!status.ok()) return status;
  SocialValueRate rate;
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    rate_layout(decoder, rate);
    if (decoder.remaining() != 0) throw codec::DecodeError{"trailing bytes"};
  } catch (...) {
    return Status(Code::corruption, "the stored social value rate is malformed; set it again");
  }
  return std::optional<SocialValueRate>(rate);
}

Status NodeSettings::set_social_value_rate(const SocialValueRate& rate) {
  if (rate.pence_per_hour < 1 || rate.pence_per_hour > kMaxSocialValueRatePence)
    return Status(Code::bad_amount, "a replacement rate is 1 to " + std::to_string(kMaxSocialValueRatePence) +
                                        " pence an hour (1600 is 16.00 an hour), not " +
                                        std::to_string(rate.pence_per_hour));
  if (rate.source.empty())
    return Status(Code::malformed, "say where the rate comes from, e.g. \"Kent County Council homecare rate 2026/27\"");
  if (!utf8_characters(rate.source)) return Status(Code::malformed, "the rate's source is not UTF-8 text");
  if (rate.source.size() > kMaxSocialValueSourceBytes)
    return Status(Code::malformed, "the rate's source is limited to " + std::to_string(kMaxSocialValueSourceBytes) +
                                       " bytes (this one takes " + std::to_string(rate.source.size()) + ")");
  Bytes row;
  {
    codec::Encoder encoder(row);
    SocialValueRate copy = rate;
    rate_layout(encoder, copy);
  }
  WriteBatch batch;
  batch.put(Column::meta, kSocialValueKey, std::string(row.begin(), row.end()));
  return store_.write(batch, Durability::synced);
}

Status NodeSettings::clear_social_value_rate() {
  WriteBatch batch;
  batch.erase(Column::meta, kSocialValueKey);
  return store_.write(batch, Durability::synced);
}

}  // namespace cohours
