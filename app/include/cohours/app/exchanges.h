// Use cases that move credits: hours of help, respite, transfers, reversals,
// signed with keys the node holds (members without a phone, and
// coordinators entering paper timesheets). Entries signed on a phone come in
// through submit.h instead; both meet the same ledger rules in the engine.
//
// Members are named as people type them (alias, ALIAS@NODE, or a 64-hex
// key); entries by their id or its first 8+ hex digits. Each call returns
// the accepted entry and what it did, or the refusal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cohours/app/movements.h"
#include "cohours/app/node.h"
#include "cohours/app/submission.h"

namespace cohours::app {

// hours log: `as` gave `to` (an alias, or "community") help; pending until
// the recipient or a coordinator confirms. A coordinator entering a
// timesheet signs as themselves `on_behalf_of` the volunteer; ALIAS@NODE
// names a volunteer of another co-op (hours.log.remote). Service users'
// help is paid by the pool.
struct LogHours {
  std::string as;
  std::string on_behalf_of;
  std::string to;
  std::int64_t minutes = 0;
  std::string category;
  std::int32_t date_days = 0;
  std::string note;  // private, kept off the log
  // Hours with the same provider, recipient, day and length already
  // logged (pending or confirmed) are a possible duplicate: refused with
  // possible_duplicate unless `again` says this is more help.
  bool again = false;
};
struct HoursLogged {
  Accepted entry;
  MovementView movement;
  bool other_coop = false;  // the provider is a volunteer of another co-op
  std::string provider;     // the alias, or alice@riverside for another co-op's volunteer (names.h remote_party_name)
};
Result<HoursLogged> log_hours(Node& node, const LogHours& request);

// hours confirm / hours void: the recipient (or a coordinator for them)
// confirms; the provider, the recipient or a coordinator voids.
struct ConfirmHours {
  std::string id;
  std::string as;
  // A group session only: the one member whose share a coordinator
  // confirms on their behalf (empty: a coordinator confirms every share).
  std::string for_member;
};
struct VoidHours {
  std::string id;
  std::string as;
  std::string reason;  // private
};
struct HoursClosed {
  Accepted entry;
  MovementView movement;  // as it was before this entry
};
Result<HoursClosed> confirm_hours(Node& node, const ConfirmHours& request);
Result<HoursClosed> void_hours(Node& node, const VoidHours& request);

// respite request / offer / cancel / list.
struct RequestRespite {
  std::string as;  // the carer
  std::int64_t minutes = 0;
  std::int32_t date_days = 0;
  std::string note;  // private
};
struct OfferRespite {
  std::string id;  // the request
  std::string as;  // the volunteer
};
struct CancelRespite {
  std::string id;
  std::string as;  // the carer, or a coordinator
};
struct RespiteView {
  EntryId id;
  std::string carer;
  std::int64_t minutes = 0;
  std::int32_t date_days = 0;
  RequestStatus status = RequestStatus::open;
  EntryId offer;  // zero if none
};
struct RespiteDone {
  Accepted entry;
  RespiteView request;    // as it was before this entry
  std::string volunteer;  // the offer's volunteer, for an offer
};
Result<RespiteDone> request_respite(Node& node, const RequestRespite& request);
Result<RespiteDone> offer_respite(Node& node, const OfferRespite& request);
Result<RespiteDone> cancel_respite(Node& node, const CancelRespite& request);

struct ListRespite {
  std::optional<RequestStatus> status;  // all when empty
};
struct RespiteList {
  std::vector<RespiteView> requests;
};
Result<RespiteList> list_respite(Node& node, const ListRespite& request);

// transfer: `as` gives credits to `to` at once; ALIAS@NODE sends them to a
// member of another co-op (transfer.out here, transfer.in there).
struct SendCredits {
  std::string as;
  std::string to;
  std::int64_t minutes = 0;
  std::string memo;  // private
};
struct CreditsSent {
  Accepted entry;
  std::string sender;
  std::string recipient;   // the alias, or alice@riverside (names.h remote_party_name)
  std::string other_node;  // the receiving co-op's name, for another co-op
};
Result<CreditsSent> send_credits(Node& node, const SendCredits& request);

// reverse: an admin undoes posted hours or a transfer.
struct Reverse {
  std::string id;
  std::string as;
  std::string reason;  // private
};
struct Reversed {
  Accepted entry;
  MovementView movement;  // as it is after the reversal
};
Result<Reversed> reverse(Node& node, const Reverse& request);

}  // namespace cohours::app
