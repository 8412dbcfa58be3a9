#include "cohours/app/vetting.h"

#include <algorithm>

#include "cohours/app/names.h"
#include "cohours/dates.h"
#include "try.h"

namespace cohours::app {

namespace {

VettingView view_of(Node& node, const VettingState& s, std::int32_t today) {
  VettingView v;
  v.id = s.id;
  v.volunteer = member_name(node, s.volunteer);
  v.kind = s.kind;
  v.issued_days = s.issued_days;
  v.expires_days = s.expires_days;
  v.checker = member_name(node, s.checker);
  if (s.withdrawn)
    v.standing = VettingStanding::withdrawn;
  else if (today < s.issued_days)
    v.standing = VettingStanding::not_yet_valid;
  else if (today > s.expires_days)
    v.standing = VettingStanding::expired;
  else
    v.standing = VettingStanding::current;
  v.days_left = v.standing == VettingStanding::current ? s.expires_days - today : 0;
  v.certificate_kept = !s.certificate_digest.is_zero() && node.directory().note(s.certificate_digest).has_value();
  if (s.withdrawn) {
    v.withdrawn_by = member_name(node, s.withdrawn_by_key);
    if (!s.reason_digest.is_zero()) v.reason = node.directory().note(s.reason_digest).value_or("(erased)");
  }
  return v;
}

std::int32_t today_of(Node& node) {
  return days_from_ms(node.clock().now_ms());
}

Result<VettingState> check_of(Node& node, const PublicKey& volunteer, const EntryId& id) {
  TRY_ASSIGN(auto checks, node.ledger().vettings_of(volunteer));
  for (const auto& check : checks)
    if (check.id == id) return check;
  return Status(Code::corruption, "a vetting the ledger accepted is not in its volunteer's row");
}

}  // namespace

const char* vetting_standing_name(VettingStanding standing) {
  switch (standing) {
    case VettingStanding::current:
      return "current";
    case VettingStanding::not_yet_valid:
      return "not yet valid";
    case VettingStanding::expired:
      return "expired";
    case VettingStanding::withdrawn:
      return "withdrawn";
  }
  return "unknown";
}

Result<VettingRecorded> record_vetting(Node& node, const RecordVetting& r) {
  TRY_ASSIGN(PublicKey checker, member_key(node, r.as));
  // A member by alias or key, or a visiting volunteer of another co-op by
  // their key (docs/safeguarding.md).
  TRY_ASSIGN(PublicKey volunteer, member_key(node, r.volunteer));
  auto kind = parse_vetting_kind(r.kind);
  if (!kind)
    return Status(Code::malformed, "unknown kind of check '" + r.kind +
                                       "'; one of dbs-basic, dbs-standard, dbs-enhanced, dbs-enhanced-barred, "
                                       "pvg, access-ni, other");
  Submission submission(node);
  TRY_ASSIGN(Hash32 certificate, submission.note(r.certificate));
  VettingRecord body;
  body.volunteer = volunteer;
  body.kind = *kind;
  body.issued_days = r.issued_days;
  body.expires_days = r.expires_days;
  body.certificate_digest = certificate;
  TRY_ASSIGN(Accepted accepted, submission.as_member(checker, body));
  TRY_ASSIGN(VettingState state, check_of(node, volunteer, accepted.id));
  return VettingRecorded{accepted, view_of(node, state, today_of(node))};
}

Result<VettingWithdrawn> withdraw_vetting(Node& node, const WithdrawVetting& r) {
  if (r.reason.empty()) return Status(Code::malformed, "say why the check is withdrawn (--reason)");
  TRY_ASSIGN(PublicKey checker, member_key(node, r.as));
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(r.id));
  TRY_ASSIGN(auto all, node.ledger().vettings());
  auto found = std::find_if(all.begin(), all.end(), [&](const VettingState& s) { return s.id == id; });
  if (found == all.end())
    return Status(Code::unknown_entry, "no vetting " + r.id + " (give the id `vetting list` shows)");
  Submission submission(node);
  TRY_ASSIGN(Hash32 reason, submission.note(r.reason));
  TRY_ASSIGN(Accepted accepted, submission.as_member(checker, VettingWithdraw{id, reason}));
  TRY_ASSIGN(VettingState state, check_of(node, found->volunteer, id));
  return VettingWithdrawn{accepted, view_of(node, state, today_of(node))};
}

Result<VettingList> list_vettings(Node& node, const ListVettings& r) {
  VettingList out;
  out.today_days = today_of(node);
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  out.vetted_categories = policy.vetted_categories;
  std::vector<VettingState> checks;
  if (!r.volunteer.empty()) {
    TRY_ASSIGN(PublicKey volunteer, member_key(node, r.volunteer));
    TRY_ASSIGN(checks, node.ledger().vettings_of(volunteer));
  } else {
    TRY_ASSIGN(checks, node.ledger().vettings());
  }
  for (const auto& check : checks) {
    VettingView view = view_of(node, check, out.today_days);
    if (r.expiring_within_days) {
      if (view.standing != VettingStanding::current || view.days_left > *r.expiring_within_days) continue;
    } else if (!r.all && view.standing != VettingStanding::current &&
               view.standing != VettingStanding::not_yet_valid) {
      continue;
    }
    out.vettings.push_back(std::move(view));
  }
  if (r.expiring_within_days)
    std::stable_sort(out.vettings.begin(), out.vettings.end(),
                     [](const VettingView& a, const VettingView& b) { return a.expires_days < b.expires_days; });
  else
    std::stable_sort(out.vettings.begin(), out.vettings.end(), [](const VettingView& a, const VettingView& b) {
      return a.volunteer != b.volunteer ? a.volunteer < b.volunteer : a.issued_days < b.issued_days;
    });
  return out;
}

}  // namespace cohours::app
