#include "cohours/directory.h"

#include "codec.h"
#include "cohours/crypto.h"
#include "cohours/text.h"
#include "state.h"

namespace cohours {

namespace {

// No row is keyed by an alias: RocksDB's MANIFEST records the first and
// last key of every table file and keeps them until the store is reopened,
// so an alias in a key could outlive `member forget`. Aliases live only in
// the member rows' values; lookups by alias read those rows (a co-op has
// about a hundred members; a few thousand read in milliseconds).
// Stores written before this kept an "alias:" + alias index; nothing reads
// it now, and every change of the directory erases the whole range, with
// bounds that name no one.
constexpr std::string_view kOldAliasIndexFrom = "alias:";
constexpr std::string_view kOldAliasIndexTo = "alias;";

std::string member_key(const PublicKey& key) {
  return "member:" + key_of(key);
}

std::string invitation_key(const Hash32& code_digest) {
  return "invite:" + key_of(code_digest);
}

// "upload:" + member key + receipt digest, an empty value: member first,
// so one member's uploads are one range.
constexpr std::string_view kUploadPrefix = "upload:";
std::string upload_key(const PublicKey& member, const Hash32& digest) {
  return std::string(kUploadPrefix) + key_of(member) + key_of(digest);
}

// "remote:" + node key + member key -> the alias there: node first, so
// one node's names are one range.
constexpr std::string_view kRemotePrefix = "remote:";
std::string remote_key(const PublicKey& node, const PublicKey& member) {
  return std::string(kRemotePrefix) + key_of(node) + key_of(member);
}

template <typename C>
void invitation_layout(C& c, Invitation& i) {
  c.fixed(i.code_digest);
  c.short_string(i.alias, 32);
  c.num(i.roles);
  c.fixed(i.inviter);
  c.num(i.expires_ms);
  // Rows written before `member` existed end here, and name no member.
  if constexpr (C::decoding) {
    if (c.remaining() == 0) return;
  }
  c.fixed(i.member);
}

template <typename C>
void layout(C& c, DirectoryEntry& e) {
  c.fixed(e.key);
  c.short_string(e.alias, 32);
  c.short_string(e.contact, 255);
}

}  // namespace

bool valid_alias(std::string_view alias) {
  if (alias.empty() || alias.size() > 32) return false;
  for (std::size_t i = 0; i < alias.size(); ++i) {
    char ch = alias[i];
    bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-'))) return false;
  }
  return true;
}

// Words that front ends read as accounts or signers, never as a member
// (`balance pool`, `--to community`, the node's own key), and the forms of
// the names reports give to what has no alias (`member-a8fa46e1` once
// forgotten, `clearing-riverside`, `node-1f2e3d4c`), which a chosen alias
// could otherwise impersonate. Checked here so no front end can bind them.
bool reserved_alias(std::string_view alias) {
  if (alias == "pool" || alias == "community" || alias == "node") return true;
  for (std::string_view prefix : {"member-", "clearing-", "node-"})
    if (alias.substr(0, prefix.size()) == prefix) return true;
  return false;
}

namespace {

Status check_fields(const DirectoryEntry& entry) {
  if (!valid_alias(entry.alias))
    return Status(Code::malformed,
                  "alias '" + entry.alias +
                      "' must be 1-32 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
  if (reserved_alias(entry.alias))
    return Status(Code::malformed, "'" + entry.alias +
                                       "' is reserved (a word commands read as an account, or the form of a "
                                       "name reports make up); choose another alias");
  if (!utf8_characters(entry.contact)) return Status(Code::malformed, "contact details are not UTF-8 text");
  // The limit is the encoding's (a one-byte length); say what it means in letters.
  if (entry.contact.size() > 255)
    return Status(Code::malformed,
                  "contact details are limited to 255 bytes: 255 plain letters, fewer with "
                  "accents or other alphabets (these take " +
                      std::to_string(entry.contact.size()) + ")");
  return Status();
}

std::string encode_entry(const DirectoryEntry& entry) {
  Bytes row;
  {
    codec::Encoder encoder(row);
    layout(encoder, const_cast<DirectoryEntry&>(entry));
  }
  return std::string(row.begin(), row.end());
}

std::optional<DirectoryEntry> decode_entry(std::string_view raw) {
  DirectoryEntry entry;
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    layout(decoder, entry);
  } catch (...) {
    return std::nullopt;
  }
  return entry;
}

// The first bytes of a row's key, for a message about a damaged row.
std::string to_hex_prefix(std::string_view key) {
  return to_hex(reinterpret_cast<const std::uint8_t*>(key.data()), std::min<std::size_t>(key.size(), 16));
}

}  // namespace

Status Directory::add(const DirectoryEntry& entry) {
  if (Status s = check_fields(entry); !s.ok()) return s;
  auto holder = holder_of(entry.alias);
  if (!holder.ok()) return holder.status();
  if (holder.value()) return Status(Code::already_exists, "alias '" + entry.alias + "' is taken");
  std::string existing;
  Status found = store_.get(Column::directory, member_key(entry.key), &existing);
  if (found.ok()) return Status(Code::already_exists, "that key already has an alias");
  if (found.code() != Code::not_found) return found;
  WriteBatch batch;
  batch.put(Column::directory, member_key(entry.key), encode_entry(entry));
  return store_.write(batch, Durability::synced);
}

std::optional<DirectoryEntry> Directory::find(const PublicKey& key) const {
  std::string raw;
  if (!store_.get(Column::directory, member_key(key), &raw).ok()) return std::nullopt;
  return decode_entry(raw);
}

Status Directory::remove(const PublicKey& key) {
  auto entry = find(key);
  if (!entry) return Status(Code::unknown_member, "no directory entry for that key");
  if (Status s = drop_old_alias_index(); !s.ok()) return s;
  WriteBatch batch;
  batch.erase(Column::directory, member_key(key));
  return store_.write(batch, Durability::synced);
}

Status Directory::replace(const DirectoryEntry& entry) {
  auto old = find(entry.key);
  if (!old) return Status(Code::unknown_member, "no directory entry for that key");
  if (Status s = check_fields(entry); !s.ok()) return s;
  if (entry.alias != old->alias) {
    auto holder = holder_of(entry.alias);
    if (!holder.ok()) return holder.status();
    if (holder.value()) return Status(Code::already_exists, "alias '" + entry.alias + "' is taken");
  }
  if (Status s = drop_old_alias_index(); !s.ok()) return s;
  WriteBatch batch;
  batch.put(Column::directory, member_key(entry.key), encode_entry(entry));
  return store_.write(batch, Durability::synced);
}

Result<PublicKey> Directory::key_for(std::string_view alias) const {
  auto holder = holder_of(alias);
  if (!holder.ok()) return holder.status();
  if (!holder.value())
    return Status(Code::unknown_member,
                  "no member called '" + std::string(alias) + "' (see `cohours member list`)");
  return *holder.value();
}

Result<std::optional<PublicKey>> Directory::holder_of(std::string_view alias) const {
  auto cursor = store_.scan(Column::directory, "member:", "member;");
  for (; cursor->valid(); cursor->next()) {
    auto entry = decode_entry(cursor->value());
    if (!entry)
      return Status(Code::corruption, "a directory row (" + to_hex_prefix(cursor->key()) + ") is malformed");
    if (entry->alias == alias) return std::optional<PublicKey>(entry->key);
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return std::optional<PublicKey>();
}

Status Directory::drop_old_alias_index() {
  // Only stores that still hold the old index pay a write; the others would
  // gain a range tombstone at every change.
  bool held = false;
  {
    auto cursor = store_.scan(Column::directory, kOldAliasIndexFrom, kOldAliasIndexTo);
    held = cursor->valid();
    if (Status s = cursor->status(); !s.ok()) return s;
  }
  if (!held) return Status();
  return store_.erase_range(Column::directory, kOldAliasIndexFrom, kOldAliasIndexTo);
}

Result<std::vector<DirectoryEntry>> Directory::list() const {
  std::vector<DirectoryEntry> out;
  auto cursor = store_.scan(Column::directory, "member:", "member;");
  for (; cursor->valid(); cursor->next()) {
    auto key = cursor->key().substr(7);
    if (key.size() != 32) continue;
    PublicKey pk;
    std::copy(key.begin(), key.end(), pk.bytes.begin());
    if (auto entry = find(pk)) out.push_back(*entry);
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Hash32 note_digest(const Hash32& salt, std::string_view text) {
  return keyed_blake2b_256(std::span<const std::uint8_t>(salt.data(), Hash32::size()), text);
}

Result<Hash32> Directory::put_note(std::string_view text) {
  Hash32 salt;
  // A zero salt is refused below; 2^-256 odds, but the loop costs nothing.
  do random_bytes(salt.bytes);
  while (salt.is_zero());
  return put_note(text, salt);
}

Result<Hash32> Directory::put_note(std::string_view text, const Hash32& salt) {
  if (!utf8_characters(text)) return Status(Code::malformed, "a note must be UTF-8 text");
  if (text.size() > 4096)
    return Status(Code::malformed,
                  "a note is limited to 4096 bytes: 4096 plain letters, fewer with accents or "
                  "other alphabets (this one takes " +
                      std::to_string(text.size()) + ")");
  if (salt.is_zero())
    return Status(Code::malformed, "a note's salt must not be zero: choose 32 random bytes");
  Hash32 digest = note_digest(salt, text);
  std::string row = key_of(salt);
  row += text;
  // The digest names its salt and text, so a row already there is this one
  // (a retry), unless BLAKE2b collides; then keep the first.
  std::string existing;
  Status held = store_.get(Column::notes, key_of(digest), &existing);
  if (held.ok()) {
    if (existing != row) return Status(Code::already_exists, "another note has the same digest");
    return digest;
  }
  if (held.code() != Code::not_found) return held;
  WriteBatch batch;
  batch.put(Column::notes, key_of(digest), row);
  if (Status s = store_.write(batch, Durability::synced); !s.ok()) return s;
  return digest;
}

std::optional<std::string> Directory::note(const Hash32& digest) const {
  std::string raw;
  if (!store_.get(Column::notes, key_of(digest), &raw).ok() || raw.size() < 32) return std::nullopt;
  return raw.substr(32);
}

Status Directory::erase_note(const Hash32& digest) {
  WriteBatch batch;
  batch.erase(Column::notes, key_of(digest));
  return store_.write(batch, Durability::synced);
}

Status Directory::put_invitation(const Invitation& invitation) {
  if (!valid_alias(invitation.alias) || reserved_alias(invitation.alias))
    return Status(Code::malformed, "alias '" + invitation.alias + "' cannot be used");
  std::string existing;
  if (store_.get(Column::directory, invitation_key(invitation.code_digest), &existing).ok())
    return Status(Code::already_exists, "an invitation with that code exists");
  Bytes row;
  {
    codec::Encoder encoder(row);
    invitation_layout(encoder, const_cast<Invitation&>(invitation));
  }
  WriteBatch batch;
  batch.put(Column::directory, invitation_key(invitation.code_digest), std::string(row.begin(), row.end()));
  return store_.write(batch, Durability::synced);
}

Result<Invitation> Directory::invitation(const Hash32& code_digest) const {
  std::string raw;
  Status status = store_.get(Column::directory, invitation_key(code_digest), &raw);
  if (!status.ok()) return status;
  Invitation invitation;
  try {
    codec::Decoder decoder(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size());
    invitation_layout(decoder, invitation);
  } catch (...) {
    return Status(Code::corruption, "an invitation row is malformed");
  }
  return invitation;
}

Status Directory::remove_invitation(const Hash32& code_digest) {
  WriteBatch batch;
  batch.erase(Column::directory, invitation_key(code_digest));
  return store_.write(batch, Durability::synced);
}

Result<std::vector<Invitation>> Directory::invitations() const {
  std::vector<Invitation> out;
  auto cursor = store_.scan(Column::directory, "invite:", "invite;");
  for (; cursor->valid(); cursor->next()) {
    auto key = cursor->key().substr(7);
    if (key.size() != 32) continue;
    Hash32 digest;
    std::copy(key.begin(), key.end(), digest.bytes.begin());
    auto invitation = this->invitation(digest);
    if (!invitation.ok()) return invitation.status();
    out.push_back(invitation.value());
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Status Directory::put_upload(const PublicKey& member, const Hash32& digest) {
  WriteBatch batch;
  batch.put(Column::directory, upload_key(member, digest), "");
  return store_.write(batch, Durability::synced);
}

Status Directory::remove_upload(const PublicKey& member, const Hash32& digest) {
  WriteBatch batch;
  batch.erase(Column::directory, upload_key(member, digest));
  return store_.write(batch, Durability::synced);
}

Result<std::vector<Hash32>> Directory::uploads(const PublicKey& member) const {
  std::vector<Hash32> out;
  const std::string from = std::string(kUploadPrefix) + key_of(member);
  // Past every digest after the member's key: 32 bytes of 0xff and one more.
  const std::string to = from + std::string(33, '\xff');
  auto cursor = store_.scan(Column::directory, from, to);
  for (; cursor->valid(); cursor->next()) {
    auto key = cursor->key().substr(from.size());
    if (key.size() != 32) continue;
    Hash32 digest;
    std::copy(key.begin(), key.end(), digest.bytes.begin());
    out.push_back(digest);
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Result<std::vector<PublicKey>> Directory::uploaders(const Hash32& digest) const {
  std::vector<PublicKey> out;
  const std::string want = key_of(digest);
  auto cursor = store_.scan(Column::directory, "upload:", "upload;");
  for (; cursor->valid(); cursor->next()) {
    auto key = cursor->key().substr(kUploadPrefix.size());
    if (key.size() != 64 || key.substr(32) != want) continue;
    PublicKey member;
    std::copy(key.begin(), key.begin() + 32, member.bytes.begin());
    out.push_back(member);
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  return out;
}

Status Directory::put_remote_alias(const PublicKey& node, const PublicKey& member, std::string_view alias) {
  if (!valid_alias(alias))
    return Status(Code::malformed, "'" + std::string(alias) + "' is not an alias another node could hold");
  WriteBatch batch;
  batch.put(Column::directory, remote_key(node, member), std::string(alias));
  return store_.write(batch, Durability::synced);
}

std::optional<std::string> Directory::remote_alias(const PublicKey& node, const PublicKey& member) const {
  std::string raw;
  if (!store_.get(Column::directory, remote_key(node, member), &raw).ok() || !valid_alias(raw))
    return std::nullopt;
  return raw;
}

Status Directory::erase_remote_alias(const PublicKey& node, const PublicKey& member) {
  WriteBatch batch;
  batch.erase(Column::directory, remote_key(node, member));
  return store_.write(batch, Durability::synced);
}

Result<std::size_t> Directory::erase_remote_aliases(const PublicKey& node) {
  std::string from(kRemotePrefix), to = "remote;";
  if (!node.is_zero()) {
    from += key_of(node);
    // Past every member key after the node's key: 32 bytes of 0xff and one more.
    to = from + std::string(33, '\xff');
  }
  WriteBatch batch;
  std::size_t erased = 0;
  auto cursor = store_.scan(Column::directory, from, to);
  for (; cursor->valid(); cursor->next()) {
    batch.erase(Column::directory, std::string(cursor->key()));
    ++erased;
  }
  if (Status s = cursor->status(); !s.ok()) return s;
  if (erased == 0) return erased;
  if (Status s = store_.write(batch, Durability::synced); !s.ok()) return s;
  return erased;
}

std::string display_name(const Directory& directory, const PublicKey& key) {
  if (auto entry = directory.find(key)) return entry->alias;
  return "member-" + to_hex(key).substr(0, 8);
}

}  // namespace cohours
