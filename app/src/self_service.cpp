#include "cohours/app/self_service.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "cohours/app/expenses.h"
#include "cohours/app/movements.h"
#include "cohours/app/names.h"
#include "cohours/app/receipts.h"
#include "cohours/app/submission.h"
#include "cohours/dates.h"
#include "entry_notes.h"
#include "try.h"

namespace cohours::app {

Result<MemberInfo> member_for_key(Node& node, const PublicKey& key) {
  auto signer = node.ledger().signing_key(key);
  if (!signer.ok()) return signer.status();
  // The ledger refuses what it signs from the moment of the rekey; so does
  // every front end.
  if (signer->status == KeyStatus::retired)
    return Result<MemberInfo>(Code::not_permitted, "this key was replaced on " +
                                                       format_date(days_from_ms(signer->retired_ms)) +
                                                       ": sign with the member's new key");
  auto member = node.ledger().member(signer->member);
  if (!member.ok()) return member.status();
  if (!node.directory().find(member->key))
    return Result<MemberInfo>(Code::unknown_member, "this key's member has been forgotten by the co-op");
  return member.value();
}

namespace {

// The receipt a claim names that this node does not keep, if any; never for
// an entry already in the log (a retry is answered duplicate).
std::optional<Hash32> receipt_missing(Node& node, const EntryId& id, const EntryBody& body) {
  const auto* claim = std::get_if<ExpenseClaim>(&body);
  if (!claim || claim->receipt_digest.is_zero() || receipt_kept(node, claim->receipt_digest)) return std::nullopt;
  if (node.ledger().seq_of(id).ok()) return std::nullopt;
  return claim->receipt_digest;
}

// Hours a phone logs with the same volunteer, recipient, day and length as
// hours already logged: a question for the member, as `hours log` asks on
// the CLI (docs/decisions.md "Possible duplicates"). Empty: no question.
// Bytes the log holds already are a retry, never a question.
Result<std::string> possible_duplicate(Node& node, const SignedEntry& signed_entry, const std::set<EntryId>& again) {
  const auto* hours = std::get_if<HoursLog>(&signed_entry.entry.body);
  // An entry for another co-op's log is refused wrong_node by the ledger.
  if (!hours || signed_entry.entry.node != node.ledger().node_key() || again.count(signed_entry.id) ||
      node.ledger().seq_of(signed_entry.id).ok())
    return std::string();
  TRY_ASSIGN(MemberInfo provider, member_for_key(node, signed_entry.entry.actor()));
  TRY_ASSIGN(auto same, same_hours(node, provider.key, hours->recipient, hours->date_days, hours->minutes));
  if (same.empty()) return std::string();
  return "possible duplicate: " + describe_same_hours(node, same.front()) +
         "; if this is more help, say so and send it again";
}
// Pending legs of group sessions, gathered by session in the order first
// seen, then listed as one item each (merged_view).
class PendingGroups {
 public:
  void add(const Movement& leg) {
    auto& legs = legs_[leg.group];
    if (legs.empty()) order_.push_back(leg.group);
    legs.push_back(leg);
  }
  void append_to(Node& node, std::vector<PendingItem>& items) const {
    for (const auto& id : order_) items.push_back({merged_view(node, legs_.at(id)), false});
  }

 private:
  std::vector<EntryId> order_;
  std::map<EntryId, std::vector<Movement>> legs_;
};

}  // namespace

Result<SubmitOutcomes> submit_signed(Node& node, const SubmitSigned& r) {
  if (r.entries.size() > kMaxEntriesPerSubmission)
    return Result<SubmitOutcomes>(
        Code::malformed, "at most " + std::to_string(kMaxEntriesPerSubmission) + " entries in one request");
  TRY_STATUS(member_for_key(node, r.member).status());
  SubmitOutcomes out;
  out.results.resize(r.entries.size());
  std::vector<Bytes> to_submit;
  std::vector<std::size_t> submitted_index;
  std::vector<std::vector<Hash32>> digests_of(r.entries.size());
  std::set<Hash32> carried;
  const std::set<EntryId> again(r.again.begin(), r.again.end());
  for (std::size_t i = 0; i < r.entries.size(); ++i) {
    EntryOutcome& result = out.results[i];
    result.id = entry_id_of(r.entries[i]);
    auto decoded = decode_entry(r.entries[i]);
    if (!decoded.ok()) {
      result.code = decoded.code();
      result.message = decoded.status().message();
      continue;
    }
    if (decoded->entry.author != r.member) {
      result.code = Code::not_permitted;
      result.message = "an entry sent from a phone is signed by that phone's member";
      continue;
    }
    if (auto missing = receipt_missing(node, result.id, decoded->entry.body)) {
      result.code = Code::not_found;
      result.message = "the receipt " + to_hex(*missing).substr(0, 8) +
                       "... this claim names is not kept here: send the receipt before its claim";
      continue;
    }
    for (const Hash32& digest : note_digests(decoded->entry.body))
      if (!digest.is_zero()) {
        digests_of[i].push_back(digest);
        carried.insert(digest);
      }
    // Its note travels in the request and is carried; it is not kept.
    TRY_ASSIGN(std::string question, possible_duplicate(node, decoded.value(), again));
    if (!question.empty()) {
      result.code = Code::possible_duplicate;
      result.message = question;
      continue;
    }
    to_submit.push_back(r.entries[i]);
    submitted_index.push_back(i);
  }
  // Notes first, so an accepted entry always finds its text; a note no entry
  // carries is refused before anything is kept.
  std::vector<Hash32> kept;
  for (const auto& note : r.notes) {
    if (!carried.count(note_digest(note.salt, note.text)))
      return Result<SubmitOutcomes>(Code::malformed,
                                    "a note's digest is not carried by any entry sent with it");
  }
  for (const auto& note : r.notes) {
    auto digest = node.directory().put_note(note.text, note.salt);
    if (!digest.ok()) {
      for (const Hash32& k : kept) (void)node.directory().erase_note(k);
      return digest.status();
    }
    kept.push_back(digest.value());
  }
  std::vector<SubmitResult> results = node.ledger().submit(to_submit);
  std::set<Hash32> accepted_digests;
  for (std::size_t j = 0; j < results.size(); ++j) {
    const SubmitResult& s = results[j];
    EntryOutcome& result = out.results[submitted_index[j]];
    if (s.ok()) {
      result.outcome = s.duplicate ? Outcome::duplicate : Outcome::stored;
      result.seq = s.seq;
      for (const Hash32& digest : digests_of[submitted_index[j]]) accepted_digests.insert(digest);
    } else {
      result.code = s.code;
      result.message = s.message;
    }
  }
  // Notes of refused entries are not kept.
  for (const Hash32& digest : kept)
    if (!accepted_digests.count(digest)) (void)node.directory().erase_note(digest);
  return out;
}

Result<PendingFor> pending_for(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  const bool coordinator = member.roles & role_coordinator;
  TRY_ASSIGN(auto movements, node.ledger().pending_movements());
  PendingFor out;
  // A group session's legs show as one item per list: a member helped sees
  // their share, a volunteer what they gave, a coordinator (who confirms
  // every share in their own name) the whole session.
  PendingGroups to_confirm_groups, waiting_groups;
  for (const auto& m : movements) {
    if (m.is_group_leg()) {
      if (m.provider == member.key)
        waiting_groups.add(m);
      else if (m.recipient == member.key || coordinator)
        to_confirm_groups.add(m);
      continue;
    }
    if (m.provider == member.key) {
      out.waiting.push_back({view_of(node, m), false});
      continue;
    }
    if (m.recipient == member.key) {
      out.to_confirm.push_back({view_of(node, m), false});
    } else if (coordinator && (m.recipient.is_zero() || node_signs_for(node, m.recipient))) {
      // Community hours, and members who have no phone: a coordinator
      // confirms for them.
      out.to_confirm.push_back({view_of(node, m), !m.recipient.is_zero()});
    }
  }
  to_confirm_groups.append_to(node, out.to_confirm);
  waiting_groups.append_to(node, out.waiting);
  return out;
}

Result<SelfView> show_self(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  TRY_ASSIGN(Balance balance, node.ledger().balance(AccountId::member(member.key)));
  TRY_ASSIGN(PendingFor pending, pending_for(node, r));
  Ledger& ledger = node.ledger();
  SelfView view{member_name(node, member.key),
                r.member,
                member.key,
                member.roles,
                ledger.node_name(),
                ledger.node_key(),
                ledger.currency().str(),
                balance,
                pending.to_confirm.size(),
                std::nullopt,
                {}};
  TRY_ASSIGN(auto checks, ledger.vettings_of(member.key));
  const std::int32_t today = days_from_ms(node.clock().now_ms());
  for (const auto& check : checks)
    if (check.covers(today) && (!view.vetting || check.expires_days > view.vetting->expires_days))
      view.vetting = SelfView::Vetting{check.kind, check.expires_days, check.expires_days - today};
  TRY_ASSIGN(Policy policy, ledger.policy());
  view.vetting_needed_for = policy.vetted_categories;
  return view;
}

Result<RespiteBoard> respite_board(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  TRY_ASSIGN(auto requests, node.ledger().respite_requests());
  RespiteBoard out;
  for (const auto& request : requests) {
    RespiteView view{request.id,      member_name(node, request.carer),
                     request.minutes, request.date_days,
                     request.status,  request.offer};
    if (request.carer != member.key) {
      if (request.status == RequestStatus::open) out.open.push_back(view);
      continue;
    }
    std::string volunteer;
    if (!request.offer.is_zero())
      if (auto offer = node.ledger().movement(request.offer); offer.ok())
        volunteer = member_name(node, offer->provider);
    out.mine.push_back({view, volunteer});
  }
  return out;
}

Result<ClaimList> claims_of(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  TRY_ASSIGN(auto claims, node.ledger().expenses());
  ClaimList out{node.ledger().currency().str(), {}};
  for (const auto& c : claims)
    if (c.claimant == member.key)
      out.claims.push_back({c.id, "", c.date_days, c.category, c.pence, c.miles, c.status, c.paid_date_days,
                            c.receipt_digest});
  std::stable_sort(out.claims.begin(), out.claims.end(),
                   [](const ClaimView& a, const ClaimView& b) { return a.date_days > b.date_days; });
  return out;
}

Result<Balances> coop_balances(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  if (!(member.roles & (role_coordinator | role_admin | role_auditor)))
    return Result<Balances>(Code::not_permitted, "the co-op's balances are for coordinators, admins and auditors");
  return balances(node, {});
}

Result<PendingFor> coop_pending(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  if (!(member.roles & role_coordinator))
    return Result<PendingFor>(Code::not_permitted, "every pending entry is for coordinators");
  TRY_ASSIGN(auto movements, node.ledger().pending_movements());
  PendingFor out;
  PendingGroups groups;
  for (const auto& m : movements) {
    if (m.is_group_leg())
      groups.add(m);
    else
      out.to_confirm.push_back({view_of(node, m), !m.recipient.is_zero() && m.recipient != member.key});
  }
  groups.append_to(node, out.to_confirm);
  return out;
}

Result<ClaimList> coop_expenses(Node& node, const ShowSelf& r) {
  TRY_ASSIGN(MemberInfo member, member_for_key(node, r.member));
  if (!(member.roles & (role_admin | role_auditor)))
    return Result<ClaimList>(Code::not_permitted, "every expense claim is for admins and auditors");
  TRY_ASSIGN(ExpenseList all, list_expenses(node, {}));
  ClaimList out{node.ledger().currency().str(), {}};
  // list_expenses gives the order claimed: newest claimed first among claims
  // of one day.
  for (auto c = all.claims.rbegin(); c != all.claims.rend(); ++c)
    out.claims.push_back(
        {c->id, c->member, c->date_days, c->category, c->pence, c->miles, c->status, c->paid_days, c->receipt});
  std::stable_sort(out.claims.begin(), out.claims.end(),
                   [](const ClaimView& a, const ClaimView& b) { return a.date_days > b.date_days; });
  return out;
}

Result<CoopView> show_coop(Node& node, const ShowCoop&) {
  TRY_ASSIGN(auto members, node.ledger().members());
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  CoopView out;
  for (const auto& m : members)
    if (auto entry = node.directory().find(m.key)) out.members.push_back({entry->alias, m.key, m.roles});
  std::sort(out.members.begin(), out.members.end(),
            [](const CoopMember& a, const CoopMember& b) { return a.alias < b.alias; });
  out.categories = policy.categories;
  out.max_entry_minutes = policy.max_entry_minutes;
  out.mileage_rate_pence = policy.mileage_rate_pence;
  return out;
}

}  // namespace cohours::app
