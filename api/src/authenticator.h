// Who is asking: checks a signed request's headers (docs/api.md "Signed
// requests"), keeps the signatures seen inside the time window so none is
// used twice, and counts requests per key and enrolments per address.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cohours/api/client_api.h"
#include "cohours/clock.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::api {

class Authenticator {
 public:
  Authenticator(const Clock& clock, const ApiOptions& options) : clock_(clock), options_(options) {}

  enum class Verdict { ok, no_signature, stale, bad_signature, replayed, not_a_member, rate_limited };
  struct Outcome {
    Verdict verdict = Verdict::no_signature;
    PublicKey key;  // when ok
  };
  // Who signed the request, checked in this order: headers present and well
  // formed, time inside the window, signature verifies, the key is a member
  // (`is_member`), the key's allowance for this minute, and only then the
  // signature is recorded so it cannot be used again (a rate-limited or
  // refused request does not use up memory).
  Outcome authenticate(const ApiRequest& request, const std::function<bool(const PublicKey&)>& is_member);

  bool allow_enrolment(const std::string& peer);

 private:
  // A token bucket: `per_minute` requests, refilled continuously.
  struct Allowance {
    std::int64_t tokens_milli = 0;  // thousandths of a request, so refill stays integral
    std::int64_t last_ms = 0;
  };
  bool take(std::unordered_map<std::string, Allowance>& buckets, const std::string& who,
            std::uint32_t per_minute);
  void forget_expired(std::int64_t now_ms);

  const Clock& clock_;
  ApiOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> seen_;  // signature -> when it may be forgotten (ms)
  std::int64_t next_sweep_ms_ = 0;
  std::unordered_map<std::string, Allowance> per_key_;
  std::unordered_map<std::string, Allowance> per_peer_;
};

}  // namespace cohours::api
