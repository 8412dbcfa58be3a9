#include "cohours/app/movements.h"

#include "cohours/app/names.h"

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
  view.pool_pays = m.payer.kind == AccountKind::pool;
  view.minutes = m.minutes;
  view.category = m.category;
  view.date_days = m.date_days;
  view.seq = m.seq;
  return view;
}

}  // namespace cohours::app
