#include "social_value.h"

#include <algorithm>
#include <map>
#include <set>

#include "cohours/app/names.h"
#include "cohours/node_settings.h"
#include "try.h"

namespace cohours::app {

namespace {

SocialValueRateView rate_view(Node& node, const std::optional<SocialValueRate>& rate) {
  SocialValueRateView view;
  view.currency = node.ledger().currency().str();
  if (!rate) return view;
  view.set = true;
  view.pence_per_hour = rate->pence_per_hour;
  view.source = rate->source;
  view.date_days = rate->date_days;
  view.set_by = member_name(node, rate->set_by);
  view.set_ms = rate->set_ms;
  return view;
}

}  // namespace

Result<SocialValueRateView> set_social_value_rate(Node& node, const SetSocialValueRate& r) {
  TRY_ASSIGN(MemberInfo admin, member_named(node, r.as));
  if (!(admin.roles & role_admin))
    return Status(Code::not_permitted, member_name(node, admin.key) +
                                           " is not an admin here: an admin sets the replacement rate");
  // Any real calendar day of the report's range (dates.h) will do: the
  // rate is dated by the board's source, which may be years old.
  if (r.date_days < 0 || r.date_days > days_from_ms(node.clock().now_ms()) + 366)
    return Status(Code::bad_date, "the rate's date must be a day from 1970 up to a year from today");
  SocialValueRate rate;
  rate.pence_per_hour = r.pence_per_hour;
  rate.source = r.source;
  rate.date_days = r.date_days;
  rate.set_by = admin.key;
  rate.set_ms = node.clock().now_ms();
  NodeSettings settings(node.store());
  if (Status s = settings.set_social_value_rate(rate); !s.ok()) return s;
  return rate_view(node, rate);
}

Result<SocialValueRateView> show_social_value_rate(Node& node, const ShowSocialValueRate&) {
  NodeSettings settings(node.store());
  TRY_ASSIGN(auto rate, settings.social_value_rate());
  return rate_view(node, rate);
}

std::vector<HelpGiven> help_from_movements(const std::vector<Movement>& movements) {
  std::vector<HelpGiven> help;
  for (const auto& m : movements) {
    if (!is_help(m.kind) || m.status != MovementStatus::posted) continue;
    HelpGiven given;
    given.provider = m.provider;
    given.minutes = m.minutes;
    given.date_days = m.date_days;
    given.respite = m.kind == MovementKind::respite;
    if (!m.recipient.is_zero()) given.recipients.push_back(m.recipient);
    help.push_back(std::move(given));
  }
  return help;
}

std::int64_t value_of_minutes(std::int64_t minutes, std::int64_t pence_per_hour) {
  // Both are bounded (minutes of one report, at most 100000 pence an hour),
  // far inside 64 bits; division truncates, which for these non-negative
  // values is rounding down.
  return minutes * pence_per_hour / 60;
}

SocialValueSection count_social_value(const std::vector<HelpGiven>& help,
                                      const std::vector<VolunteerJoined>& volunteers, std::int32_t from,
                                      std::int32_t to, std::optional<std::int64_t> rate) {
  SocialValueSection out;
  std::set<PublicKey> helped, respited;
  // Each volunteer's days of help given up to the period's end, for
  // retention and first exchanges.
  std::map<PublicKey, std::vector<std::int32_t>> days_of;
  for (const auto& given : help) {
    if (given.date_days <= to) days_of[given.provider].push_back(given.date_days);
    if (given.date_days < from || given.date_days > to) continue;
    out.valued_minutes += given.minutes;
    for (const auto& recipient : given.recipients) helped.insert(recipient);
    if (given.respite) {
      out.respite_minutes += given.minutes;
      for (const auto& recipient : given.recipients) respited.insert(recipient);
    }
  }
  out.people_helped = helped.size();
  out.carers_given_respite = respited.size();
  if (rate) out.value_pence = value_of_minutes(out.valued_minutes, *rate);

  std::vector<std::int32_t> waits;
  for (const auto& v : volunteers) {
    if (v.joined_days < from || v.joined_days > to) continue;
    ++out.new_volunteers;
    const std::vector<std::int32_t>& days = days_of[v.member];
    if (v.joined_days + kRetentionDays > to) {
      ++out.too_early_to_tell;
    } else {
      const std::int32_t first = v.joined_days + kRetentionDays - kRetentionWindowDays + 1;
      const std::int32_t last = v.joined_days + kRetentionDays;
      const bool active = std::any_of(days.begin(), days.end(),
                                       [&](std::int32_t d) { return d >= first && d <= last; });
      ++(active ? out.stayed_active : out.not_active);
    }
    if (days.empty()) {
      ++out.no_exchange_yet;
    } else {
      // Hours typed in from paper may be dated before the join was
      // recorded: those count as day 0.
      waits.push_back(std::max(0, *std::min_element(days.begin(), days.end()) - v.joined_days));
    }
  }
  out.with_first_exchange = waits.size();
  if (!waits.empty()) {
    std::sort(waits.begin(), waits.end());
    const std::size_t n = waits.size();
    out.median_days_to_first_exchange =
        n % 2 == 1 ? waits[n / 2] : (waits[n / 2 - 1] + waits[n / 2]) / 2;  // a whole day, rounded down
  }
  return out;
}

}  // namespace cohours::app
