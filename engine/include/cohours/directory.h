// The erasable member directory: aliases, contact details and private note
// texts. Nothing here is signed or hashed into the log, so erasing it leaves
// the log verifiable (DESIGN.md, privacy).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cohours/result.h"
#include "cohours/store.h"
#include "cohours/types.h"

namespace cohours {

// An alias is 1..32 of [a-z0-9._-], starting with a letter or digit.
bool valid_alias(std::string_view alias);
// Aliases no member may take: account words and the forms of generated
// display names (directory.cpp says which).
bool reserved_alias(std::string_view alias);

struct DirectoryEntry {
  PublicKey key;
  std::string alias;
  std::string contact;  // free text, e.g. a phone number; may be empty
};

// An invitation to join from a phone: a coordinator gave a one-time code
// to a person; whoever enrols with it before it expires joins with this
// alias and these roles. Only the code's digest is kept, so reading the
// store does not give away a code that can still be used. An invitation
// for a member who lost their phone (`member rekey`) names that member:
// the key enrolled with it becomes their new key instead of a new member's.
struct Invitation {
  Hash32 code_digest;  // BLAKE2b-256 of the code as typed (normalised)
  std::string alias;
  std::uint32_t roles = 0;
  PublicKey inviter;  // the coordinator or admin who invited
  std::int64_t expires_ms = 0;
  PublicKey member;  // zero: a new member joins; else the member (identity) whose new phone enrols
};

// Thread-safe as the Store is. Writes are synced.
class Directory {
 public:
  explicit Directory(Store& store) : store_(store) {}

  // Binds alias <-> key. already_exists if either is bound already;
  // malformed for a bad alias, a reserved one (pool, community, node) or
  // contact details over 255 bytes.
  Status add(const DirectoryEntry& entry);
  Status remove(const PublicKey& key);
  // Changes alias and contact of a key that has an entry, in one write.
  Status replace(const DirectoryEntry& entry);
  Result<PublicKey> key_for(std::string_view alias) const;  // unknown_member if absent
  std::optional<DirectoryEntry> find(const PublicKey& key) const;
  Result<std::vector<DirectoryEntry>> list() const;

  // Stores a private note under a fresh random salt; returns the keyed
  // digest that an entry carries instead of the text.
  Result<Hash32> put_note(std::string_view text);
  // Stores a private note under a salt the client chose: a phone signs
  // offline, so it makes the salt and the digest (note_digest) before the
  // node sees the text. Returns the digest. malformed for a zero salt (it
  // would make the digest a guessable one) or a note over 4096 bytes.
  // Storing the same salt and text again is idempotent.
  Result<Hash32> put_note(std::string_view text, const Hash32& salt);
  std::optional<std::string> note(const Hash32& digest) const;
  Status erase_note(const Hash32& digest);

  // Invitations, by the digest of their code. put: already_exists if that
  // digest is held; malformed for a bad alias. take: not_found if absent.
  Status put_invitation(const Invitation& invitation);
  Result<Invitation> invitation(const Hash32& code_digest) const;
  Status remove_invitation(const Hash32& code_digest);
  Result<std::vector<Invitation>> invitations() const;

  // Receipt uploads: which member sent the receipt file with that digest
  // from a phone (POST /v1/receipts), so `member forget` can erase a file
  // no claim names and the node can bound how many such files one member
  // keeps. The same bytes sent by two members are recorded for both.
  // put is idempotent.
  Status put_upload(const PublicKey& member, const Hash32& digest);
  Status remove_upload(const PublicKey& member, const Hash32& digest);
  Result<std::vector<Hash32>> uploads(const PublicKey& member) const;
  // Every member recorded as uploading that digest.
  Result<std::vector<PublicKey>> uploaders(const Hash32& digest) const;

  // Names of members of other consortium nodes (`alice` of alice@hilltop),
  // learnt so statements name the person at the other end of a cross-co-op
  // transfer: (their node's key, their key) -> alias. Like aliases, kept
  // off the log and never in a row key. put: malformed for an alias that is
  // not valid_alias (the other node's directory would not hold it); a put
  // replaces a name held. erase_remote_aliases: every name learnt from
  // `node` (zero: from every node); answers how many were erased.
  Status put_remote_alias(const PublicKey& node, const PublicKey& member, std::string_view alias);
  std::optional<std::string> remote_alias(const PublicKey& node, const PublicKey& member) const;
  Status erase_remote_alias(const PublicKey& node, const PublicKey& member);
  Result<std::size_t> erase_remote_aliases(const PublicKey& node);

 private:
  // The key whose entry has this alias, if any; corruption for a member row
  // that does not decode.
  Result<std::optional<PublicKey>> holder_of(std::string_view alias) const;
  // Erases the "alias:" index that stores before issue 13 kept (directory.cpp).
  Status drop_old_alias_index();

  Store& store_;
};

// The digest an entry carries for a private note: BLAKE2b-256 of the text,
// keyed with the 32-byte salt (docs/data-format.md, privacy). Front ends use
// it to check a digest a client claims for a text and salt.
Hash32 note_digest(const Hash32& salt, std::string_view text);

// Display name: the alias, or "member-" + the key's first 8 hex digits for
// a key with no directory entry (never joined here, or forgotten).
std::string display_name(const Directory& directory, const PublicKey& key);

}  // namespace cohours
