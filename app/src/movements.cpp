#include "cohours/app/movements.h"

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
  return view;
}

Result<std::vector<Movement>> same_hours(Node& node, const PublicKey& provider, const PublicKey& recipient,
                                         std::int32_t day, std::int64_t minutes) {
  Ledger& ledger = node.ledger();
  auto matches = [&](const Movement& m) {
    return is_help(m.kind) && m.provider == provider && m.recipient == recipient &&
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
