#include "authenticator.h"

#include "cohours/api/request_signature.h"

namespace cohours::api {

namespace {

std::optional<std::int64_t> parse_seconds(const std::string& text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  std::int64_t value = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    value = value * 10 + (ch - '0');
  }
  return value;
}

}  // namespace

Authenticator::Outcome Authenticator::authenticate(const ApiRequest& r,
                                                   const std::function<bool(const PublicKey&)>& is_member) {
  auto key = fixed_from_hex<PublicKey>(r.key);
  auto signature = fixed_from_hex<Signature>(r.signature);
  auto time = parse_seconds(r.time);
  if (!key || !signature || !time) return {Verdict::no_signature, {}};
  const std::int64_t now_ms = clock_.now_ms();
  const std::int64_t skew_ms = *time * 1000 - now_ms;
  if (skew_ms > options_.window_seconds * 1000 || -skew_ms > options_.window_seconds * 1000)
    return {Verdict::stale, {}};
  if (!verify_request(*key, *signature, r.method, r.target, *time, r.body))
    return {Verdict::bad_signature, {}};
  if (!is_member(*key)) return {Verdict::not_a_member, {}};
  std::lock_guard<std::mutex> lock(mutex_);
  forget_expired(now_ms);
  if (!take(per_key_, to_hex(*key), options_.requests_per_minute)) return {Verdict::rate_limited, {}};
  // Kept until the window in which its time is accepted has passed.
  auto [it, fresh] = seen_.emplace(to_hex(*signature), *time * 1000 + options_.window_seconds * 1000 + 1000);
  if (!fresh) return {Verdict::replayed, {}};
  return {Verdict::ok, *key};
}

void Authenticator::forget_expired(std::int64_t now_ms) {
  if (now_ms < next_sweep_ms_) return;
  for (auto it = seen_.begin(); it != seen_.end();)
    it = it->second < now_ms ? seen_.erase(it) : std::next(it);
  // Buckets that have refilled completely carry no information.
  for (auto* buckets : {&per_key_, &per_peer_})
    for (auto it = buckets->begin(); it != buckets->end();)
      it = now_ms - it->second.last_ms > 60'000 ? buckets->erase(it) : std::next(it);
  next_sweep_ms_ = now_ms + 10'000;
}

bool Authenticator::take(std::unordered_map<std::string, Allowance>& buckets, const std::string& who,
                         std::uint32_t per_minute) {
  const std::int64_t now_ms = clock_.now_ms();
  const std::int64_t full = std::int64_t{per_minute} * 1000;
  auto [it, fresh] = buckets.try_emplace(who, Allowance{full, now_ms});
  Allowance& a = it->second;
  if (!fresh && now_ms > a.last_ms) {
    // per_minute whole requests (x1000) every 60,000 ms.
    a.tokens_milli = std::min(full, a.tokens_milli + (now_ms - a.last_ms) * per_minute / 60);
    a.last_ms = now_ms;
  }
  if (a.tokens_milli < 1000) return false;
  a.tokens_milli -= 1000;
  return true;
}

bool Authenticator::allow_enrolment(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mutex_);
  forget_expired(clock_.now_ms());
  return take(per_peer_, peer, options_.enrolments_per_minute);
}

}  // namespace cohours::api
