// The tip of a log (size, last record hash, Merkle frontier) and appending
// records to it. Shared by the ledger (this node's log) and replicas
// (copies of other nodes' logs). Internal to the engine.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cohours/merkle.h"
#include "cohours/record.h"
#include "cohours/store.h"
#include "state.h"

namespace cohours {

// The log's tip: what the next append builds on.
struct LogTip {
  std::uint64_t size = 0;
  Hash32 last_hash;
  merkle::Frontier frontier{merkle::blake2b_hasher()};
};

// Appends one accepted entry as the next record, into the view.
void append_record(StateView& view, LogTip& tip, const Bytes& entry_bytes, std::int64_t received_ms);
// Appends a record received from elsewhere, already checked to follow the tip.
void append_record_bytes(StateView& view, LogTip& tip, std::span<const std::uint8_t> record_bytes);
// Writes the tip's size and last hash into the log's meta.
void put_tip(StateView& view, const LogTip& tip);
Result<LogTip> load_tip(const Store& store);
// The log's size as stored (0 for an empty log).
Result<std::uint64_t> stored_log_size(const Store& store);
// The tip must agree with the log itself: the last record's hash, the latest
// signed head's root, nothing past the end.
Status check_tip(const Store& store, const LogTip& tip);

std::string bytes_string(const Bytes& bytes);
std::span<const std::uint8_t> as_span(std::string_view s);

}  // namespace cohours
