#include "cohours/app/timeoverflow_import.h"

#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "cohours/app/names.h"
#include "cohours/app/submission.h"
#include "cohours/crypto.h"
#include "cohours/directory.h"
#include "cohours/text.h"
#include "roles.h"
#include "timeoverflow_rows.h"
#include "try.h"

namespace cohours::app {

namespace {

// One import at a time in this process: two imports of one file could
// otherwise both find a member missing and add them twice.
std::mutex& members_import_mutex() {
  static std::mutex mutex;
  return mutex;
}

void refuse_member(ImportedMember& row, Code code, const std::string& problem) {
  if (row.outcome != RowOutcome::refused || row.code == Code::ok) row.code = code;
  row.outcome = RowOutcome::refused;
  row.message += (row.message.empty() ? "" : "; ") + problem;
}

// The contact details kept in the directory: phones first, then the email
// address, as many as fit the directory's 255 bytes.
std::string contact_of(const TimeOverflowRow& row) {
  std::string out;
  for (const std::string* part : {&row.phone, &row.alt_phone, &row.email}) {
    if (part->empty()) continue;
    const std::string next = out.empty() ? *part : out + ", " + *part;
    if (next.size() > 255) break;
    out = next;
  }
  return out;
}

std::uint64_t entry_nonce(const Hash32& file_digest, std::uint32_t number, const char* what) {
  std::string identity = "cohours member import-timeoverflow v1 ";
  identity += what;
  identity += ' ' + std::to_string(number) + ' ' + to_hex(file_digest);
  const Hash32 digest = blake2b_256(identity);
  std::uint64_t nonce = 0;
  for (int i = 0; i < 8; ++i) nonce = (nonce << 8) | digest.bytes[i];
  return nonce;
}

// The balance.open an earlier import made for `key`, if any.
Result<std::optional<std::pair<EntryId, BalanceOpen>>> opening_for(Node& node, const PublicKey& key) {
  using Found = std::optional<std::pair<EntryId, BalanceOpen>>;
  TRY_ASSIGN(auto id, node.ledger().opening_of(key));
  if (!id) return Found();
  TRY_ASSIGN(std::uint64_t seq, node.ledger().seq_of(*id));
  TRY_ASSIGN(Record record, node.ledger().record(seq));
  TRY_ASSIGN(SignedEntry entry, decode_entry(record.entry));
  const auto* body = std::get_if<BalanceOpen>(&entry.entry.body);
  if (!body) return Status(Code::corruption, "an openings row names an entry that is no balance.open");
  return Found(std::pair{*id, *body});
}

// Where a row's member stands here.
struct Placement {
  std::string alias;
  PublicKey key;        // an earlier import's member, or a key an unfinished one made
  bool reuse_key = false;
  bool imported = false;
  EntryId opening;
};

// The alias a member gets: one made from their name, or that with their
// number after it when another member has it. A member an earlier import
// of this file added is found under either.
Result<std::optional<Placement>> place(Node& node, const TimeOverflowRow& in, const Hash32& file_digest,
                                       const std::set<std::string>& taken, ImportedMember& row) {
  using Found = std::optional<Placement>;
  std::string base = alias_from_name(in.name);
  const std::string suffix = "-" + std::to_string(in.number);
  if (!valid_alias(base) || reserved_alias(base)) base = "member" + std::to_string(in.number);
  std::vector<std::string> candidates{base, base.substr(0, 32 - suffix.size()) + suffix};
  for (const std::string& alias : candidates) {
    if (taken.count(alias) || reserved_alias(alias)) continue;
    auto bound = node.directory().key_for(alias);
    if (bound.code() == Code::unknown_member) return Found(Placement{alias, {}, false, false, {}});
    if (!bound.ok()) return bound.status();
    const PublicKey key = bound.value();
    if (!node.ledger().member(key).ok()) {
      // Bound but never joined: an import stopped between the two.
      if (node.keyring().holds(key)) return Found(Placement{alias, key, true, false, {}});
      continue;
    }
    TRY_ASSIGN(auto opening, opening_for(node, key));
    if (!opening || opening->second.source_row != in.number) continue;
    if (opening->second.source_digest != file_digest) {
      refuse_member(row, Code::already_exists,
                    "TimeOverflow member " + std::to_string(in.number) + " came over before as '" + alias +
                        "', from another file (digest " + to_hex(opening->second.source_digest).substr(0, 12) +
                        "); a balance comes over once (docs/moving-from-timeoverflow.md)");
      return Found();
    }
    return Found(Placement{alias, key, false, true, opening->first});
  }
  refuse_member(row, Code::already_exists,
                "the aliases '" + candidates[0] + "' and '" + candidates[1] +
                    "' belong to other members; change the name in the file or rename them with `cohours member edit`");
  return Found();
}

// A key for a row the rules only judge (a dry run, or a file with refused
// rows): no key file is made for it.
PublicKey throwaway_key() {
  PublicKey key;
  random_bytes(key.bytes);
  return key;
}

}  // namespace

Result<TimeOverflowImported> import_timeoverflow(Node& node, const ImportTimeOverflow& r) {
  TRY_ASSIGN(MemberInfo admin, member_named(node, r.as));
  if (!(admin.roles & role_admin))
    return Status(Code::not_permitted, r.as + " is not an admin: an admin brings members and their balances over");
  TRY_ASSIGN(std::uint32_t roles, parse_roles(r.roles));
  if (r.csv.size() > kMaxTimeOverflowBytes)
    return Status(Code::limit_reached, r.file + " is over " + std::to_string(kMaxTimeOverflowBytes) +
                                           " bytes; split it and import each part");
  TRY_ASSIGN(auto sheet, read_timeoverflow_members(r.csv, r.file));

  std::lock_guard lock(members_import_mutex());
  TimeOverflowImported out;
  out.dry_run = r.dry_run;
  out.file_digest = blake2b_256(r.csv);
  std::set<std::string> taken;
  std::map<std::uint32_t, int> number_line;
  std::vector<std::optional<Placement>> places;

  for (std::size_t i = 0; i < sheet.size(); ++i) {
    const TimeOverflowRow& in = sheet[i];
    if (node.progress()) node.progress()("checked", i + 1, sheet.size());
    ImportedMember& row = out.rows.emplace_back();
    row.line = in.line;
    row.outcome = RowOutcome::would_add;
    row.number = in.number;
    row.name = in.name;
    row.balance_minutes = in.balance_minutes;
    places.emplace_back();
    for (const auto& problem : in.problems) refuse_member(row, Code::malformed, problem);
    for (const std::string* text : {&in.name, &in.email, &in.phone, &in.alt_phone})
      if (!utf8_characters(*text)) refuse_member(row, Code::malformed, "not UTF-8 text (export the file again)");
    if (in.balance_minutes < -kMaxOpeningMinutes || in.balance_minutes > kMaxOpeningMinutes)
      refuse_member(row, Code::bad_amount, "a balance over 10,000 hours either way is not brought over");
    if (in.number != 0) {
      auto [seen, fresh] = number_line.emplace(in.number, in.line);
      if (!fresh)
        refuse_member(row, Code::already_exists,
                      "member number " + std::to_string(in.number) + " again (line " + std::to_string(seen->second) + ")");
    }
    if (row.outcome == RowOutcome::refused) continue;
    TRY_ASSIGN(auto placed, place(node, in, out.file_digest, taken, row));
    if (!placed) continue;
    row.alias = placed->alias;
    taken.insert(placed->alias);
    if (placed->imported) {
      row.outcome = RowOutcome::already_imported;
      row.key = placed->key;
      row.opening = placed->opening;
    }
    places.back() = std::move(placed);
  }

  bool any_refused = false;
  for (const auto& row : out.rows) any_refused = any_refused || row.outcome == RowOutcome::refused;
  const Together how = (r.dry_run || any_refused) ? Together::dry_run : Together::all_or_none;

  // Keys and directory rows are made only for a batch that may be stored,
  // and taken back if the rules refuse it.
  std::vector<PublicKey> made_keys;
  auto take_back = [&] {
    for (const PublicKey& key : made_keys) {
      (void)node.directory().remove(key);
      (void)node.keyring().remove(key);
    }
  };
  Submission submission(node);
  std::vector<Bytes> batch;
  std::vector<std::size_t> batch_row;  // the row of each entry in the batch
  const std::int64_t now = node.clock().now_ms();
  const PublicKey node_key = node.ledger().node_key();
  for (std::size_t i = 0; i < out.rows.size(); ++i) {
    ImportedMember& row = out.rows[i];
    if (row.outcome != RowOutcome::would_add) continue;
    const Placement& placed = *places[i];
    PublicKey key = placed.key;
    if (!placed.reuse_key) {
      if (how == Together::dry_run) {
        key = throwaway_key();
      } else {
        auto generated = node.keyring().generate();
        if (!generated.ok()) {
          take_back();
          return generated.status();
        }
        key = generated.value();
        made_keys.push_back(key);
        if (Status s = node.directory().add({key, placed.alias, contact_of(sheet[i])}); !s.ok()) {
          take_back();
          return s;
        }
      }
    }
    if (how == Together::all_or_none || placed.reuse_key) row.key = key;
    const EntryBody bodies[] = {MemberJoin{key, roles, node_key},
                                BalanceOpen{key, row.balance_minutes, out.file_digest, row.number}};
    const char* what[] = {"join", "opening"};
    for (int k = 0; k < 2; ++k) {
      auto entry = submission.sign_as_member(admin.key, bodies[k], {}, now, entry_nonce(out.file_digest, row.number, what[k]));
      if (!entry.ok()) {
        take_back();
        return entry.status();  // the admin's key: the same for every row
      }
      if (k == 1) row.opening = entry->id;
      batch.push_back(entry->bytes);
      batch_row.push_back(i);
    }
  }

  std::vector<SubmitResult> results;
  if (!batch.empty()) results = node.ledger().submit_together(batch, how);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ImportedMember& row = out.rows[batch_row[i]];
    if (!results[i].ok()) refuse_member(row, results[i].code, results[i].message);
  }
  for (auto& row : out.rows) {
    if (row.outcome == RowOutcome::refused) ++out.refused;
    if (row.outcome == RowOutcome::already_imported) ++out.already_imported;
  }
  const bool stored = how == Together::all_or_none && out.refused == 0;
  if (!stored) take_back();
  for (auto& row : out.rows) {
    if (row.outcome != RowOutcome::would_add) continue;
    out.net_minutes += row.balance_minutes;
    if (stored) {
      row.outcome = RowOutcome::added;
      ++out.added;
    } else if (!r.dry_run) {
      row.outcome = RowOutcome::held_back;
      row.key = {};
      row.opening = {};
    }
  }
  if (!stored || r.dry_run) {
    // Entries no one will store have no id worth showing.
    for (auto& row : out.rows)
      if (row.outcome != RowOutcome::already_imported && row.outcome != RowOutcome::added) row.opening = {};
  }
  return out;
}

}  // namespace cohours::app
