#include "cohours/app/thanks.h"

#include "cohours/app/names.h"
#include "try.h"

namespace cohours::app {

namespace {

ThanksView thanks_view_of(Node& node, const ThankYou& t) {
  ThanksView v;
  v.id = to_hex(t.id);
  v.entry = t.movement;
  v.from = member_name(node, t.sender);
  v.to = member_name(node, t.volunteer);
  v.text = t.text;
  v.sent_ms = t.sent_ms;
  if (auto m = node.ledger().movement(t.movement); m.ok()) {
    v.minutes = m->minutes;
    v.category = m->category;
    v.date_days = m->date_days;
  }
  return v;
}

}  // namespace

Result<ThanksView> send_thanks(Node& node, const SendThanks& r) {
  TRY_ASSIGN(MemberInfo sender, member_named(node, r.as));
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(r.entry));
  auto found = node.ledger().movement(id);
  if (!found.ok() || !is_help(found->kind))
    return Status(Code::unknown_entry, "entry " + r.entry +
                                           " is not hours of help: thank for the id of an `hours log` or "
                                           "`respite offer` entry (see `cohours pending` or your statement)");
  const Movement& m = found.value();
  const bool pays = m.payer == AccountId::member(sender.key);
  if (m.recipient != sender.key && !pays)
    return Status(Code::not_permitted, "only the member who received this help, or who pays for it, may thank " +
                                           member_name(node, m.provider) + " for it");
  if (m.provider == sender.key) return Status(Code::not_permitted, "you cannot thank yourself");
  if (m.status == MovementStatus::voided || m.status == MovementStatus::reversed)
    return Status(Code::wrong_state, std::string("this help was ") + movement_status_name(m.status) +
                                         ", so there is nothing to thank for");
  ThankYou thanks;
  thanks.id = thanks_id(m.id, sender.key);
  thanks.movement = m.id;
  thanks.sender = sender.key;
  thanks.volunteer = m.provider;
  thanks.text = r.text;
  thanks.sent_ms = node.clock().now_ms();
  ThanksBook book(node.store());
  if (Status s = book.put(thanks); !s.ok()) return s;
  return thanks_view_of(node, thanks);
}

Result<ThanksList> list_thanks(Node& node, const ListThanks& r) {
  TRY_ASSIGN(MemberInfo member, member_named(node, r.as));
  const ThanksBook book(node.store());
  TRY_ASSIGN(auto received, book.received(member.key));
  TRY_ASSIGN(auto sent, book.sent(member.key));
  ThanksList list;
  for (const auto& t : received) list.received.push_back(thanks_view_of(node, t));
  for (const auto& t : sent) list.sent.push_back(thanks_view_of(node, t));
  return list;
}

Result<ThanksErased> erase_thanks(Node& node, const EraseThanks& r) {
  TRY_ASSIGN(MemberInfo member, member_named(node, r.as));
  auto id = fixed_from_hex<ThanksId>(r.id);
  if (!id)
    return Status(Code::malformed, "a thank-you's id is 32 hex digits, as `cohours thanks list` shows; got '" +
                                       r.id + "'");
  ThanksBook book(node.store());
  TRY_ASSIGN(ThankYou thanks, book.find(*id));
  if (thanks.sender != member.key && thanks.volunteer != member.key && !(member.roles & role_admin))
    return Status(Code::not_permitted,
                  "only its sender, the volunteer thanked or an admin may erase a thank-you");
  if (Status s = book.erase(thanks); !s.ok()) return s;
  return ThanksErased{to_hex(thanks.id)};
}

}  // namespace cohours::app
