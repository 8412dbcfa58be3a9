#include "render.h"

#include "cohours/dates.h"

namespace cohours::api {

namespace {

using json = nlohmann::json;

const char* kind_word(MovementKind kind) {
  switch (kind) {
    case MovementKind::hours:
      return "hours";
    case MovementKind::respite:
      return "respite";
    case MovementKind::transfer:
      return "transfer";
    case MovementKind::opening:
      return "opening";
  }
  return "other";
}

// A group session's shape (hours.group), or null for other hours.
json group_json(const app::MovementView& m) {
  if (!m.group) return nullptr;
  return {{"volunteers", m.group_volunteers}, {"members", m.group_members}, {"member_number", m.member_number}};
}

json pending_item(const app::PendingItem& item) {
  const app::MovementView& m = item.movement;
  return {{"id", to_hex(m.id)},
          {"group", group_json(m)},
          {"kind", m.kind == MovementKind::respite ? "respite" : "hours"},
          {"provider", m.provider},
          {"recipient", m.recipient.empty() ? "the community" : m.recipient},
          {"minutes", m.minutes},
          {"category", m.category},
          {"date", format_date(m.date_days)},
          {"on_behalf", item.on_behalf}};
}

json respite_request(const app::RespiteView& r) {
  return {
      {"id", to_hex(r.id)}, {"carer", r.carer}, {"minutes", r.minutes}, {"date", format_date(r.date_days)}};
}

}  // namespace

json roles_json(std::uint32_t roles) {
  json out = json::array();
  for (std::uint32_t bit = 1; bit & kAllRoles; bit <<= 1)
    if (roles & bit) out.push_back(role_name(static_cast<Role>(bit)));
  return out;
}

json self_json(const app::SelfView& s) {
  return {{"alias", s.alias},
          {"key", to_hex(s.key)},
          {"member_key", to_hex(s.member_key)},
          {"roles", roles_json(s.roles)},
          {"node", s.node_name},
          {"node_key", to_hex(s.node_key)},
          {"currency", s.currency},
          {"balance_minutes", s.balance.balance_minutes},
          {"pending_in_minutes", s.balance.pending_in_minutes},
          {"pending_out_minutes", s.balance.pending_out_minutes},
          {"to_confirm", s.to_confirm},
          {"vetting", s.vetting ? json{{"kind", vetting_kind_name(s.vetting->kind)},
                                       {"expires", format_date(s.vetting->expires_days)},
                                       {"days_left", s.vetting->days_left}}
                                : json(nullptr)},
          {"vetting_needed_for", s.vetting_needed_for}};
}

json enrolled_json(const app::Enrolled& e, const app::SelfView& s) {
  return {{"alias", e.alias},
          {"key", to_hex(e.key)},
          {"member_key", to_hex(e.member)},
          {"roles", roles_json(e.roles)},
          {"node", s.node_name},
          {"node_key", to_hex(s.node_key)},
          {"currency", s.currency}};
}

json outcomes_json(const app::SubmitOutcomes& outcomes) {
  json results = json::array();
  for (const auto& r : outcomes.results) {
    json one = {{"id", to_hex(r.id)}};
    switch (r.outcome) {
      case app::Outcome::stored:
        one["status"] = "stored";
        one["seq"] = r.seq;
        break;
      case app::Outcome::duplicate:
        one["status"] = "duplicate";
        one["seq"] = r.seq;
        break;
      case app::Outcome::refused:
        one["status"] = "refused";
        one["error"] = code_name(r.code);
        one["message"] = r.message;
        break;
    }
    results.push_back(one);
  }
  return {{"results", results}};
}

json statement_json(const app::Statement& s, const std::string& member) {
  json lines = json::array();
  for (const auto& line : s.lines) {
    const std::int64_t change = line.change_minutes;
    json out = {{"seq", line.seq},
                {"date", format_date(line.date_days)},
                {"recorded", format_date(line.posted_days)},
                {"change_minutes", change},
                {"balance_after_minutes", line.balance_after_minutes},
                {"minutes", change < 0 ? -change : change},
                {"category", ""}};
    if (!line.about) {
      out["kind"] = "other";
      out["direction"] = change < 0 ? "gave" : "received";
      out["other"] = line.counterparty;
    } else if (line.reversal) {
      out["kind"] = "reversal";
      out["direction"] = change < 0 ? "gave" : "received";
      out["other"] = line.counterparty;
      out["category"] = line.about->category;
    } else if (line.about->kind == MovementKind::opening) {
      out["kind"] = "opening";
      out["direction"] = change < 0 ? "gave" : "received";
      out["other"] = "balance brought over";
    } else if (line.about->kind == MovementKind::transfer) {
      out["kind"] = "transfer";
      out["direction"] = change < 0 ? "gave" : "received";
      out["other"] = line.counterparty;
    } else {
      // Help: who gave it to whom, whichever way the credits moved.
      const app::MovementView& m = *line.about;
      const bool gave = m.provider == member;
      out["kind"] = kind_word(m.kind);
      out["direction"] = gave ? "gave" : "received";
      out["other"] = gave ? (m.recipient.empty() ? "the community" : m.recipient) : m.provider;
      out["category"] = m.category;
    }
    lines.push_back(out);
  }
  json pending = json::array();
  for (const auto& p : s.pending) {
    const app::MovementView& m = p.movement;
    pending.push_back(
        {{"id", to_hex(m.id)},
         {"direction", p.incoming ? "gave" : "received"},
         {"other", p.incoming ? (m.recipient.empty() ? "the community" : m.recipient) : m.provider},
         {"minutes", m.minutes},
         {"category", m.category},
         {"date", format_date(m.date_days)}});
  }
  return {{"opening_minutes", s.opening_minutes},
          {"closing_minutes", s.closing_minutes},
          {"lines", lines},
          {"pending", pending}};
}

json pending_json(const app::PendingFor& p) {
  json to_confirm = json::array(), waiting = json::array();
  for (const auto& item : p.to_confirm) to_confirm.push_back(pending_item(item));
  for (const auto& item : p.waiting) waiting.push_back(pending_item(item));
  return {{"to_confirm", to_confirm}, {"waiting", waiting}};
}

json respite_json(const app::RespiteBoard& board) {
  json open = json::array(), mine = json::array();
  for (const auto& r : board.open) open.push_back(respite_request(r));
  for (const auto& m : board.mine)
    mine.push_back({{"id", to_hex(m.request.id)},
                    {"minutes", m.request.minutes},
                    {"date", format_date(m.request.date_days)},
                    {"status", request_status_name(m.request.status)},
                    {"volunteer", m.volunteer}});
  return {{"open", open}, {"mine", mine}};
}

namespace {

json claim_json(const app::ClaimView& c) {
  return {{"id", to_hex(c.id)},
          {"date", format_date(c.date_days)},
          {"category", expense_category_name(c.category)},
          {"pence", c.pence},
          {"miles", c.miles},
          {"status", expense_status_name(c.status)},
          {"paid", c.status == ExpenseStatus::paid ? format_date(c.paid_days) : ""},
          {"receipt", c.receipt_digest.is_zero() ? "" : to_hex(c.receipt_digest)}};
}

}  // namespace

json claims_json(const app::ClaimList& list) {
  json claims = json::array();
  for (const auto& c : list.claims) claims.push_back(claim_json(c));
  return {{"currency", list.currency}, {"claims", claims}};
}

json coop_claims_json(const app::ClaimList& list) {
  json claims = json::array();
  for (const auto& c : list.claims) {
    json claim = claim_json(c);
    claim["member"] = c.member;
    claims.push_back(std::move(claim));
  }
  return {{"currency", list.currency}, {"claims", claims}};
}

json receipt_json(const app::ReceiptStored& stored) {
  return {{"digest", to_hex(stored.digest)}};
}

json coop_json(const app::CoopView& coop) {
  json members = json::array();
  for (const auto& m : coop.members)
    members.push_back({{"alias", m.alias}, {"key", to_hex(m.key)}, {"roles", roles_json(m.roles)}});
  return {{"members", members},
          {"categories", coop.categories},
          {"max_entry_minutes", coop.max_entry_minutes},
          {"mileage_rate_pence", coop.mileage_rate_pence}};
}

json balances_json(const app::Balances& b) {
  json accounts = json::array();
  for (const auto& a : b.accounts)
    accounts.push_back({{"account", a.name},
                        {"kind", a.account.kind == AccountKind::pool     ? "pool"
                                 : a.account.kind == AccountKind::member ? "member"
                                                                         : "clearing"},
                        {"key", to_hex(a.account.key)},
                        {"balance_minutes", a.balance.balance_minutes},
                        {"pending_minutes", a.balance.pending_minutes()},
                        {"pending_in_minutes", a.balance.pending_in_minutes},
                        {"pending_out_minutes", a.balance.pending_out_minutes}});
  return {{"accounts", accounts}, {"sum_minutes", b.sum_minutes}};
}

}  // namespace cohours::api
