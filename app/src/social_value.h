// The social value figures counted from plain lists, so they can be tested
// and fed without a node. Help comes in as HelpGiven, one per provider per
// piece of help: a single hours or respite movement gives one with at most
// one recipient; a group session (one entry, several providers and
// recipients) is meant to give one per provider listing every recipient,
// so a provider's time is counted once and each person helped once.
// reports.cpp builds the list (help_from_movements); that is the hook.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cohours/app/social_value.h"
#include "cohours/ledger.h"

namespace cohours::app {

struct HelpGiven {
  PublicKey provider;
  std::int64_t minutes = 0;  // the provider's time, once
  std::int32_t date_days = 0;  // the day the help was given
  bool respite = false;        // respite for a carer (the recipient)
  std::vector<PublicKey> recipients;  // none for community work
};

// A volunteer and the day their member.join was recorded.
struct VolunteerJoined {
  PublicKey member;
  std::int32_t joined_days = 0;
};

// Confirmed (posted) hours and respite, any day; transfers are not help.
std::vector<HelpGiven> help_from_movements(const std::vector<Movement>& movements);

// Days counted as three months, and the window of "stayed active".
inline constexpr std::int32_t kRetentionDays = 90;
inline constexpr std::int32_t kRetentionWindowDays = 30;

// Every figure but the rate's own fields; value_pence from `rate` if set.
SocialValueSection count_social_value(const std::vector<HelpGiven>& help,
                                      const std::vector<VolunteerJoined>& volunteers, std::int32_t from,
                                      std::int32_t to, std::optional<std::int64_t> rate_pence_per_hour);

// minutes * rate / 60, rounded down to a whole penny.
std::int64_t value_of_minutes(std::int64_t minutes, std::int64_t pence_per_hour);

}  // namespace cohours::app
