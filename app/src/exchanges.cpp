#include "cohours/app/exchanges.h"

#include "cohours/app/format.h"
#include "cohours/app/names.h"
#include "cohours/dates.h"
#include "try.h"

namespace cohours::app {

namespace {

// An hours movement (not a transfer) named by its id as typed.
Result<Movement> hours_movement(Node& node, const std::string& id_text, const char* hint) {
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(id_text));
  auto found = node.ledger().movement(id);
  if (!found.ok() || !is_help(found->kind))
    return Result<Movement>(Code::unknown_entry, "entry " + id_text + " is not an hours entry" + hint);
  return found.value();
}

RespiteView view_of_request(Node& node, const RespiteRequestState& r) {
  return {r.id, member_name(node, r.carer), r.minutes, r.date_days, r.status, r.offer};
}

// Who signs for whom: a member acts in their own name; a coordinator acting
// for `member` signs on their behalf. Zero when no on-behalf is needed.
Result<PublicKey> on_behalf_for(Node& node, const PublicKey& signer, const PublicKey& member) {
  if (signer == member || member.is_zero()) return PublicKey{};
  TRY_ASSIGN(MemberInfo info, node.ledger().member(signer));
  if (info.roles & role_coordinator) return member;
  return PublicKey{};
}

// A group session's confirm or void (docs/decisions.md "Group sessions")
// is signed in the member's own name; the engine decides whose shares it
// closes (a coordinator's: every pending one). The view adds up the legs
// this entry closed.
Result<HoursClosed> closed_group_legs(Node& node, const EntryId& group, const Result<Accepted>& submitted) {
  TRY_ASSIGN(auto all, node.ledger().group_legs(group));
  if (!submitted.ok()) {
    // The engine names members by the first 12 hex digits of their key.
    std::string message = submitted.status().message();
    for (const auto& leg : all)
      for (const PublicKey* key : {&leg.provider, &leg.recipient}) {
        if (key->is_zero()) continue;
        const std::string hex = to_hex(*key).substr(0, 12), name = member_name(node, *key);
        for (auto at = message.find(hex); at != std::string::npos; at = message.find(hex, at + name.size()))
          message.replace(at, hex.size(), name);
      }
    return Result<HoursClosed>(submitted.status().code(), message);
  }
  const Accepted& accepted = submitted.value();
  TRY_ASSIGN(auto legs, node.ledger().group_legs(group));
  std::vector<Movement> closed;
  for (const auto& leg : legs)
    if (leg.closed_by == accepted.id) closed.push_back(leg);
  MovementView view = merged_view(node, closed.empty() ? legs : closed);
  view.status = MovementStatus::pending;  // as it was before this entry, as for single hours
  return HoursClosed{accepted, view};
}

}  // namespace

Result<HoursLogged> log_hours(Node& node, const LogHours& r) {
  TRY_ASSIGN(PublicKey author, member_key(node, r.as));
  // A volunteer of another co-op (ALIAS@NODE): the hours are logged here,
  // where they are paid, and reach the volunteer through clearing.
  std::optional<RemoteMember> visitor;
  if (!r.on_behalf_of.empty()) {
    TRY_ASSIGN(visitor, remote_member(node, r.on_behalf_of));
  }
  PublicKey provider = author;
  if (visitor) {
    provider = visitor->member;
  } else if (!r.on_behalf_of.empty()) {
    TRY_ASSIGN(provider, member_key(node, r.on_behalf_of));
  }
  HoursLog body;
  body.minutes = r.minutes;
  body.category = r.category;
  body.date_days = r.date_days;
  if (r.to == "community") {
    body.payer = Payer::pool;
  } else {
    TRY_ASSIGN(body.recipient, member_key(node, r.to));
    TRY_ASSIGN(MemberInfo recipient, node.ledger().member(body.recipient));
    body.payer = payer_for(recipient);
  }
  if (!valid_category(body.category))
    return Result<HoursLogged>(Code::unknown_category,
                               "category '" + body.category + "' is not allowed (see `cohours policy show`)");
  if (!r.again && !visitor) {
    TRY_ASSIGN(auto matches, same_hours(node, provider, body.recipient, body.date_days, body.minutes));
    if (!matches.empty())
      return Result<HoursLogged>(Code::possible_duplicate, describe_same_hours(node, matches.front()) +
                                                           "; if this is more help, log it again with --again");
  }
  Submission submission(node);
  TRY_ASSIGN(body.note_digest, submission.note(r.note));
  Result<Accepted> accepted =
      visitor ? submission.as_member(author, RemoteHoursLog{visitor->member, visitor->node, body})
              : submission.as_member(author, body, r.on_behalf_of.empty() ? PublicKey{} : provider);
  if (!accepted.ok()) return accepted.status();
  if (visitor) learn_remote_names(node, {{visitor->node, visitor->member, true}});  // KEY@NODE: ask the name
  TRY_ASSIGN(Movement movement, node.ledger().movement(accepted->id));
  HoursLogged out{accepted.value(), view_of(node, movement), visitor.has_value(),
                  visitor ? remote_party_name(node, {visitor->node, visitor->member, true})
                          : member_name(node, provider)};
  return out;
}

Result<HoursClosed> confirm_hours(Node& node, const ConfirmHours& r) {
  TRY_ASSIGN(PublicKey signer, member_key(node, r.as));
  if (auto group = node.ledger().resolve_id(r.id); group.ok() && node.ledger().group_legs(*group).ok()) {
    // For one member: signed on their behalf, so the engine closes their
    // share only (and refuses a signer who is not a coordinator).
    PublicKey behalf{};
    if (!r.for_member.empty()) {
      TRY_ASSIGN(behalf, member_key(node, r.for_member));
      if (behalf == signer) behalf = PublicKey{};
    }
    Submission submission(node);
    return closed_group_legs(node, *group, submission.as_member(signer, HoursConfirm{*group}, behalf));
  }
  if (!r.for_member.empty())
    return Status(Code::malformed,
                  "--for names one member's share of a group session; this entry is not one (confirm it as its "
                  "recipient, or as a coordinator without --for)");
  TRY_ASSIGN(Movement movement,
             hours_movement(node, r.id, " (give the id printed by `hours log` or `respite offer`)"));
  TRY_ASSIGN(PublicKey behalf, on_behalf_for(node, signer, movement.recipient));
  Submission submission(node);
  TRY_ASSIGN(Accepted accepted, submission.as_member(signer, HoursConfirm{movement.id}, behalf));
  return HoursClosed{accepted, view_of(node, movement)};
}

Result<HoursClosed> void_hours(Node& node, const VoidHours& r) {
  TRY_ASSIGN(PublicKey signer, member_key(node, r.as));
  if (auto group = node.ledger().resolve_id(r.id); group.ok() && node.ledger().group_legs(*group).ok()) {
    Submission submission(node);
    TRY_ASSIGN(Hash32 reason, submission.note(r.reason));
    return closed_group_legs(node, *group, submission.as_member(signer, HoursVoid{*group, reason}));
  }
  TRY_ASSIGN(Movement movement, hours_movement(node, r.id, ""));
  Submission submission(node);
  TRY_ASSIGN(Hash32 reason, submission.note(r.reason));
  // A coordinator voids in their own name: the rules allow it without acting for anyone.
  TRY_ASSIGN(Accepted accepted, submission.as_member(signer, HoursVoid{movement.id, reason}));
  return HoursClosed{accepted, view_of(node, movement)};
}

Result<RespiteDone> request_respite(Node& node, const RequestRespite& r) {
  TRY_ASSIGN(PublicKey carer, member_key(node, r.as));
  Submission submission(node);
  RespiteRequest body{r.minutes, r.date_days, {}};
  TRY_ASSIGN(body.note_digest, submission.note(r.note));
  TRY_ASSIGN(Accepted accepted, submission.as_member(carer, body));
  TRY_ASSIGN(RespiteRequestState state, node.ledger().respite_request(accepted.id));
  return RespiteDone{accepted, view_of_request(node, state), ""};
}

Result<RespiteDone> offer_respite(Node& node, const OfferRespite& r) {
  TRY_ASSIGN(PublicKey volunteer, member_key(node, r.as));
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(r.id));
  TRY_ASSIGN(RespiteRequestState state, node.ledger().respite_request(id));
  Submission submission(node);
  TRY_ASSIGN(Accepted accepted, submission.as_member(volunteer, RespiteOffer{id}));
  return RespiteDone{accepted, view_of_request(node, state), member_name(node, volunteer)};
}

Result<RespiteDone> cancel_respite(Node& node, const CancelRespite& r) {
  TRY_ASSIGN(PublicKey signer, member_key(node, r.as));
  TRY_ASSIGN(EntryId id, node.ledger().resolve_id(r.id));
  TRY_ASSIGN(RespiteRequestState state, node.ledger().respite_request(id));
  TRY_ASSIGN(PublicKey behalf, on_behalf_for(node, signer, state.carer));
  Submission submission(node);
  TRY_ASSIGN(Accepted accepted, submission.as_member(signer, RespiteCancel{id}, behalf));
  return RespiteDone{accepted, view_of_request(node, state), ""};
}

Result<RespiteList> list_respite(Node& node, const ListRespite& r) {
  TRY_ASSIGN(auto requests, node.ledger().respite_requests());
  RespiteList out;
  for (const auto& request : requests)
    if (!r.status || request.status == *r.status) out.requests.push_back(view_of_request(node, request));
  return out;
}

Result<CreditsSent> send_credits(Node& node, const SendCredits& r) {
  TRY_ASSIGN(PublicKey sender, member_key(node, r.as));
  TRY_ASSIGN(std::optional<RemoteMember> remote, remote_member(node, r.to));
  Submission submission(node);
  TRY_ASSIGN(Hash32 memo, submission.note(r.memo));
  if (remote) {
    // A member of another co-op: transfer.out here, transfer.in there.
    TRY_ASSIGN(Accepted accepted,
               submission.as_member(sender, TransferOut{remote->member, remote->node, r.minutes, memo}));
    const RemoteParty party{remote->node, remote->member, true};
    learn_remote_names(node, {party});  // KEY@NODE: ask the name it shows
    return CreditsSent{accepted, member_name(node, sender), remote_party_name(node, party), remote->node_name};
  }
  TRY_ASSIGN(PublicKey to, member_key(node, r.to));
  TRY_ASSIGN(Accepted accepted, submission.as_member(sender, Transfer{to, r.minutes, memo}));
  return CreditsSent{accepted, member_name(node, sender), member_name(node, to), ""};
}

Result<Reversed> reverse(Node& node, const Reverse& r) {
  TRY_ASSIGN(PublicKey admin, member_key(node, r.as));
  TRY_ASSIGN(EntryId target, node.ledger().resolve_id(r.id));
  Submission submission(node);
  TRY_ASSIGN(Hash32 reason, submission.note(r.reason));
  // The engine says what may be reversed; the movement is read afterwards.
  TRY_ASSIGN(Accepted accepted, submission.as_member(admin, Reversal{target, reason}));
  if (auto legs = node.ledger().group_legs(target); legs.ok()) {
    std::vector<Movement> reversed;
    for (const auto& leg : *legs)
      if (leg.closed_by == accepted.id) reversed.push_back(leg);
    return Reversed{accepted, merged_view(node, reversed.empty() ? *legs : reversed)};
  }
  TRY_ASSIGN(Movement movement, node.ledger().movement(target));
  return Reversed{accepted, view_of(node, movement)};
}

}  // namespace cohours::app
