#include "cohours/log_space.h"

namespace cohours {

bool is_log_column(Column column) {
  switch (column) {
    case Column::directory:
    case Column::notes:
    case Column::peers:
    case Column::evidence:
    case Column::witnesses:
    case Column::refusals:
      return false;
    default:
      return true;
  }
}

namespace {

// Strips the prefix from the base cursor's keys.
class SpaceCursor final : public Cursor {
 public:
  SpaceCursor(std::unique_ptr<Cursor> base, std::size_t prefix_size)
      : base_(std::move(base)), prefix_size_(prefix_size) {}
  bool valid() const override { return base_->valid(); }
  std::string_view key() const override { return base_->key().substr(prefix_size_); }
  std::string_view value() const override { return base_->value(); }
  void next() override { base_->next(); }
  Status status() const override { return base_->status(); }

 private:
  std::unique_ptr<Cursor> base_;
  std::size_t prefix_size_;
};

class LogSpace final : public Store {
 public:
  LogSpace(const Store& base, const PublicKey& log)
      : base_(const_cast<Store&>(base)), prefix_(log.bytes.begin(), log.bytes.end()) {}
  // A view of a snapshot of the base, which it keeps.
  LogSpace(std::unique_ptr<const Store> owned, std::string prefix)
      : owned_(std::move(owned)), base_(const_cast<Store&>(*owned_)), prefix_(std::move(prefix)) {}

  Status compact(Column column) override { return base_.compact(column); }
  std::unique_ptr<const Store> snapshot() const override {
    return std::make_unique<LogSpace>(base_.snapshot(), prefix_);
  }

 protected:
  // Reads and writes go through the base's public calls, so a ReadSnapshot
  // of the base pins this view's reads too.
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    return base_.get(column, full(column, key), value);
  }

  Status do_write(const WriteBatch& batch, Durability durability) override {
    WriteBatch prefixed;
    for (const auto& op : batch.ops()) {
      if (op.erase)
        prefixed.erase(op.column, full(op.column, op.key));
      else
        prefixed.put(op.column, full(op.column, op.key), op.value);
    }
    return base_.write(prefixed, durability);
  }

  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    if (!is_log_column(column)) return base_.scan(column, from, to);
    std::string end = to.empty() ? space_end() : full(column, to);
    return std::make_unique<SpaceCursor>(base_.scan(column, full(column, from), end), prefix_.size());
  }

  Status do_clear(Column column) override {
    if (!is_log_column(column)) return base_.clear(column);
    return base_.erase_range(column, prefix_, space_end());
  }

  Status do_erase_range(Column column, std::string_view from, std::string_view to) override {
    if (!is_log_column(column)) return base_.erase_range(column, from, to);
    return base_.erase_range(column, full(column, from), full(column, to));
  }

 private:
  std::string full(Column column, std::string_view key) const {
    if (!is_log_column(column)) return std::string(key);
    std::string out = prefix_;
    out.append(key);
    return out;
  }

  // The smallest key after every key with the prefix: the prefix plus one.
  // Node keys are ed25519 points, never 32 bytes of 0xff, so it exists.
  std::string space_end() const {
    std::string end = prefix_;
    for (std::size_t i = end.size(); i-- > 0;) {
      if (static_cast<unsigned char>(end[i]) != 0xff) {
        end[i] = static_cast<char>(static_cast<unsigned char>(end[i]) + 1);
        end.resize(i + 1);
        return end;
      }
    }
    return std::string(prefix_.size() + 1, '\xff');
  }

  std::unique_ptr<const Store> owned_;  // a snapshot view's base; else null
  Store& base_;                         // only mutated through the non-const overload's view
  std::string prefix_;
};

}  // namespace

std::unique_ptr<Store> log_space(Store& base, const PublicKey& log) {
  return std::make_unique<LogSpace>(base, log);
}

std::unique_ptr<const Store> log_space(const Store& base, const PublicKey& log) {
  return std::make_unique<LogSpace>(base, log);
}

Result<PublicKey> self_node_key(const Store& base) {
  std::string raw;
  Status status = base.get(Column::meta, "self_node", &raw);
  if (status.code() == Code::not_found) return Status(Code::not_found, "the store holds no node");
  if (!status.ok()) return status;
  PublicKey key;
  if (raw.size() != key.bytes.size()) return Status(Code::corruption, "the stored node key is malformed");
  std::copy(raw.begin(), raw.end(), key.bytes.begin());
  return key;
}

}  // namespace cohours
