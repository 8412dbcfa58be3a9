#include "cohours/app/submission.h"

#include "cohours/app/names.h"
#include "cohours/crypto.h"

namespace cohours::app {

bool node_signs_for(Node& node, const PublicKey& member) {
  auto current = node.ledger().current_key(member);
  return current.ok() && !current->is_zero() && node.keyring().holds(current.value());
}

Submission::~Submission() {
  for (const Hash32& digest : unsubmitted_notes_) (void)node_.directory().erase_note(digest);
}

Result<Hash32> Submission::note(std::string_view text) {
  if (text.empty()) return Hash32{};
  auto digest = node_.directory().put_note(text);
  if (!digest.ok()) return digest.status();
  unsubmitted_notes_.push_back(digest.value());
  return digest.value();
}

Result<Hash32> Submission::note(std::string_view text, const Hash32& salt) {
  if (text.empty()) return Hash32{};
  const bool held = node_.directory().note(note_digest(salt, text)).has_value();
  auto digest = node_.directory().put_note(text, salt);
  if (!digest.ok()) return digest.status();
  if (!held) unsubmitted_notes_.push_back(digest.value());
  return digest.value();
}

Result<Accepted> Submission::submit(const SignedEntry& signed_entry) {
  SubmitResult result = node_.ledger().submit_one(signed_entry.bytes);
  if (!result.ok()) return Result<Accepted>(result.code, result.message);
  unsubmitted_notes_.clear();
  return Accepted{result.id, result.seq, result.duplicate};
}

Result<Accepted> Submission::as_member(const PublicKey& author, const EntryBody& body,
                                       const PublicKey& on_behalf) {
  auto signed_entry = sign_as_member(author, body, on_behalf, node_.clock().now_ms(), random_u64());
  if (!signed_entry.ok()) return signed_entry.status();
  return submit(signed_entry.value());
}

Result<SignedEntry> Submission::sign_as_member(const PublicKey& author, const EntryBody& body,
                                               const PublicKey& on_behalf, std::int64_t created_ms,
                                               std::uint64_t nonce) {
  // After a rekey another key signs for the member; a key that is no
  // member's identity signs as itself (and the ledger judges it).
  PublicKey signer = author;
  if (auto current = node_.ledger().current_key(author); current.ok()) {
    if (current->is_zero())
      return Result<SignedEntry>(Code::not_permitted, member_name(node_, author) +
                                                       "'s key was retired and no new one is enrolled yet "
                                                       "(member rekey); a coordinator signs on their behalf");
    signer = current.value();
  }
  auto secret = node_.keyring().secret(signer);
  if (!secret.ok()) {
    if (secret.code() != Code::not_permitted) return secret.status();
    return Result<SignedEntry>(Code::not_permitted, member_name(node_, author) +
                                                     "'s key is not in this node's keyring; "
                                                     "members with their own key sign on their phone");
  }
  const PublicKey self = node_.ledger().node_key();
  Entry entry{kEntryFormatVersion, self, signer, on_behalf, created_ms, nonce, body};
  return sign_entry(entry, secret.value());
}

Result<Accepted> Submission::as_node(const EntryBody& body) {
  const NodeIdentity& id = node_.identity();
  // For the node's log (its first key), signed by the key that signs for it now.
  Entry entry{kEntryFormatVersion,    node_.ledger().node_key(), id.public_key, {},
              node_.clock().now_ms(), random_u64(),              body};
  return submit(sign_entry(entry, id.secret_key));
}

}  // namespace cohours::app
