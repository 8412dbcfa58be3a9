#include "cohours/audit.h"

#include "cohours/log_space.h"

#include "log_verifier.h"
#include "pending_index.h"
#include "row_cache.h"
#include "rules.h"
#include "state.h"
#include "tree_store.h"

namespace cohours {

namespace {

// Replays the rules into a scratch store and compares derived state.
struct Replay {
  Replay(const Store& s, const PublicKey& key, const Currency& c, AuditReport& r, std::unique_ptr<Store> into)
      : store(s), node_key(key), currency(c), report(r), scratch(std::move(into)) {}
  const Store& store;
  PublicKey node_key;
  Currency currency;
  AuditReport& report;
  std::unique_ptr<Store> scratch;
  RowCache rows;  // only the replay writes the scratch store
  StateView view{*scratch, &rows};
  std::string derived_failure;  // first mismatch of derived state, if any
  bool compare_pending = true;  // false for a store from before the column

  std::string apply(const VerifiedRecord& r) {
    std::string seen;
    if (view.get(Column::entries, key_of(r.entry.id), &seen).ok())
      return "record " + std::to_string(r.seq) + " repeats the entry of record " +
             std::to_string(read_be64(seen));
    Status applied = apply_entry(view, r.entry, {node_key, r.seq, r.record.received_ms, currency});
    if (!applied.ok())
      return "record " + std::to_string(r.seq) + " (" + kind_name(r.entry.entry.kind()) +
             ") breaks a ledger rule: " + applied.message();
    for (const auto& [node, hash] : r.completed) {
      std::string stored;
      ++report.tree_nodes;
      if (derived_failure.empty() &&
          (!store.get(Column::tree, tree_key(node), &stored).ok() || stored != key_of(hash)))
        derived_failure =
            "the stored Merkle tree does not match the records from record " + std::to_string(r.seq);
    }
    if (r.seq % 1024 == 0) return flush();
    return {};
  }

  std::string flush() {
    WriteBatch drained;
    view.drain_into(drained);
    Status status = rows.write_through(*scratch, drained, Durability::buffered);
    return status.ok() ? std::string() : "scratch store failed: " + status.message();
  }

  // Derived rows must equal the replay's bit for bit.
  void compare_column(Column column) {
    auto stored = store.scan(column, "", "");
    auto fresh = scratch->scan(column, "", "");
    std::string where = std::string("stored ") + column_name(column);
    for (; stored->valid() || fresh->valid(); stored->next(), fresh->next()) {
      if (!derived_failure.empty()) return;
      if (!stored->valid())
        derived_failure = where + " lacks rows that the records produce";
      else if (!fresh->valid())
        derived_failure = where + " has rows that the records do not produce";
      else if (stored->key() != fresh->key())
        derived_failure = where + " rows differ from the records";
      else if (stored->value() != fresh->value())
        derived_failure = column == Column::balances
                              ? "the stored balance of account " +
                                    to_hex(reinterpret_cast<const std::uint8_t*>(stored->key().data()),
                                           stored->key().size()) +
                                    " differs from the balance the records produce"
                              : where + " rows differ from the records";
      else {
        ++report.derived_rows;
        if (column == Column::balances) ++report.accounts;
      }
    }
    if (derived_failure.empty() && !stored->status().ok()) derived_failure = stored->status().message();
  }

  void compare_all() {
    std::string stored_policy, fresh_policy;
    (void)store.get(Column::meta, meta_key::policy, &stored_policy);
    (void)scratch->get(Column::meta, meta_key::policy, &fresh_policy);
    if (stored_policy != fresh_policy && derived_failure.empty())
      derived_failure = "the stored policy differs from what the records produce";
    for (Column column : kDerivedColumns)
      if (column != Column::tree && (column != Column::pending || compare_pending)) compare_column(column);
  }
};

}  // namespace

Result<AuditReport> audit_store(const Store& base, const AuditOptions& options,
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  AuditReport report;
  auto fail = [&](std::uint64_t seq, std::string message) {
    report.first_bad_seq = seq;
    report.failure = std::move(message);
    return report;
  };
  PublicKey log_key = options.log;
  if (log_key.is_zero()) {
    auto self = self_node_key(base);
    if (!self.ok()) return fail(0, self.status().message());
    log_key = self.value();
  }
  auto space = log_space(base, log_key);
  const Store& store = *space;
  auto node_key = stored_node_key(store);
  if (!node_key.ok()) return fail(0, node_key.status().message());
  if (Status format = check_store_format(store); !format.ok()) return fail(0, format.message());
  if (!options.expected_node_key.is_zero() && options.expected_node_key != node_key.value())
    return fail(0, "the store belongs to node " + to_hex(node_key.value()) + ", not the expected node " +
                       to_hex(options.expected_node_key));
  for (const auto& head : options.known_heads)
    // Its signature is checked on the walk, with the key that signed for
    // the node at that size.
    if (head.head.log != node_key.value() || head.head.size == 0)
      return fail(0, "a kept tree head is not a valid head of this node's log");

  auto currency = stored_currency(store);
  if (!currency.ok()) return currency.status();  // unread, not damaged
  std::unique_ptr<Store> scratch = make_memory_store();
  if (!options.scratch_dir.empty()) {
    auto opened = open_scratch_store(options.scratch_dir);
    if (!opened.ok()) return opened.status();
    scratch = std::move(opened).value();
  }
  Replay replay(store, node_key.value(), currency.value(), report, std::move(scratch));
  // A store no one has opened for writing since the pending column came
  // has none yet; its first such open builds it.
  auto indexed = has_pending_index(base);
  if (!indexed.ok()) return indexed.status();
  replay.compare_pending = indexed.value();
  LogCheck log = verify_log(
      store, node_key.value(), options.known_heads, TipMeta::must_match,
      [&](const VerifiedRecord& r) { return replay.apply(r); }, progress);
  report.records = log.records;
  report.signatures = log.signatures;
  report.hash_links = log.hash_links;
  report.heads = log.heads;
  report.known_heads = log.known_heads;
  if (!log.passed) return fail(log.first_bad_seq, log.failure);
  if (std::string problem = replay.flush(); !problem.empty()) return fail(0, problem);
  replay.compare_all();
  if (!replay.derived_failure.empty())
    return fail(0, replay.derived_failure +
                       " (the records themselves are sound: `cohours reindex` rebuilds derived state)");
  report.root = log.root;
  auto digest = digest_state(*replay.scratch);
  if (!digest.ok()) return digest.status();
  report.state_digest = digest.value();
  report.passed = true;
  return report;
}

}  // namespace cohours
