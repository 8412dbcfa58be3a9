// Settings a co-op keeps for itself, off the signed log: they change no
// balance and no rule, so no entry carries them. The first is the
// replacement rate the period report values volunteer hours at
// (docs/social-value.md). Stored unprefixed in the node-level part of the
// `meta` column; never touched by reindex, not copied by sync.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

// What one hour of care would cost the council or a family if bought in,
// as the co-op's board chose it: a whole number of pence per hour, where
// the figure comes from and the day it applies from.
struct SocialValueRate {
  std::int64_t pence_per_hour = 0;  // 1 .. kMaxSocialValueRatePence
  std::string source;               // 1 .. 200 bytes of UTF-8, e.g. "Kent County Council homecare rate 2026/27"
  std::int32_t date_days = 0;       // the day the rate is dated (published, or in force from)
  PublicKey set_by;                 // the admin who set it
  std::int64_t set_ms = 0;          // when, by the node's clock
};
inline constexpr std::int64_t kMaxSocialValueRatePence = 100'000;  // £1000 an hour: a typo above it
inline constexpr std::size_t kMaxSocialValueSourceBytes = 200;

// Thread-safe as the Store is. Writes are synced.
class NodeSettings {
 public:
  explicit NodeSettings(Store& store) : store_(store) {}

  // nullopt while none is set; corruption for a row that does not decode.
  Result<std::optional<SocialValueRate>> social_value_rate() const;
  // Replaces the rate. bad_amount for a rate out of range; malformed for an
  // empty source, one over 200 bytes or not UTF-8.
  Status set_social_value_rate(const SocialValueRate& rate);
  // Removes it (the report then says how to set one). Idempotent.
  Status clear_social_value_rate();

 private:
  Store& store_;
};

}  // namespace cohours
