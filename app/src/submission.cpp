#include "cohours/app/submission.h"

#include "cohours/app/names.h"
#include "cohours/crypto.h"

namespace cohours::app {

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

Result<Accepted> Submission::submit(const Entry& entry, const SecretKey& secret) {
  SignedEntry signed_entry = sign_entry(entry, secret);
  SubmitResult result = node_.ledger().submit_one(signed_entry.bytes);
  if (!result.ok()) return Result<Accepted>(result.code, result.message);
  unsubmitted_notes_.clear();
  return Accepted{result.id, result.seq, result.duplicate};
}

Result<Accepted> Submission::as_member(const PublicKey& author, const EntryBody& body,
                                       const PublicKey& on_behalf) {
  auto secret = node_.keyring().secret(author);
  if (!secret.ok()) {
    if (secret.code() != Code::not_permitted) return secret.status();
    return Result<Accepted>(Code::not_permitted, member_name(node_, author) +
                                                     "'s key is not in this node's keyring; "
                                                     "members with their own key sign on their phone");
  }
  const PublicKey& self = node_.identity().public_key;
  Entry entry{kEntryFormatVersion, self, author, on_behalf, node_.clock().now_ms(), random_u64(), body};
  return submit(entry, secret.value());
}

Result<Accepted> Submission::as_node(const EntryBody& body) {
  const NodeIdentity& id = node_.identity();
  Entry entry{kEntryFormatVersion,    id.public_key, id.public_key, {},
              node_.clock().now_ms(), random_u64(),  body};
  return submit(entry, id.secret_key);
}

}  // namespace cohours::app
