// audit verify and reindex: the commands that trust nothing derived.
#include <filesystem>
#include <fstream>

#include "cohours/app/clock_source.h"
#include "cohours/audit.h"
#include "cohours/crypto.h"
#include "cohours/net/consortium.h"
#include "cohours/replicas.h"
#include "commands.h"
#include "host.h"
#include "output.h"

namespace cohours::cli {

namespace {

// Progress on stderr for long runs, only when a person is watching.
std::function<void(std::uint64_t, std::uint64_t)> progress_printer(const char* verb) {
  if (!err_is_terminal()) return {};
  return [verb](std::uint64_t done, std::uint64_t total) {
    err() << "\r" << verb << " " << done << " / " << total << " records" << (done == total ? "\n" : "")
          << std::flush;
  };
}

// The node's store without a Ledger on it, or, inside the daemon, the
// daemon's open store (`host`, not owned: `opened` stays empty).
struct StoreOnly {
  std::unique_ptr<Store> opened;
  Store* store = nullptr;
  const HostedNode* host = nullptr;
};

StoreOnly open_store_only(const GlobalOptions& options) {
  namespace fs = std::filesystem;
  StoreOnly result;
  if ((result.host = host_for(options.data_dir))) {
    result.store = result.host->store;
    return result;
  }
  fs::path dir = resolve_user_path(options.data_dir);
  if (!fs::exists(dir / "node.key"))
    fail(Code::not_found, "no cohours node in " + dir.string() + "; pass --data DIR or run `cohours init`");
  result.opened = check(open_rocks_store((dir / "store").string(), OpenMode::open_existing));
  result.store = result.opened.get();
  return result;
}

// Reads signed tree heads kept earlier: the output of `cohours log head`,
// whose hex lines are heads (other lines are skipped). A file without a
// head, or with a hex line that is not a valid head, is an error.
std::vector<SignedTreeHead> read_known_heads(const std::vector<std::string>& files) {
  std::vector<SignedTreeHead> heads;
  for (const auto& file : files) {
    std::ifstream in(resolve_user_path(file));
    if (!in) fail(Code::not_found, "cannot read kept heads file " + file);
    std::string line;
    std::size_t before = heads.size();
    for (int number = 1; std::getline(in, line); ++number) {
      auto bytes = from_hex(line);
      if (!bytes || bytes->size() < 64) continue;
      auto head = decode_signed_tree_head(*bytes);
      if (!head.ok())
        fail(Code::malformed, file + " line " + std::to_string(number) + " is not a signed tree head");
      heads.push_back(head.value());
    }
    if (heads.size() == before)
      fail(Code::malformed, file + " holds no signed tree head (save `cohours log head`)");
  }
  return heads;
}

void run_verify(const GlobalOptions& options, const std::vector<std::string>& known_files,
                const std::string& node_name) {
  auto store = open_store_only(options);
  AuditOptions audit_options;
  audit_options.known_heads = read_known_heads(known_files);
  // The store must belong to the node whose key sits beside it.
  audit_options.expected_node_key =
      store.host ? public_key_of(read_secret_key(store.host->data_dir / "node.key"))
                 : public_key_of(read_secret_key(resolve_user_path(options.data_dir) / "node.key"));
  if (!node_name.empty()) {
    // Another co-op's log, from the verified copy held here: the key is the
    // one the consortium file gives for that node.
    auto consortium = check(net::installed_consortium(*store.store));
    const net::ConsortiumNode* node = consortium.find_name(node_name);
    if (!node)
      fail(Code::unknown_member, "no node named '" + node_name + "' in consortium '" + consortium.name + "'");
    if (node->key != audit_options.expected_node_key) {
      audit_options.log = node->key;
      audit_options.expected_node_key = node->key;
    }
  }
  AuditReport report = check(audit_store(*store.store, audit_options, progress_printer("verified")));
  // Evidence that the audited log's node signed two different heads.
  const PublicKey audited = audit_options.log.is_zero() ? audit_options.expected_node_key : audit_options.log;
  if (report.passed) {
    const Clock& clock = *check(app::process_clock());
    auto replicas = check(Replicas::open(*store.store, clock));
    for (const auto& evidence : check(replicas->evidence()))
      if (evidence.first.head.log == audited) {
        report.passed = false;
        report.failure = "equivocation: the node signed two different heads of size " +
                         std::to_string(evidence.first.head.size) + " (see `cohours audit equivocations`)";
      }
  }
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
  // reindex rewrites the derived state under no Ledger: never while the
  // daemon has the store open and its ledger in use.
  if (host_for(options.data_dir))
    fail(Code::wrong_state, "the daemon is running for " + options.data_dir + "; stop it first");
  auto store = open_store_only(options);
  const Clock& clock = *check(app::process_clock());
  ReindexReport report = check(reindex(*store.store, clock, progress_printer("reindexed")));
  bool same = report.digest_before == report.digest_after;
  if (options.json)
    return print_json({{"records", report.records},
                       {"digest_before", to_hex(report.digest_before)},
                       {"digest_after", to_hex(report.digest_after)},
                       {"identical", same}});
  out() << "rebuilt balances, postings, movements, members and the Merkle tree from " << report.records
        << " records\n"
        << "state digest before    " << to_hex(report.digest_before) << "\n"
        << "state digest after     " << to_hex(report.digest_after) << "\n"
        << (same ? "identical: the stored state matched the records\n"
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
