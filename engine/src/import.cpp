#include "cohours/import.h"

#include "cohours/log_space.h"

#include "cohours/clock.h"
#include "cohours/ledger.h"
#include "state.h"

namespace cohours {

namespace {

std::string as_string(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// reindex words its refusal for an operator with a backup; an auditor of an
// export only needs what was wrong.
std::string reindex_failure(const std::string& message) {
  constexpr std::string_view prefix = "reindex refused, nothing was changed: ";
  constexpr std::string_view suffix = ". The records are damaged; restore the store from a backup";
  std::string_view text = message;
  if (text.starts_with(prefix)) text.remove_prefix(prefix.size());
  if (text.ends_with(suffix)) text.remove_suffix(suffix.size());
  return std::string(text);
}

}  // namespace

Status import_log(Store& store, const PublicKey& node_key, const Currency& currency,
                  std::span<const Bytes> records, const SignedTreeHead& head) {
  std::string existing;
  Status status = store.get(Column::meta, meta_key::self_node, &existing);
  if (status.ok()) return Status(Code::already_exists, "the store already holds a node");
  if (status.code() != Code::not_found) return status;
  if (head.head.log != node_key)
    return Status(Code::corruption, "the signed tree head belongs to another node's log");
  if (head.head.size != records.size())
    return Status(Code::corruption, "the signed tree head covers " + std::to_string(head.head.size) +
                                        " records but " + std::to_string(records.size()) + " were given");
  // With records, reindex checks the head with the key that signed for the
  // node at its size; an empty log has no rotation, so its first key signs.
  if (records.empty() && !verify_tree_head(head, node_key))
    return Status(Code::corruption, "the signed tree head's signature does not verify");

  // Names are not in the log: the imported node has none.
  auto space = log_space(store, node_key);
  if (Status s = write_log_identity(*space, node_key, "", currency, 0); !s.ok()) return s;
  WriteBatch batch;
  batch.put(Column::meta, meta_key::self_node, key_of(node_key));
  for (std::size_t i = 0; i < records.size(); ++i)
    batch.put(Column::records, be64(i + 1), as_string(records[i]));
  if (!records.empty()) {
    const std::string head_bytes = as_string(encode_signed_tree_head(head));
    batch.put(Column::heads, be64(head.head.size), head_bytes);
    batch.put(Column::meta, meta_key::latest_head, head_bytes);
    batch.put(Column::meta, meta_key::last_hash, key_of(record_hash(records.back())));
  }
  batch.put(Column::meta, meta_key::log_size, be64(records.size()));
  // self_node goes unprefixed; everything else is the log's.
  WriteBatch self;
  WriteBatch rows;
  for (const auto& op : batch.ops())
    (op.column == Column::meta && op.key == meta_key::self_node ? self : rows).put(op.column, op.key, op.value);
  if (Status s = space->write(rows, Durability::buffered); !s.ok()) return s;
  if (Status s = store.write(self, Durability::buffered); !s.ok()) return s;

  // reindex reads no time; the clock is only part of its signature.
  FakeClock clock(0);
  auto rebuilt = reindex(store, clock);
  if (!rebuilt.ok())
    return Status(rebuilt.code(), rebuilt.code() == Code::corruption
                                      ? reindex_failure(rebuilt.status().message())
                                      : rebuilt.status().message());
  return Status();
}

}  // namespace cohours
