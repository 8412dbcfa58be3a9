// member import-timeoverflow: an admin brings a time bank over from
// TimeOverflow (docs/moving-from-timeoverflow.md): each member of its member
// list joins here with a key the node keeps, and their balance there
// becomes a signed opening balance that cites the file's digest. Every row
// is checked first; nothing is stored unless every row is good; the same
// file imported again adds nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/import_outcome.h"
#include "cohours/app/node.h"

namespace cohours::app {

inline constexpr std::size_t kMaxTimeOverflowBytes = 4u * 1024 * 1024;
inline constexpr std::size_t kMaxTimeOverflowMembers = 5'000;

struct ImportTimeOverflow {
  std::string as;    // an admin, who signs every entry
  std::string csv;   // the export's text
  std::string file;  // its name, for messages
  bool dry_run = false;
  std::vector<std::string> roles{"volunteer"};  // what every member joins as
};

struct ImportedMember {
  int line = 0;
  RowOutcome outcome = RowOutcome::refused;
  Code code = Code::ok;
  std::string message;       // every problem with the row, "; " between
  std::uint32_t number = 0;  // the member's number in TimeOverflow
  std::string name;          // as the file gives it (shown, never stored)
  std::string alias;         // the alias they have here
  std::int64_t balance_minutes = 0;
  PublicKey key;       // zero in a dry run of a new member
  EntryId opening;     // the balance.open entry
};

struct TimeOverflowImported {
  std::vector<ImportedMember> rows;
  std::size_t added = 0;
  std::size_t already_imported = 0;
  std::size_t refused = 0;
  bool dry_run = false;
  Hash32 file_digest;            // BLAKE2b-256 of the file, cited by every opening balance
  std::int64_t net_minutes = 0;  // the balances of the rows added (or that would be): what the pool pays out
};

// Refuses the whole file when it is not a TimeOverflow member list or `as`
// is no admin; otherwise answers row by row. Progress: "checked" rows.
Result<TimeOverflowImported> import_timeoverflow(Node& node, const ImportTimeOverflow& request);

// TimeOverflow writes a balance as hours and minutes, "12:30" or "-1:05",
// and a zero one as an HTML dash ("&mdash;"). Whole minutes, or a problem.
bool parse_timeoverflow_balance(const std::string& text, std::int64_t* minutes);

// An alias made from a member's name: lower-case letters and digits, accents
// taken off the Latin letters TimeOverflow's languages use, other runs of
// characters as one '.'; empty when nothing usable is left.
std::string alias_from_name(const std::string& name);

}  // namespace cohours::app
