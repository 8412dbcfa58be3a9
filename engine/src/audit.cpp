#include "cohours/audit.h"

#include "cohours/entry.h"
#include "cohours/merkle.h"
#include "cohours/record.h"
#include "parallel_verify.h"
#include "rules.h"
#include "state.h"
#include "tree_store.h"

namespace cohours {

namespace {

std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

struct Auditor {
  explicit Auditor(const Store& s) : store(s) {}
  const Store& store;
  AuditReport report;
  PublicKey node_key;
  std::unique_ptr<Store> replay = make_memory_store();
  StateView view{*replay};
  merkle::Frontier frontier{merkle::blake2b_hasher()};
  Hash32 last_hash;
  std::uint64_t size = 0;
  std::unique_ptr<Cursor> heads;

  bool fail(std::uint64_t seq, std::string message) {
    report.passed = false;
    report.first_bad_seq = seq;
    report.failure = std::move(message);
    return false;
  }

  // Checks every signed head stored for the current size.
  bool check_heads_at_size() {
    while (heads->valid() && read_be64(heads->key()) <= size) {
      std::uint64_t head_size = read_be64(heads->key());
      auto head = decode_signed_tree_head(as_span(heads->value()));
      if (!head.ok()) return fail(head_size, "signed tree head at size " + std::to_string(head_size) + " does not decode");
      if (head->head.size != head_size || head->head.log != node_key)
        return fail(head_size, "tree head at size " + std::to_string(head_size) + " is filed under the wrong size or log");
      if (!verify_tree_head(head.value()))
        return fail(head_size, "tree head at size " + std::to_string(head_size) + " has a bad node signature");
      if (head_size != size) return fail(head_size, "tree head at size " + std::to_string(head_size) + " has no record");
      if (head->head.root != frontier.root())
        return fail(head_size, "tree head at size " + std::to_string(head_size) +
                                   " signs a root that the records do not produce");
      ++report.heads;
      heads->next();
    }
    return true;
  }

  struct Pending {
    std::uint64_t seq;
    std::string record_bytes;
    Result<Record> record = Status(Code::malformed, "");
    Result<SignedEntry> entry = Status(Code::malformed, "");
    bool signature_ok = false;
  };

  bool check_batch(std::vector<Pending>& batch) {
    parallel_for(batch.size(), [&](std::size_t i) {
      Pending& p = batch[i];
      p.record = decode_record(as_span(p.record_bytes));
      if (!p.record.ok()) return;
      p.entry = decode_entry(p.record->entry);
      if (p.entry.ok()) p.signature_ok = verify_signature(p.entry.value());
    });
    for (Pending& p : batch) {
      const std::uint64_t expected = size + 1;
      if (p.seq != expected) return fail(expected, "record " + std::to_string(expected) + " is missing");
      if (!p.record.ok()) return fail(expected, "record " + std::to_string(expected) + ": " + p.record.status().message());
      if (p.record->seq != expected)
        return fail(expected, "record " + std::to_string(expected) + " says it is record " + std::to_string(p.record->seq));
      if (p.record->prev_hash != last_hash)
        return fail(expected, "record " + std::to_string(expected) + " does not link to the hash of record " +
                                  std::to_string(size));
      ++report.hash_links;
      if (!p.entry.ok()) return fail(expected, "record " + std::to_string(expected) + ": " + p.entry.status().message());
      if (!p.signature_ok)
        return fail(expected, "record " + std::to_string(expected) + ": the entry's signature does not verify");
      ++report.signatures;
      std::string seen;
      if (view.get(Column::entries, key_of(p.entry->id), &seen).ok())
        return fail(expected, "record " + std::to_string(expected) + " repeats the entry of record " +
                                  std::to_string(read_be64(seen)));
      Status applied = apply_entry(view, p.entry.value(), {node_key, expected, p.record->received_ms});
      if (!applied.ok())
        return fail(expected, "record " + std::to_string(expected) + " (" + kind_name(p.entry->entry.kind()) +
                                  ") breaks a ledger rule: " + applied.message());
      bool tree_ok = true;
      frontier.append(merkle::blake2b_hasher().leaf(as_span(p.record_bytes)),
                      [&](merkle::NodeId node, const Hash32& hash) {
                        std::string stored;
                        if (!store.get(Column::tree, tree_key(node), &stored).ok() || stored != key_of(hash))
                          tree_ok = false;
                        ++report.tree_nodes;
                      });
      if (!tree_ok)
        return fail(expected, "the stored Merkle tree does not match record " + std::to_string(expected) +
                                  " (run `cohours reindex` if the records are otherwise sound)");
      last_hash = record_hash(as_span(p.record_bytes));
      size = expected;
      ++report.records;
      if (!check_heads_at_size()) return false;
    }
    WriteBatch drained;
    view.drain_into(drained);
    return replay->write(drained, Durability::buffered).ok() || fail(0, "scratch store failed");
  }

  // Derived rows must equal the replay's bit for bit.
  bool compare_column(Column column) {
    auto stored = store.scan(column, "", "");
    auto fresh = replay->scan(column, "", "");
    for (; stored->valid() || fresh->valid(); stored->next(), fresh->next()) {
      std::string where = std::string(column_name(column)) + " row";
      if (!stored->valid()) return fail(0, where + " missing from the store (recomputed from the records but not stored)");
      if (!fresh->valid()) return fail(0, where + " in the store that the records do not produce");
      if (stored->key() != fresh->key())
        return fail(0, where + " keys differ between the store and the records");
      if (stored->value() != fresh->value()) {
        if (column == Column::balances)
          return fail(0, "stored balance of account " + to_hex(reinterpret_cast<const std::uint8_t*>(stored->key().data()), stored->key().size()) +
                             " differs from the balance the records produce");
        return fail(0, where + " differs from what the records produce");
      }
      ++report.derived_rows;
      if (column == Column::balances) ++report.accounts;
    }
    if (!stored->status().ok()) return fail(0, stored->status().message());
    return true;
  }

  bool run(const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    std::string raw;
    if (!store.get(Column::meta, "node_key", &raw).ok() || raw.size() != 32)
      return fail(0, "the store holds no node key");
    std::copy(raw.begin(), raw.end(), node_key.bytes.begin());
    std::uint64_t total = 0;
    if (store.get(Column::meta, meta_key::log_size, &raw).ok() && raw.size() == 8) total = read_be64(raw);
    heads = store.scan(Column::heads, "", "");
    auto records = store.scan(Column::records, "", "");
    std::vector<Pending> batch;
    constexpr std::size_t kBatch = 1024;
    for (; records->valid(); records->next()) {
      if (records->key().size() != 8) return fail(size + 1, "a record has a malformed key");
      batch.push_back({read_be64(records->key()), std::string(records->value())});
      if (batch.size() == kBatch) {
        if (!check_batch(batch)) return false;
        batch.clear();
        if (progress) progress(size, total);
      }
    }
    if (!records->status().ok()) return fail(0, records->status().message());
    if (!batch.empty() && !check_batch(batch)) return false;
    if (progress) progress(size, total);
    if (heads->valid()) return fail(read_be64(heads->key()), "a signed tree head covers records that do not exist");
    if (total != size)
      return fail(size, "the store says the log holds " + std::to_string(total) + " records but " +
                            std::to_string(size) + " were found");
    if (size > 0) {
      if (!store.get(Column::meta, meta_key::latest_head, &raw).ok())
        return fail(size, "the latest signed tree head is missing");
      auto latest = decode_signed_tree_head(as_span(raw));
      if (!latest.ok() || latest->head.size != size || latest->head.root != frontier.root() || !verify_tree_head(latest.value()))
        return fail(size, "the latest signed tree head does not cover the whole log");
      if (report.heads == 0) return fail(size, "no signed tree head covers the log");
    }
    // Policy is derived too.
    std::string stored_policy, fresh_policy;
    (void)store.get(Column::meta, meta_key::policy, &stored_policy);
    (void)replay->get(Column::meta, meta_key::policy, &fresh_policy);
    if (stored_policy != fresh_policy) return fail(0, "the stored policy differs from what the records produce");
    for (Column column : kDerivedColumns)
      if (column != Column::tree && !compare_column(column)) return false;
    report.root = frontier.root();
    auto digest = digest_state(*replay);
    if (digest.ok()) report.state_digest = digest.value();
    report.passed = true;
    return true;
  }
};

}  // namespace

Result<AuditReport> audit_store(const Store& store,
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  Auditor auditor{store};
  auditor.run(progress);
  return auditor.report;
}

}  // namespace cohours
