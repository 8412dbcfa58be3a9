// audit verify and reindex: the commands that trust nothing derived.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "client.h"
#include "cohours/app/audit.h"
#include "cohours/app/clock_source.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace {

namespace fs = std::filesystem;

// Heads kept earlier with `cohours log head`: the files are the person's,
// read here; the use case finds the heads in their text.
std::vector<app::KeptHeadsFile> read_kept_heads(const std::vector<std::string>& files) {
  std::vector<app::KeptHeadsFile> kept;
  for (const auto& file : files) {
    std::ifstream in(std::filesystem::path(file), std::ios::binary);
    if (!in) fail(Code::not_found, "cannot read kept heads file " + file);
    std::ostringstream text;
    text << in.rdbuf();
    kept.push_back({file, text.str()});
  }
  return kept;
}

void run_verify(const GlobalOptions& options, const std::vector<std::string>& known_files,
                const std::string& node_name) {
  app::VerifyLog request{read_kept_heads(known_files), node_name};
  // Not through Client: a node too damaged for its ledger to open is still
  // audited, so the report names the damage (app::verify_log_in).
  const fs::path dir = std::filesystem::path(options.data_dir);
  auto remote = check(control::RemoteNode::connect(dir));
  app::LogAudit report =
      remote ? check(remote->call(request, terminal_progress()))
             : check(app::verify_log_in(dir, request, *check(app::process_clock()), terminal_progress(),
                                                passphrase_source(options)));
  nlohmann::json json = {{"passed", report.passed},
                         {"records", report.records},
                         {"signatures_verified", report.signatures},
                         {"hash_links_checked", report.hash_links},
                         {"tree_nodes_checked", report.tree_nodes},
                         {"tree_heads_verified", report.heads},
                         {"kept_heads_matched", report.known_heads},
                         {"balances_compared", report.accounts},
                         {"derived_rows_compared", report.derived_rows},
                         {"root", to_hex(report.root)},
                         {"state_digest", to_hex(report.state_digest)}};
  if (!report.passed) {
    json["first_bad_record"] = report.first_bad_seq;
    json["failure"] = report.failure;
  }
  if (options.json) {
    print_json(json);
  } else {
    out() << "records read           " << report.records << "\n"
          << "entry signatures       " << report.signatures << " verified\n"
          << "hash links             " << report.hash_links << " checked\n"
          << "Merkle tree nodes      " << report.tree_nodes << " recomputed and compared\n"
          << "signed tree heads      " << report.heads << " verified\n"
          << "kept heads             " << report.known_heads << " matched\n"
          << "balances               " << report.accounts << " recomputed from the records and compared\n"
          << "derived rows           " << report.derived_rows << " compared\n";
    if (report.passed)
      out() << "Merkle root            " << to_hex(report.root) << "\n"
            << "state digest           " << to_hex(report.state_digest) << "\n"
            << "audit passed: the log is intact and the balances follow from it\n";
  }
  if (!report.passed) {
    std::string where =
        report.first_bad_seq ? " (first bad record: " + std::to_string(report.first_bad_seq) + ")" : "";
    throw CliError{Code::corruption, "audit FAILED" + where + ": " + report.failure, exit_audit_failed,
                   options.json};
  }
}

void run_reindex(const GlobalOptions& options) {
  // reindex rewrites the derived state under no ledger: never while a
  // daemon has the store open and its ledger in use.
  const fs::path dir = std::filesystem::path(options.data_dir);
  if (check(control::RemoteNode::connect(dir)))
    fail(Code::wrong_state, "the daemon is running for " + options.data_dir + "; stop it first");
  app::Reindexed report = check(app::reindex_node(dir, *check(app::process_clock()), terminal_progress()));
  if (options.json)
    return print_json({{"records", report.records},
                       {"digest_before", to_hex(report.digest_before)},
                       {"digest_after", to_hex(report.digest_after)},
                       {"identical", report.identical}});
  out() << "rebuilt balances, postings, movements, members and the Merkle tree from " << report.records
        << " records\n"
        << "state digest before    " << to_hex(report.digest_before) << "\n"
        << "state digest after     " << to_hex(report.digest_after) << "\n"
        << (report.identical
                ? "identical: the stored state matched the records\n"
                : "DIFFERENT: the stored state did not match the records; it has been rebuilt from them\n");
}

}  // namespace

void add_audit_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* audit = add_command(app, "audit", "Check the ledger");
  audit->require_subcommand(1);
  auto known = std::make_shared<std::vector<std::string>>();
  CLI::App* verify =
      add_command(*audit, "verify", "Verify every signature, hash link, tree head and balance");
  verify->add_option("--known-head", *known,
                     "File of tree heads kept earlier with `cohours log head` (repeatable)");
  auto export_dir = std::make_shared<std::string>();
  auto node_key = std::make_shared<std::string>();
  verify->add_option("--export", *export_dir,
                     "Verify a `cohours export` directory instead, without the node's store");
  verify->add_option("--node-key", *node_key,
                     "With --export: the node key the auditor expects (64 hex digits)");
  auto node_name = std::make_shared<std::string>();
  verify->add_option("--node", *node_name,
                     "Audit the copy held here of another co-op's log (its name in the consortium)");
  verify->callback([&options, known, export_dir, node_key, node_name] {
    if (export_dir->empty()) {
      if (!node_key->empty())
        usage_error("--node-key is used with --export (a store is checked against its node.key)");
      return run_verify(options, *known, *node_name);
    }
    if (!node_name->empty()) usage_error("--node cannot be combined with --export");
    if (!known->empty()) usage_error("--known-head cannot be combined with --export");
    run_verify_export(options, *export_dir, *node_key);
  });
  add_report_command(*audit, options);
  add_audit_sync_commands(*audit, options);
  CLI::App* reindex_cmd = add_command(app, "reindex", "Rebuild balances and indexes from the records alone");
  reindex_cmd->callback([&options] { run_reindex(options); });
}

}  // namespace cohours::cli
