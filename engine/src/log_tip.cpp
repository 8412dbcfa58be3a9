#include "log_tip.h"

#include "tree_store.h"

namespace cohours {

std::string tree_key(merkle::NodeId node) {
  std::string key(1, static_cast<char>(node.level));
  key += be64(node.index);
  return key;
}

merkle::NodeReader tree_reader(const Store& store, Status* failure) {
  return [&store, failure](merkle::NodeId node) -> std::optional<Hash32> {
    std::string raw;
    Status status = store.get(Column::tree, tree_key(node), &raw);
    if (failure && failure->ok() && !status.ok() && status.code() != Code::not_found) *failure = status;
    if (!status.ok() || raw.size() != 32) return std::nullopt;
    Hash32 hash;
    std::copy(raw.begin(), raw.end(), hash.bytes.begin());
    return hash;
  };
}

std::string bytes_string(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}
std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Appends one accepted entry as the next record, into the view.
void append_record(StateView& view, LogTip& tip, const Bytes& entry_bytes, std::int64_t received_ms) {
  Record record{tip.size + 1, tip.last_hash, received_ms, entry_bytes};
  Bytes bytes = encode_record(record);
  view.put(Column::records, be64(record.seq), bytes_string(bytes));
  tip.frontier.append(merkle::blake2b_hasher().leaf(bytes), [&](merkle::NodeId node, const Hash32& hash) {
    view.put(Column::tree, tree_key(node), key_of(hash));
  });
  tip.last_hash = record_hash(bytes);
  tip.size = record.seq;
}

void append_record_bytes(StateView& view, LogTip& tip, std::span<const std::uint8_t> record_bytes) {
  view.put(Column::records, be64(tip.size + 1), std::string(record_bytes.begin(), record_bytes.end()));
  tip.frontier.append(
      merkle::blake2b_hasher().leaf(record_bytes),
      [&](merkle::NodeId node, const Hash32& hash) { view.put(Column::tree, tree_key(node), key_of(hash)); });
  tip.last_hash = record_hash(record_bytes);
  tip.size += 1;
}

void put_tip(StateView& view, const LogTip& tip) {
  view.put(Column::meta, meta_key::log_size, be64(tip.size));
  view.put(Column::meta, meta_key::last_hash, key_of(tip.last_hash));
}

Result<std::uint64_t> stored_log_size(const Store& store) {
  std::string raw;
  Status status = store.get(Column::meta, meta_key::log_size, &raw);
  if (status.code() == Code::not_found) return std::uint64_t{0};
  if (!status.ok()) return status;
  if (raw.size() != 8) return Status(Code::corruption, "stored log size is malformed");
  return read_be64(raw);
}

Result<LogTip> load_tip(const Store& store) {
  LogTip tip;
  auto size = stored_log_size(store);
  if (!size.ok()) return size.status();
  tip.size = size.value();
  std::string raw;
  if (tip.size > 0) {
    Status s = store.get(Column::meta, meta_key::last_hash, &raw);
    if (!s.ok() && s.code() != Code::not_found) return s;
    if (!s.ok() || raw.size() != 32) return Status(Code::corruption, "stored last record hash is missing");
    std::copy(raw.begin(), raw.end(), tip.last_hash.bytes.begin());
  }
  Status unread;
  auto frontier = merkle::Frontier::load(merkle::blake2b_hasher(), tree_reader(store, &unread), tip.size);
  if (!unread.ok()) return unread;
  if (!frontier.ok())
    return Status(Code::corruption,
                  "Merkle tree is incomplete (" + frontier.status().message() + "); run `cohours reindex`");
  tip.frontier = frontier.value();
  return tip;
}

// The tip the next append builds on must agree with the log itself: the
// last record's hash, the latest signed head's root, nothing past the end.
// Otherwise the node would sign over a broken chain. A read that fails is
// passed on as the store's error: it says nothing about damage.
Status check_tip(const Store& store, const LogTip& tip) {
  const std::string hint = "; run `cohours audit verify`";
  std::string raw;
  auto read = [&](Column column, std::string_view key, bool* found) {
    Status status = store.get(column, key, &raw);
    *found = status.ok();
    return status.code() == Code::not_found ? Status() : status;
  };
  bool found = false;
  if (Status s = read(Column::records, be64(tip.size + 1), &found); !s.ok()) return s;
  if (found) return Status(Code::corruption, "the log holds records past its recorded size" + hint);
  if (tip.size == 0) return Status();
  if (Status s = read(Column::records, be64(tip.size), &found); !s.ok()) return s;
  if (!found || record_hash(as_span(raw)) != tip.last_hash)
    return Status(Code::corruption, "the last record does not match the stored chain tip" + hint);
  if (Status s = read(Column::meta, meta_key::latest_head, &found); !s.ok()) return s;
  if (!found) return Status(Code::corruption, "the latest signed tree head is missing" + hint);
  auto head = decode_signed_tree_head(as_span(raw));
  if (!head.ok() || head->head.size != tip.size || head->head.root != tip.frontier.root())
    return Status(Code::corruption, "the Merkle tree does not match the latest signed tree head" + hint);
  return Status();
}

}  // namespace cohours
