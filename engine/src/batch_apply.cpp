#include "batch_apply.h"

#include "parallel_verify.h"
#include "rules.h"

namespace cohours {

namespace {

AppendResult batch_refused(AppendResult::Outcome outcome, std::string message) {
  AppendResult result;
  result.outcome = outcome;
  result.message = std::move(message);
  return result;
}

}  // namespace

AppendResult apply_batch_records(StateView& view, LogTip& tip, const LogBatch& batch, const Currency& currency) {
  using Outcome = AppendResult::Outcome;
  const PublicKey& log = batch.log;
  const SignedTreeHead& head = batch.head;
  const std::uint64_t held = tip.size;
  // Decode and verify every entry on all cores before anything else.
  const std::size_t count = batch.records.size();
  std::vector<Record> records(count);
  std::vector<SignedEntry> entries(count);
  std::vector<std::string> problems(count);
  parallel_for(count, [&](std::size_t i) {
    auto record = decode_record(batch.records[i]);
    if (!record.ok()) {
      problems[i] = "record does not decode: " + record.status().message();
      return;
    }
    auto entry = decode_entry(record->entry);
    if (!entry.ok()) {
      problems[i] = "entry does not decode: " + entry.status().message();
      return;
    }
    if (!verify_signature(entry.value())) problems[i] = "the entry signature does not verify";
    records[i] = std::move(record).value();
    entries[i] = std::move(entry).value();
  });
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t seq = held + 1 + i;
    const std::string where = "record " + std::to_string(seq) + " of log " + to_hex(log).substr(0, 12) + ": ";
    if (!problems[i].empty()) return batch_refused(Outcome::forged, where + problems[i]);
    if (records[i].seq != seq) return batch_refused(Outcome::forged, where + "out of order");
    if (records[i].prev_hash != tip.last_hash) return batch_refused(Outcome::forged, where + "breaks the hash chain");
    std::string seen;
    if (view.get(Column::entries, key_of(entries[i].id), &seen).ok())
      return batch_refused(Outcome::rule_broken, where + "repeats an earlier entry");
    Status applied = apply_entry(view, entries[i], {log, seq, records[i].received_ms, currency});
    if (!applied.ok()) {
      if (applied.code() == Code::io_error || applied.code() == Code::corruption)
        return batch_refused(Outcome::store_failed, applied.message());
      return batch_refused(Outcome::rule_broken, where + "breaks a ledger rule: " + applied.message());
    }
    append_record_bytes(view, tip, batch.records[i]);
  }
  if (tip.frontier.root() != head.head.root)
    return batch_refused(Outcome::forged, "the records do not make the signed root");
  // Always against the schedule the batch's own records leave: a rotation
  // among them retires the key that signed for the log until then.
  auto keys = load_node_signers(view, log);
  if (!keys.ok()) return batch_refused(Outcome::store_failed, keys.status().message());
  if (!verify_tree_head(head, head_signer(keys.value(), head.head.size)))
    return batch_refused(Outcome::forged,
                         "the batch's tree head is not signed by the key that signs for the log's node at size " +
                             std::to_string(head.head.size));
  AppendResult result;
  result.outcome = Outcome::appended;
  result.appended = count;
  return result;
}

}  // namespace cohours
