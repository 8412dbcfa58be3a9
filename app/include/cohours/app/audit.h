// Checking a node's log and state from its records, trusting nothing
// derived (`audit verify`), and rebuilding the derived state from them
// (`reindex`). Verifying an export, which needs no node, is in export.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cohours/app/node.h"

namespace cohours::app {

// A file of tree heads kept earlier: the output of `cohours log head`,
// whose hex lines are signed heads (other lines are skipped). The front end
// reads the file the person names and passes its text.
struct KeptHeadsFile {
  std::string name;  // as the person gave it, for messages
  std::string text;
};

// audit verify: every record, signature, hash link, tree node and signed
// head of this node's log, or with `node` of the copy held here of another
// co-op's log (its name in the installed consortium file); the derived
// state recomputed from the records and compared; each kept head must
// still be produced by the log. Evidence held that the audited log's node
// signed two different heads fails the audit.
//
// A failed audit is a report with passed false, not an error. Errors:
// malformed for a kept-heads file without a head or with a hex line that
// is not one; not_found if no consortium file is installed (with `node`);
// unknown_member for a node the file does not name; io_error if the store
// cannot be read. Reports progress ("verified") through Node::progress.
struct VerifyLog {
  std::vector<KeptHeadsFile> known_heads;
  std::string node;  // empty: this node's own log
};
struct LogAudit {
  PublicKey log;  // the audited log
  bool passed = false;
  std::uint64_t records = 0;
  std::uint64_t signatures = 0;
  std::uint64_t hash_links = 0;
  std::uint64_t tree_nodes = 0;
  std::uint64_t heads = 0;
  std::uint64_t known_heads = 0;  // kept heads matched
  std::uint64_t accounts = 0;     // balances recomputed and compared
  std::uint64_t derived_rows = 0;
  Hash32 root;
  Hash32 state_digest;
  std::uint64_t first_bad_seq = 0;  // 0: the failure is not tied to a record
  std::string failure;              // empty when passed
};
Result<LogAudit> verify_log(Node& node, const VerifyLog& request);

// verify_log on the node in `data_dir`, opened by this process (no daemon
// runs). A ledger refuses to open over damage to its own log (its last
// record changed, say), so then the node's own log is audited from the
// store alone, and the report names the damage instead of the refusal.
// `passphrase`: for an encrypted node.key (app/passphrase.h).
Result<LogAudit> verify_log_in(const std::filesystem::path& data_dir, const VerifyLog& request,
                               const Clock& clock, const Progress& progress = {},
                               PassphraseSource passphrase = {});

// reindex: throws away the derived state of the node in `data_dir` and
// rebuilds it from the records alone, after verifying them as an audit
// does (nothing is changed if a record is wrong: corruption). It runs with
// no ledger open, so never on a node a daemon holds: the front end checks
// that none runs (and the store refuses a second process: io_error).
// not_found if `data_dir` holds no node. Called directly by `cohours
// reindex`, never a call.
struct Reindexed {
  std::uint64_t records = 0;
  Hash32 digest_before;  // zero if the derived state was unreadable
  Hash32 digest_after;
  bool identical = false;  // the stored state matched the records
};
Result<Reindexed> reindex_node(const std::filesystem::path& data_dir, const Clock& clock,
                               const Progress& progress = {});

}  // namespace cohours::app
