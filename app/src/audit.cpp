#include "cohours/app/audit.h"

#include <sstream>

#include "cohours/app/keyring.h"
#include "cohours/audit.h"
#include "cohours/crypto.h"
#include "cohours/net/consortium.h"
#include "cohours/store.h"
#include "scratch_dir.h"
#include "try.h"

namespace cohours::app {

namespace fs = std::filesystem;

namespace {

// The signed heads in the text of kept-heads files: hex lines that are long
// enough to be a head; other lines (comments, the log head's plain fields)
// are skipped.
Result<std::vector<SignedTreeHead>> kept_heads(const std::vector<KeptHeadsFile>& files) {
  using Answer = Result<std::vector<SignedTreeHead>>;
  std::vector<SignedTreeHead> heads;
  for (const auto& file : files) {
    std::istringstream in(file.text);
    std::string line;
    const std::size_t before = heads.size();
    for (int number = 1; std::getline(in, line); ++number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto bytes = from_hex(line);
      if (!bytes || bytes->size() < 64) continue;
      auto head = decode_signed_tree_head(*bytes);
      if (!head.ok())
        return Answer(Code::malformed,
                      file.name + " line " + std::to_string(number) + " is not a signed tree head");
      heads.push_back(head.value());
    }
    if (heads.size() == before)
      return Answer(Code::malformed, file.name + " holds no signed tree head (save `cohours log head`)");
  }
  return heads;
}

LogAudit to_log_audit(const PublicKey& audited, const AuditReport& report) {
  return LogAudit{
      audited,           report.passed,       report.records,       report.signatures, report.hash_links,
      report.tree_nodes, report.heads,        report.known_heads,   report.accounts,   report.derived_rows,
      report.root,       report.state_digest, report.first_bad_seq, report.failure};
}

}  // namespace

Result<LogAudit> verify_log(Node& node, const VerifyLog& r) {
  // The whole audit reads one state of the store: a commit while it runs
  // (a phone, a peer) is not taken for damage.
  const ReadSnapshot snapshot(node.store());
  AuditOptions options;
  TRY_ASSIGN(options.known_heads, kept_heads(r.known_heads));
  // The store must belong to the node whose key it is held with.
  options.expected_node_key = node.ledger().node_key();
  if (!r.node.empty()) {
    // Another co-op's log, from the verified copy held here: the key is the
    // one the consortium file gives for that node.
    TRY_ASSIGN(net::Consortium consortium, net::installed_consortium(node.store()));
    const net::ConsortiumNode* other = consortium.find_name(r.node);
    if (!other)
      return Result<LogAudit>(Code::unknown_member,
                              "no node named '" + r.node + "' in consortium '" + consortium.name + "'");
    if (other->key != options.expected_node_key) {
      options.log = other->key;
      options.expected_node_key = other->key;
    }
  }
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  if (node.progress())
    progress = [&node](std::uint64_t done, std::uint64_t total) { node.progress()("verified", done, total); };
  options.scratch_dir = new_scratch_dir(node.data_dir(), "audit");
  TRY_ASSIGN(AuditReport report, audit_store(node.store(), options, progress));
  const PublicKey audited = options.log.is_zero() ? options.expected_node_key : options.log;
  if (report.passed) {
    // Evidence that the audited log's node signed two different heads.
    TRY_ASSIGN(auto evidence, node.replicas().evidence());
    for (const auto& proof : evidence)
      if (proof.first.head.log == audited) {
        report.passed = false;
        report.failure = "equivocation: the node signed two different heads of size " +
                         std::to_string(proof.first.head.size) + " (see `cohours audit equivocations`)";
      }
  }
  return to_log_audit(audited, report);
}

Result<LogAudit> verify_log_in(const fs::path& data_dir, const VerifyLog& r, const Clock& clock,
                               const Progress& progress, PassphraseSource passphrase) {
  auto node = Node::open(data_dir, clock, std::move(passphrase));
  if (node.ok()) {
    node.value()->set_progress(progress);
    return verify_log(*node.value(), r);
  }
  if (node.code() != Code::corruption || !r.node.empty()) return node.status();
  // Opened as reindex does: the store and the node's public key (the
  // passphrase already opened node.key above), no ledger.
  TRY_ASSIGN(PublicKey node_key, read_node_public_key(data_dir));
  TRY_ASSIGN(std::unique_ptr<Store> store,
             open_rocks_store((data_dir / "store").string(), OpenMode::open_existing));
  AuditOptions options;
  TRY_ASSIGN(options.known_heads, kept_heads(r.known_heads));
  options.expected_node_key = node_key;
  options.scratch_dir = new_scratch_dir(data_dir, "audit");
  std::function<void(std::uint64_t, std::uint64_t)> report_progress;
  if (progress)
    report_progress = [&progress](std::uint64_t done, std::uint64_t total) {
      progress("verified", done, total);
    };
  TRY_ASSIGN(AuditReport report, audit_store(*store, options, report_progress));
  // The ledger saw damage; an audit that finds none must not say all is well.
  if (report.passed) {
    report.passed = false;
    report.failure = "the node refuses to open its ledger: " + node.status().message();
  }
  return to_log_audit(options.expected_node_key, report);
}

Result<Reindexed> reindex_node(const fs::path& data_dir, const Clock& clock, const Progress& progress) {
  std::error_code ec;
  if (!fs::exists(data_dir / "node.key", ec))
    return Result<Reindexed>(Code::not_found, "no cohours node in " + data_dir.string() +
                                                  "; pass --data DIR or run `cohours init`");
  TRY_ASSIGN(std::unique_ptr<Store> store,
             open_rocks_store((data_dir / "store").string(), OpenMode::open_existing));
  std::function<void(std::uint64_t, std::uint64_t)> report_progress;
  if (progress)
    report_progress = [&progress](std::uint64_t done, std::uint64_t total) {
      progress("reindexed", done, total);
    };
  TRY_ASSIGN(ReindexReport report, reindex(*store, clock, report_progress, new_scratch_dir(data_dir, "reindex")));
  return Reindexed{report.records, report.digest_before, report.digest_after,
                   report.digest_before == report.digest_after};
}

}  // namespace cohours::app
