#include "cohours/app/timesheet_import.h"

#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "cohours/app/format.h"
#include "cohours/app/movements.h"
#include "cohours/app/names.h"
#include "cohours/app/submission.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"
#include "cohours/directory.h"
#include "cohours/text.h"
#include "timesheet_rows.h"
#include "try.h"

namespace cohours::app {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// A piece of help as the duplicate checks see it.
using HelpKey = std::tuple<PublicKey, PublicKey, std::int32_t, std::int64_t, std::string>;

// What a row's entry is derived from: the help itself and how many rows
// before it in the file gave the same help. The note is not part of it, so
// a row whose note was corrected is still the same row.
std::string row_identity(const HelpKey& help, std::uint32_t occurrence) {
  const auto& [volunteer, recipient, day, minutes, category] = help;
  std::string out = "cohours hours import v1";
  out.push_back('\0');
  out.append(reinterpret_cast<const char*>(volunteer.bytes.data()), volunteer.bytes.size());
  out.append(reinterpret_cast<const char*>(recipient.bytes.data()), recipient.bytes.size());
  out += std::to_string(day) + ' ' + std::to_string(minutes) + ' ' + std::to_string(occurrence) + ' ' + category;
  return out;
}

std::uint64_t row_nonce(const std::string& identity) {
  const Hash32 digest = blake2b_256(identity);
  std::uint64_t nonce = 0;
  for (int i = 0; i < 8; ++i) nonce = (nonce << 8) | digest.bytes[i];
  return nonce;
}

// The salt of a row's note is keyed with the digest of the whole file, so
// the same file makes the same entry bytes (a retry is a duplicate), and
// nobody can re-make the salt of an erased note without the file, which
// holds the note itself (docs/decisions.md).
Hash32 row_note_salt(const Hash32& file_digest, const std::string& identity) {
  return keyed_blake2b_256(file_digest.bytes, "note salt " + identity);
}

// Help given on `day`, signed as at noon UTC that day: the entry's time is
// derived from the row, as its nonce is.
std::int64_t noon_of(std::int32_t day) { return day * kDayMs + kDayMs / 2; }

// One import at a time in this process: two imports of the same file could
// otherwise both find a row missing and store two entries for it.
std::mutex& import_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct PlannedRow {
  std::size_t row = 0;  // index into the answer's rows
  SignedEntry entry;
  std::string note;
  Hash32 salt;
};

void refuse(ImportedRow& row, Code code, const std::string& problem) {
  if (row.outcome != RowOutcome::refused || row.code == Code::ok) row.code = code;
  row.outcome = RowOutcome::refused;
  row.message += (row.message.empty() ? "" : "; ") + problem;
}

// The local member `text` names, or a refusal on `row`.
std::optional<PublicKey> row_member(Node& node, const std::string& text, const char* what, ImportedRow& row) {
  if (text.find('@') != std::string::npos) {
    refuse(row, Code::malformed,
           std::string(what) + " '" + text + "' is a member of another co-op: " +
               (std::string(what) == "volunteer" ? "log their hours with `cohours hours log --on-behalf-of " + text + "`"
                                                 : "send them credits with `cohours transfer`"));
    return std::nullopt;
  }
  auto key = member_key(node, text);
  if (!key.ok()) {
    refuse(row, key.code(), key.status().message());
    return std::nullopt;
  }
  return key.value();
}

// The entry an earlier import made for this row, if the log holds it: a
// movement of the same help signed with the row's nonce and time.
Result<std::optional<EntryId>> imported_before(Node& node, const std::vector<Movement>& same, std::uint64_t nonce,
                                               std::int64_t created_ms) {
  for (const Movement& m : same) {
    TRY_ASSIGN(Record record, node.ledger().record(m.seq));
    auto decoded = decode_entry(record.entry);
    if (decoded.ok() && decoded->entry.nonce == nonce && decoded->entry.created_ms == created_ms)
      return std::optional<EntryId>(m.id);
  }
  return std::optional<EntryId>();
}

}  // namespace

Result<HoursImported> import_hours(Node& node, const ImportHours& r) {
  TRY_ASSIGN(PublicKey coordinator, member_key(node, r.as));
  TRY_ASSIGN(MemberInfo signer, node.ledger().member(coordinator));
  // The rules decide each row; this says at once what every row would say.
  if (!(signer.roles & role_coordinator))
    return Status(Code::not_permitted, r.as + " is not a coordinator: a coordinator imports a timesheet and "
                                              "signs every row for the volunteer");
  TRY_ASSIGN(std::vector<SheetRow> sheet, read_timesheet(r.csv, r.file));

  std::lock_guard lock(import_mutex());
  HoursImported out;
  out.dry_run = r.dry_run;
  out.file_digest = blake2b_256(r.csv);
  Submission submission(node);
  std::vector<PlannedRow> planned;
  std::map<HelpKey, int> first_line;  // the first row of each piece of help
  std::map<HelpKey, std::uint32_t> occurrences;

  for (std::size_t i = 0; i < sheet.size(); ++i) {
    const SheetRow& in = sheet[i];
    if (node.progress()) node.progress()("checked", i + 1, sheet.size());
    ImportedRow& row = out.rows.emplace_back();
    row.line = in.line;
    row.outcome = RowOutcome::would_add;  // until a check says otherwise
    row.volunteer = in.volunteer;
    row.recipient = in.recipient;
    row.date_days = in.date_days;
    row.minutes = in.minutes;
    row.category = in.category;
    for (const auto& problem : in.problems) refuse(row, Code::malformed, problem);
    if (in.volunteer.empty() || in.recipient.empty()) continue;

    HoursLog body;
    body.minutes = in.minutes;
    body.category = in.category;
    body.date_days = in.date_days;
    const auto volunteer = row_member(node, in.volunteer, "volunteer", row);
    if (in.recipient == "community") {
      body.payer = Payer::pool;
    } else if (auto recipient = row_member(node, in.recipient, "recipient", row)) {
      body.recipient = *recipient;
      auto info = node.ledger().member(*recipient);
      if (info.ok()) body.payer = payer_for(info.value());
    }
    if (!in.category.empty() && !valid_category(in.category))
      refuse(row, Code::unknown_category, "category '" + in.category + "' is not allowed (see `cohours policy show`)");
    if (!utf8_characters(in.note)) refuse(row, Code::malformed, "the note is not UTF-8 text (save the file as UTF-8)");
    if (in.note.size() > 4096)
      refuse(row, Code::malformed, "the note is longer than 4096 bytes (" + std::to_string(in.note.size()) + ")");
    if (row.outcome == RowOutcome::refused || !volunteer) continue;

    const HelpKey help{*volunteer, body.recipient, body.date_days, body.minutes, body.category};
    const std::uint32_t occurrence = occurrences[help]++;
    if (occurrence == 0) first_line[help] = row.line;
    if (occurrence > 0 && !r.again) {
      refuse(row, Code::possible_duplicate,
             "the same hours as line " + std::to_string(first_line[help]) +
                 " (volunteer, recipient, day, length and category); if this is more help, import with --again");
      continue;
    }
    const std::string identity = row_identity(help, occurrence);
    const std::uint64_t nonce = row_nonce(identity);
    const std::int64_t created_ms = noon_of(body.date_days);
    TRY_ASSIGN(auto same, same_hours(node, *volunteer, body.recipient, body.date_days, body.minutes));
    TRY_ASSIGN(auto earlier, imported_before(node, same, nonce, created_ms));
    if (earlier) {
      row.outcome = RowOutcome::already_imported;
      row.id = *earlier;
      continue;
    }
    if (!r.again && !same.empty()) {
      refuse(row, Code::possible_duplicate, "possible duplicate: " + describe_same_hours(node, same.front()) +
                                             "; if this is more help, import with --again");
      continue;
    }
    const Hash32 salt = row_note_salt(out.file_digest, identity);
    body.note_digest = in.note.empty() ? Hash32{} : note_digest(salt, in.note);
    const PublicKey behalf = *volunteer == coordinator ? PublicKey{} : *volunteer;
    auto entry = submission.sign_as_member(coordinator, body, behalf, created_ms, nonce);
    if (!entry.ok()) return entry.status();  // the coordinator's key: the same for every row
    row.id = entry->id;
    row.outcome = r.dry_run ? RowOutcome::would_add : RowOutcome::added;
    planned.push_back({out.rows.size() - 1, std::move(entry).value(), in.note, salt});
  }

  bool any_refused = false;
  for (const auto& row : out.rows) any_refused = any_refused || row.outcome == RowOutcome::refused;
  // The rules judge the good rows even when others were refused, so the
  // answer lists every problem at once.
  const Together how = (r.dry_run || any_refused) ? Together::dry_run : Together::all_or_none;
  if (how == Together::all_or_none) {
    for (const auto& p : planned) {
      if (auto kept = submission.note(p.note, p.salt); !kept.ok()) return kept.status();
    }
  }
  std::vector<Bytes> batch;
  batch.reserve(planned.size());
  for (const auto& p : planned) batch.push_back(p.entry.bytes);
  std::vector<SubmitResult> results;
  if (!batch.empty()) results = node.ledger().submit_together(batch, how);
  for (std::size_t i = 0; i < results.size(); ++i) {
    ImportedRow& row = out.rows[planned[i].row];
    const SubmitResult& result = results[i];
    if (!result.ok())
      refuse(row, result.code, result.message);
    else if (result.duplicate)
      row.outcome = RowOutcome::already_imported;
  }
  for (auto& row : out.rows) {
    if (row.outcome == RowOutcome::refused) ++out.refused;
    if (row.outcome == RowOutcome::already_imported) ++out.already_imported;
  }
  const bool stored = how == Together::all_or_none && out.refused == 0;
  for (auto& row : out.rows) {
    if (row.outcome != RowOutcome::added && row.outcome != RowOutcome::would_add) continue;
    if (stored)
      ++out.added;
    else if (!r.dry_run)
      row.outcome = RowOutcome::held_back;
  }
  if (stored) submission.keep_notes();
  return out;
}

}  // namespace cohours::app
