#include "cohours/app/movements.h"

#include <set>

#include "cohours/app/format.h"
#include "cohours/app/names.h"
#include "cohours/dates.h"

namespace cohours::app {

MovementView view_of(Node& node, const Movement& m) {
  MovementView view;
  view.id = m.id;
  view.kind = m.kind;
  view.status = m.status;
  view.provider = member_name(node, m.provider);
  view.recipient = m.recipient.is_zero() ? "" : member_name(node, m.recipient);
  view.payer = account_name(node, m.payer);
  view.payee = account_name(node, m.payee);
  // A member of another co-op is named as alice@riverside (names.h), never
  // by a key prefix or their node's key.
  if (auto party = remote_party(node, m)) {
    const std::string name = remote_party_name(node, *party);
    if (m.payer.kind == AccountKind::clearing || m.kind == MovementKind::hours)
      view.provider = name;  // the sender of a transfer.in; the volunteer of hours.log.remote
    else
      view.recipient = name;  // the receiver of a transfer.out
  }
  view.pool_pays = m.payer.kind == AccountKind::pool;
  view.minutes = m.minutes;
  view.category = m.category;
  view.date_days = m.date_days;
  view.seq = m.seq;
  if (m.is_group_leg()) {
    view.id = m.group;
    view.group = true;
    view.group_volunteers = m.group_providers;
    view.group_members = m.group_recipients;
    view.member_number = m.group_recipients == 0 ? 0 : m.leg / m.group_providers + 1u;
    view.legs = 1;
  }
  return view;
}

MovementView merged_view(Node& node, const std::vector<Movement>& legs) {
  if (legs.empty()) return {};
  MovementView view = view_of(node, legs.front());
  std::set<PublicKey> providers, recipients;
  std::int64_t minutes = 0;
  for (const auto& leg : legs) {
    providers.insert(leg.provider);
    recipients.insert(leg.recipient);
    minutes += leg.minutes;
  }
  view.minutes = minutes;
  view.legs = static_cast<std::uint32_t>(legs.size());
  if (providers.size() > 1) view.provider = std::to_string(providers.size()) + " volunteers";
  if (recipients.size() > 1) {
    view.recipient = std::to_string(recipients.size()) + " members";
    view.member_number = 0;
    if (!view.pool_pays) view.payer = view.recipient;
  }
  if (providers.size() > 1) view.payee = view.provider;
  return view;
}

std::string describe_group_part(const MovementView& view) {
  if (!view.group) return view.category;
  if (view.group_members == 0) return view.category + ", community group";
  if (view.member_number > 0)
    return view.category + ", " + std::to_string(view.member_number) + " of " + std::to_string(view.group_members);
  return view.category + ", group of " + std::to_string(view.group_members);
}

Result<std::vector<Movement>> same_hours(Node& node, const PublicKey& provider, const PublicKey& recipient,
                                         std::int32_t day, std::int64_t minutes) {
  Ledger& ledger = node.ledger();
  auto matches = [&](const Movement& m) {
    // A share of a group session is not the same help as hours logged alone.
    return is_help(m.kind) && !m.is_group_leg() && m.provider == provider && m.recipient == recipient &&
           m.date_days == day && m.minutes == minutes;
  };
  std::vector<Movement> found;
  auto pending = ledger.pending_movements();
  if (!pending.ok()) return pending.status();
  for (const auto& m : pending.value())
    if (matches(m)) found.push_back(m);
  auto postings = ledger.postings(AccountId::member(provider));
  if (!postings.ok()) return postings.status();
  for (const auto& posting : postings.value()) {
    if (posting.delta_minutes != minutes) continue;
    auto m = ledger.movement(posting.movement);
    if (m.ok() && m->status == MovementStatus::posted && matches(m.value())) found.push_back(*m);
  }
  return found;
}

std::string describe_same_hours(Node& node, const Movement& same) {
  return member_name(node, same.provider) + " already has " + describe_minutes(same.minutes) + " to " +
         (same.recipient.is_zero() ? std::string("the community") : member_name(node, same.recipient)) + " on " +
         format_date(same.date_days) + " (" + movement_status_name(same.status) + ", entry " +
         to_hex(same.id).substr(0, 12) + ")";
}

}  // namespace cohours::app
