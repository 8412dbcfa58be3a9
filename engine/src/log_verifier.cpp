#include "log_verifier.h"

#include <algorithm>
#include <future>

#include "log_tip.h"
#include "parallel_verify.h"
#include "state.h"

namespace cohours {

namespace {

struct Walker {
  // A constructor rather than aggregate initialisation: g++ -O3 warned that
  // the LogCheck left to `{}` might be used uninitialised.
  Walker(const Store& s, const PublicKey& key, std::vector<SignedTreeHead> heads_kept, TipMeta meta,
         const std::function<std::string(const VerifiedRecord&)>& on_record)
      : store(s), node_key(key), known(std::move(heads_kept)), tip_meta(meta), each(on_record) {}

  const Store& store;
  PublicKey node_key;
  std::vector<SignedTreeHead> known;  // sorted by size
  std::size_t next_known = 0;
  TipMeta tip_meta;
  const std::function<std::string(const VerifiedRecord&)>& each;
  LogCheck check;
  // The keys that signed for the log so far: a node.rotate record hands the
  // heads after it to its new key.
  std::vector<NodeSigner> signers = node_signers(node_key, {});
  merkle::Frontier frontier{merkle::blake2b_hasher()};
  std::unique_ptr<Cursor> heads = store.scan(Column::heads, "", "");

  bool fail(std::uint64_t seq, std::string message) {
    check.first_bad_seq = seq;
    check.failure = std::move(message);
    return false;
  }

  // Every stored head and every kept head at the current size must sign
  // the root the records produce.
  bool check_heads() {
    const std::uint64_t size = check.records;
    while (heads->valid() && heads->key().size() == 8 && read_be64(heads->key()) <= size) {
      std::uint64_t at = read_be64(heads->key());
      std::string where = "signed tree head at size " + std::to_string(at);
      auto head = decode_signed_tree_head(as_span(heads->value()));
      if (!head.ok()) return fail(at, where + " does not decode");
      if (head->head.size != at || head->head.log != node_key)
        return fail(at, where + " is filed under the wrong size or log");
      if (!verify_tree_head(head.value(), head_signer(signers, at)))
        return fail(at, where + " has a bad node signature");
      if (at != size) return fail(at, where + " has no record");
      if (head->head.root != frontier.root())
        return fail(at, where + " signs a root that the records do not produce");
      ++check.heads;
      heads->next();
    }
    while (next_known < known.size() && known[next_known].head.size == size) {
      if (!verify_tree_head(known[next_known], head_signer(signers, size)))
        return fail(size, "a kept tree head at size " + std::to_string(size) +
                              " does not carry the signature of the key that signed for the node then");
      if (known[next_known].head.root != frontier.root())
        return fail(size, "the log differs from the head an auditor kept at size " + std::to_string(size) +
                              ": history was rewritten");
      ++check.known_heads;
      ++next_known;
    }
    return true;
  }

  struct Item {
    std::uint64_t seq;
    std::string bytes;
    Result<Record> record = Status(Code::malformed, "");
    Result<SignedEntry> entry = Status(Code::malformed, "");
    bool signature_ok = false;
  };

  // Decodes a batch and verifies its signatures on the pool: the part that
  // needs no state, so it runs while the previous batch is walked.
  static void check_batch(std::vector<Item>& batch) {
    parallel_for(batch.size(), [&](std::size_t i) {
      Item& item = batch[i];
      item.record = decode_record(as_span(item.bytes));
      if (!item.record.ok()) return;
      item.entry = decode_entry(item.record->entry);
      if (item.entry.ok()) item.signature_ok = verify_signature(item.entry.value());
    });
  }

  // The checks that need the records in order (links, tree, heads, the
  // rules through `each`), on a batch check_batch has been through.
  bool walk_batch(std::vector<Item>& batch) {
    std::vector<std::pair<merkle::NodeId, Hash32>> completed;
    for (Item& item : batch) {
      const std::uint64_t expected = check.records + 1;
      const std::string where = "record " + std::to_string(expected);
      if (item.seq != expected) return fail(expected, where + " is missing");
      if (!item.record.ok()) return fail(expected, where + ": " + item.record.status().message());
      if (item.record->seq != expected)
        return fail(expected, where + " says it is record " + std::to_string(item.record->seq));
      if (item.record->prev_hash != check.last_hash)
        return fail(expected, where + " does not link to the hash of record " + std::to_string(expected - 1));
      ++check.hash_links;
      if (!item.entry.ok()) return fail(expected, where + ": " + item.entry.status().message());
      if (!item.signature_ok) return fail(expected, where + ": the entry's signature does not verify");
      ++check.signatures;
      completed.clear();
      frontier.append(merkle::blake2b_hasher().leaf(as_span(item.bytes)),
                      [&](merkle::NodeId node, const Hash32& hash) { completed.emplace_back(node, hash); });
      check.last_hash = record_hash(as_span(item.bytes));
      check.records = expected;
      if (!check_heads()) return false;
      if (auto next = rotation_to(item.entry.value(), node_key, signers.back().key))
        signers.push_back({*next, expected, item.record->received_ms});
      if (each) {
        std::string problem =
            each({expected, item.bytes, item.record.value(), item.entry.value(), completed});
        if (!problem.empty()) return fail(expected, problem);
      }
    }
    return true;
  }

  bool run(const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    std::uint64_t total = 0;
    std::string raw;
    if (store.get(Column::meta, meta_key::log_size, &raw).ok() && raw.size() == 8) total = read_be64(raw);
    auto records = store.scan(Column::records, "", "");
    // A pipeline of two batches: the next one is read and verified while
    // this one is walked. A problem met while reading waits until every
    // record before it has been walked, so the first bad record is the one
    // reported.
    std::string read_failure;
    bool read_failure_at_record = false;  // else the store could not be read
    auto read_batch = [&](std::vector<Item>& into) {
      constexpr std::size_t kBatch = 1024;
      for (; read_failure.empty() && into.size() < kBatch && records->valid(); records->next()) {
        if (records->key().size() != 8) {
          read_failure = "a record has a malformed key";
          read_failure_at_record = true;
          break;
        }
        into.push_back({read_be64(records->key()), std::string(records->value())});
      }
      if (read_failure.empty())
        if (Status s = records->status(); !s.ok()) read_failure = s.message();
    };
    std::vector<Item> current, next;
    read_batch(current);
    check_batch(current);
    while (!current.empty()) {
      read_batch(next);
      std::future<void> verifying;
      if (!next.empty()) verifying = std::async(std::launch::async, [&next] { check_batch(next); });
      const bool walked = walk_batch(current);
      if (verifying.valid()) verifying.get();
      if (!walked) return false;
      if (progress) progress(check.records, total);
      current.swap(next);
      next.clear();
    }
    if (!read_failure.empty()) return fail(read_failure_at_record ? check.records + 1 : 0, read_failure);
    if (progress) progress(check.records, total);
    if (heads->valid())
      return fail(check.records + 1,
                  "a signed tree head covers records that do not exist (records were removed)");
    // A kept head beyond the log: signed by the key that signs for the node
    // now, history was cut off; otherwise it is no head of this log at all.
    if (next_known < known.size() && !verify_tree_head(known[next_known], signers.back().key))
      return fail(check.records, "a kept tree head at size " + std::to_string(known[next_known].head.size) +
                                     " does not carry the signature of the key that signed for the node");
    if (next_known < known.size())
      return fail(check.records, "an auditor kept a head at size " +
                                     std::to_string(known[next_known].head.size) +
                                     " but the log holds only " + std::to_string(check.records) +
                                     " records: history was removed");
    if (tip_meta == TipMeta::must_match && total != check.records)
      return fail(check.records, "the store says the log holds " + std::to_string(total) + " records but " +
                                     std::to_string(check.records) + " were found");
    if (check.records > 0) {
      if (check.heads == 0) return fail(check.records, "no signed tree head covers the log");
      std::string at_end;
      if (!store.get(Column::heads, be64(check.records), &at_end).ok())
        return fail(check.records, "no signed tree head covers the last record");
    }
    if (check.records > 0 && tip_meta == TipMeta::must_match) {
      if (!store.get(Column::meta, meta_key::latest_head, &raw).ok())
        return fail(check.records, "the latest signed tree head is missing");
      auto latest = decode_signed_tree_head(as_span(raw));
      if (!latest.ok() || latest->head.size != check.records || latest->head.root != frontier.root() ||
          !verify_tree_head(latest.value(), head_signer(signers, check.records)))
        return fail(check.records, "the latest signed tree head does not cover the whole log");
      if (!store.get(Column::meta, meta_key::last_hash, &raw).ok() || raw != key_of(check.last_hash))
        return fail(check.records, "the stored chain tip is not the hash of the last record");
    }
    check.root = frontier.root();
    check.passed = true;
    return true;
  }
};

}  // namespace

Result<PublicKey> stored_node_key(const Store& store) {
  std::string raw;
  Status status = store.get(Column::meta, meta_key::node_key, &raw);
  if (status.code() == Code::not_found) return Status(Code::not_found, "the store holds no node");
  if (!status.ok()) return status;
  if (raw.size() != 32) return Status(Code::corruption, "the stored node key is malformed");
  PublicKey key;
  std::copy(raw.begin(), raw.end(), key.bytes.begin());
  return key;
}

LogCheck verify_log(const Store& store, const PublicKey& node_key,
                    std::span<const SignedTreeHead> known_heads, TipMeta tip_meta,
                    const std::function<std::string(const VerifiedRecord&)>& each,
                    const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  Walker walker(store, node_key, {known_heads.begin(), known_heads.end()}, tip_meta, each);
  std::sort(walker.known.begin(), walker.known.end(),
            [](const SignedTreeHead& a, const SignedTreeHead& b) { return a.head.size < b.head.size; });
  walker.check.passed = walker.run(progress);
  return walker.check;
}

}  // namespace cohours
