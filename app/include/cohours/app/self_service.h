// What a member does and sees for themself, from their own phone: the
// entries they signed there, their balance, what waits for their
// confirmation, the respite board, their expense claims, and whom they can
// name. The member is a key a front end has authenticated (a signed
// request, docs/api.md); these use cases never hold a member's secret key.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cohours/app/accounts.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/node.h"

namespace cohours::app {

// The member a key signs for (rekey.h): the member's identity or the key
// that signs for them since a rekey, of a member here whose details the
// co-op holds. Answers with the member (their identity). unknown_member for
// a key that never joined or signed for anyone, or whose member was
// forgotten (`member forget`); not_permitted for a key a rekey retired.
// Such keys are not let in.
Result<MemberInfo> member_for_key(Node& node, const PublicKey& key);

// Entries signed on the member's phone, as their signed bytes, with the
// texts of the private notes they carry. Each note's salt was chosen by the
// phone, so it signed the digest while offline; the node checks each note
// against the digests the entries carry and keeps only notes of accepted
// entries. malformed (nothing stored) if a note matches no entry's digest
// or there are more than kMaxEntriesPerSubmission entries.
//
// An expense.claim naming a receipt is taken only while that receipt is
// kept here (receipts.h; the phone sends it first): otherwise that entry is
// refused not_found, before the ledger sees it. This is not a ledger rule
// (receipts are not in the log, and other nodes never hold them), so the
// refusal is not remembered: the same bytes are taken once the receipt is
// kept. A claim already in the log is answered duplicate as ever.
inline constexpr std::size_t kMaxEntriesPerSubmission = 100;
struct NoteText {
  Hash32 salt;
  std::string text;
};
struct SubmitSigned {
  PublicKey member;  // the authenticated key (the phone's): every entry's author
  std::vector<Bytes> entries;
  std::vector<NoteText> notes;
  // hours.log entries the member said are more help, not a second record of
  // the same help: without this, hours like some already logged (same
  // volunteer, recipient, day and length) are refused possible_duplicate.
  std::vector<EntryId> again;
};
enum class Outcome : std::uint8_t { stored = 1, duplicate = 2, refused = 3 };
struct EntryOutcome {
  Outcome outcome = Outcome::refused;
  EntryId id;             // BLAKE2b-256 of the bytes, even if they do not decode
  std::uint64_t seq = 0;  // stored, duplicate
  Code code = Code::ok;   // refused: why
  std::string message;    // refused: in words
};
struct SubmitOutcomes {
  std::vector<EntryOutcome> results;  // one per entry, in order
};
Result<SubmitOutcomes> submit_signed(Node& node, const SubmitSigned& request);

// The member's own page: who they are, where they stand.
struct ShowSelf {
  PublicKey member;  // the authenticated key: the member's identity or the key that signs for them
};
struct SelfView {
  std::string alias;
  PublicKey key;         // the key asking (the phone's)
  PublicKey member_key;  // the member's identity: `key`, or the key they joined with after a rekey
  std::uint32_t roles = 0;
  std::string node_name;
  PublicKey node_key;
  std::string currency;
  Balance balance;
  std::uint64_t to_confirm = 0;  // hours waiting for this member's confirmation
  // The member's check current today that runs longest (none: no current
  // one), and what the co-op needs a check for (docs/safeguarding.md).
  struct Vetting {
    VettingKind kind = VettingKind::dbs_enhanced_barred;
    std::int32_t expires_days = 0;
    std::int32_t days_left = 0;
  };
  std::optional<Vetting> vetting;
  std::vector<std::string> vetting_needed_for;
};
Result<SelfView> show_self(Node& node, const ShowSelf& request);

// Hours waiting for the member's confirmation (a coordinator also sees
// community hours and hours for members whose keys the node holds, which
// they confirm on their behalf), and hours the member logged that wait for
// someone else.
struct PendingItem {
  MovementView movement;
  bool on_behalf = false;  // a coordinator would confirm for the recipient
};
struct PendingFor {
  std::vector<PendingItem> to_confirm;
  std::vector<PendingItem> waiting;
};
Result<PendingFor> pending_for(Node& node, const ShowSelf& request);

// Open respite requests anyone may offer to, and the member's own requests.
struct RespiteMine {
  RespiteView request;
  std::string volunteer;  // who offered, if anyone
};
struct RespiteBoard {
  std::vector<RespiteView> open;  // not the member's own
  std::vector<RespiteMine> mine;
};
Result<RespiteBoard> respite_board(Node& node, const ShowSelf& request);

// The member's expense claims, newest first (by the day of the cost).
struct ClaimView {
  EntryId id;
  std::string member;  // the claimant's name (names.h member_name)
  std::int32_t date_days = 0;
  ExpenseCategory category = ExpenseCategory::other;
  std::int64_t pence = 0;
  std::uint32_t miles = 0;
  ExpenseStatus status = ExpenseStatus::claimed;
  std::int32_t paid_days = 0;  // status paid
  Hash32 receipt_digest;
};
struct ClaimList {
  std::string currency;
  std::vector<ClaimView> claims;
};
Result<ClaimList> claims_of(Node& node, const ShowSelf& request);

// The co-op's views for the roles that keep it: every balance
// (coordinators, admins, auditors), every pending hours entry
// (coordinators), every expense claim and its state, newest first like
// claims_of (admins, who decide on claims, and auditors). not_permitted
// for anyone else.
Result<Balances> coop_balances(Node& node, const ShowSelf& request);
Result<PendingFor> coop_pending(Node& node, const ShowSelf& request);
Result<ClaimList> coop_expenses(Node& node, const ShowSelf& request);

// Whom a member can name in an entry, and the co-op's choices for one:
// aliases, keys and roles only, never contact details.
struct ShowCoop {};
struct CoopMember {
  std::string alias;
  PublicKey key;
  std::uint32_t roles = 0;
};
struct CoopView {
  std::vector<CoopMember> members;  // sorted by alias
  std::vector<std::string> categories;
  std::int64_t max_entry_minutes = 0;
  std::int64_t mileage_rate_pence = 0;
};
Result<CoopView> show_coop(Node& node, const ShowCoop& request);

}  // namespace cohours::app
