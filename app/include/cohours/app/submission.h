// Entries a use case makes and signs for a member whose key the node holds
// (or with the node key), and the private notes that go with them.
//
// A note's text is kept in the erasable directory and only its keyed digest
// goes into the entry. If the entry is then refused, or the use case fails
// before submitting, the notes it kept are erased again: no personal data
// outlives a failed request.
#pragma once

#include <string_view>
#include <vector>

#include "cohours/app/node.h"
#include "cohours/entry.h"
#include "cohours/result.h"

namespace cohours::app {

// Whether the node signs for `member` (an identity): the key that signs for
// them now (after a rekey, not the identity) is in its keyring. False for
// a member who waits for a new key, and for a key that is no member's.
bool node_signs_for(Node& node, const PublicKey& member);

// What an accepted entry became.
struct Accepted {
  EntryId id;
  std::uint64_t seq = 0;
  bool duplicate = false;  // the same bytes were accepted before
};

class Submission {
 public:
  explicit Submission(Node& node) : node_(node) {}
  ~Submission();
  Submission(const Submission&) = delete;
  Submission& operator=(const Submission&) = delete;

  // Keeps `text` as a private note; its digest (zero for empty text).
  Result<Hash32> note(std::string_view text);
  // Keeps `text` under a salt the use case derived (a timesheet row's, so
  // a retry makes the same digest). A note already kept under that salt
  // is not erased if this submission fails: it belongs to an earlier one.
  Result<Hash32> note(std::string_view text, const Hash32& salt);
  // The notes kept so far belong to entries the use case submitted itself
  // (Ledger::submit_together) and stored: keep them.
  void keep_notes() { unsubmitted_notes_.clear(); }
  // Signs `body` as the member `author` (an identity) with the keyring key
  // that signs for them now (a new one after a rekey), acting for
  // `on_behalf` if not zero, for this node, and submits it. not_permitted
  // if that key is not in the keyring or the member waits for a new key;
  // the ledger's refusal otherwise.
  Result<Accepted> as_member(const PublicKey& author, const EntryBody& body, const PublicKey& on_behalf = {});
  // Signs as as_member() does, without submitting, with the time and nonce
  // given: entries a use case submits together whose bytes derive from
  // their input, so that a retry makes the same bytes.
  Result<SignedEntry> sign_as_member(const PublicKey& author, const EntryBody& body, const PublicKey& on_behalf,
                                     std::int64_t created_ms, std::uint64_t nonce);
  // Signs with the node key (membership entries by the operator).
  Result<Accepted> as_node(const EntryBody& body);

 private:
  Result<Accepted> submit(const SignedEntry& signed_entry);

  Node& node_;
  std::vector<Hash32> unsubmitted_notes_;
};

}  // namespace cohours::app
