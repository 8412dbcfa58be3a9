#include "cohours/app/group_sessions.h"

#include "cohours/app/names.h"
#include "try.h"

namespace cohours::app {

namespace {

// The engine names members by the first 12 hex digits of their key; people
// know them by name.
std::string group_names_in(Node& node, std::string message, const GroupHours& body) {
  auto rename = [&](const PublicKey& key) {
    const std::string hex = to_hex(key).substr(0, 12);
    const std::string name = member_name(node, key);
    for (auto at = message.find(hex); at != std::string::npos; at = message.find(hex, at + name.size()))
      message.replace(at, hex.size(), name);
  };
  for (const auto& p : body.providers) rename(p.provider);
  for (const auto& key : body.recipients) rename(key);
  return message;
}

Result<Payer> group_payer(const std::string& payer, const std::vector<MemberInfo>& helped) {
  if (payer == "pool") return Payer::pool;
  if (payer == "shared") return Payer::recipient;
  if (!payer.empty())
    return Result<Payer>(Code::malformed, "the payer is 'pool' or 'shared' (the members helped share the cost)");
  std::size_t service_users = 0;
  for (const auto& m : helped)
    if (m.roles & role_service_user) ++service_users;
  if (service_users == helped.size()) return Payer::pool;  // the community too
  if (service_users == 0) return Payer::recipient;
  return Result<Payer>(Code::not_permitted,
                       "some of the members helped are service users (the pool pays for them) and some are not "
                       "(they share the cost): log them as two sessions");
}

}  // namespace

GroupSession group_session_of(Node& node, const std::vector<Movement>& legs) {
  GroupSession out;
  if (legs.empty()) return out;
  const Movement& first = legs.front();
  const std::size_t providers = first.group_providers;
  const std::size_t rows = std::max<std::size_t>(first.group_recipients, 1);
  out.id = first.group;
  out.pool_pays = first.payer.kind == AccountKind::pool;
  out.category = first.category;
  out.date_days = first.date_days;
  out.seq = first.seq;
  for (std::size_t p = 0; p < providers && p < legs.size(); ++p)
    out.volunteers.push_back({member_name(node, legs[p].provider), 0});
  for (std::size_t r = 0; r < rows; ++r) {
    GroupShare share;
    const Movement& leg = legs[r * providers];
    share.member = leg.recipient.is_zero() ? "community" : member_name(node, leg.recipient);
    share.status = leg.status;
    for (std::size_t p = 0; p < providers && r * providers + p < legs.size(); ++p) {
      const std::int64_t minutes = legs[r * providers + p].minutes;
      share.minutes += minutes;
      out.volunteers[p].minutes += minutes;
      out.minutes += minutes;
    }
    out.shares.push_back(share);
  }
  return out;
}

Result<GroupLogged> log_group_session(Node& node, const LogGroupSession& r) {
  TRY_ASSIGN(MemberInfo signer, member_named(node, r.as));
  const std::vector<GroupVolunteer> volunteers =
      r.volunteers.empty() ? std::vector<GroupVolunteer>{{r.as, 0}} : r.volunteers;
  if (volunteers.size() > kMaxGroupProviders)
    return Result<GroupLogged>(Code::limit_reached, "a group session has at most " +
                                                        std::to_string(kMaxGroupProviders) + " volunteers");
  if (r.with.size() > kMaxGroupRecipients)
    return Result<GroupLogged>(Code::limit_reached, "a group session helps at most " +
                                                        std::to_string(kMaxGroupRecipients) +
                                                        " members; log a larger group as two sessions");
  if (!valid_category(r.category))
    return Result<GroupLogged>(Code::unknown_category,
                               "category '" + r.category + "' is not allowed (see `cohours policy show`)");
  GroupHours body;
  body.category = r.category;
  body.date_days = r.date_days;
  bool signer_gives = false;
  for (const auto& v : volunteers) {
    TRY_ASSIGN(MemberInfo volunteer, member_named(node, v.name));
    const std::int64_t minutes = v.minutes > 0 ? v.minutes : r.minutes;
    if (minutes <= 0)
      return Result<GroupLogged>(Code::bad_amount, "how long did " + v.name +
                                                       " help? Give the session's length (--duration 2h) or "
                                                       "theirs (--volunteer " + v.name + "=1h30)");
    body.providers.push_back({volunteer.key, minutes});
    signer_gives = signer_gives || volunteer.key == signer.key;
  }
  if (!signer_gives && !(signer.roles & role_coordinator))
    return Result<GroupLogged>(Code::not_permitted, "a group session is logged by a coordinator or by one of its "
                                                    "volunteers; " + r.as + " is neither");
  std::vector<MemberInfo> helped;
  for (const auto& name : r.with) {
    TRY_ASSIGN(MemberInfo member, member_named(node, name));
    helped.push_back(member);
    body.recipients.push_back(member.key);
  }
  TRY_ASSIGN(body.payer, group_payer(r.payer, helped));
  if (group_leg_count(body) > kMaxGroupLegs)
    return Result<GroupLogged>(Code::limit_reached,
                               "a group session has at most " + std::to_string(kMaxGroupLegs) +
                                   " shares (volunteers x members helped); log it as two sessions");
  Submission submission(node);
  TRY_ASSIGN(body.note_digest, submission.note(r.note));
  Result<Accepted> accepted = submission.as_member(signer.key, body);
  if (!accepted.ok())
    return Result<GroupLogged>(accepted.status().code(), group_names_in(node, accepted.status().message(), body));
  TRY_ASSIGN(auto legs, node.ledger().group_legs(accepted->id));
  return GroupLogged{accepted.value(), group_session_of(node, legs)};
}

Result<GroupSession> show_group_session(Node& node, const ShowGroupSession& r) {
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(r.id));
  auto legs = node.ledger().group_legs(id);
  if (!legs.ok())
    return Result<GroupSession>(Code::unknown_entry, "entry " + r.id + " is not a group session (give the id "
                                                                       "printed by `hours group`)");
  return group_session_of(node, legs.value());
}

}  // namespace cohours::app
