// One entry of each kind with fixed keys, times and nonces: the inputs of
// the pinned canonical-bytes vectors in entry_codec_test.cpp and
// docs/data-format.md.
#pragma once

#include <vector>

#include "cohours/crypto.h"
#include "cohours/entry.h"

namespace cohours::test {

inline KeyPair vector_key(std::uint8_t fill) {
  FixedBytes<32> seed;
  seed.bytes.fill(fill);
  return keypair_from_seed(seed);
}

inline Hash32 vector_hash(std::uint8_t fill) {
  Hash32 hash;
  hash.bytes.fill(fill);
  return hash;
}

// Author of every vector is vector_key(1); other keys 2 (member), 3 (node).
inline std::vector<Entry> vector_entries() {
  const PublicKey member = vector_key(2).public_key, node = vector_key(3).public_key;
  const PublicKey author = vector_key(1).public_key;
  auto entry = [&](EntryBody body, PublicKey on_behalf = {}) {
    return Entry{kEntryFormatVersion, node, author, on_behalf, 1'795'000'000'000, 7, std::move(body)};
  };
  HoursLog log;
  log.recipient = member;
  log.payer = Payer::pool;
  log.minutes = 120;
  log.category = "befriending";
  log.date_days = 20'777;
  log.note_digest = vector_hash(0xaa);
  return {
      entry(MemberJoin{member, role_carer | role_volunteer, node}),
      entry(MemberRole{member, role_admin}),
      entry(PolicySet{{PolicySetting{PolicyTarget::role_floor, role_carer, -600, {}},
                       PolicySetting{PolicyTarget::categories, 0, 0, {"respite", "gardening"}}}}),
      entry(log),
      entry(HoursConfirm{vector_hash(0x11)}, member),
      entry(HoursVoid{vector_hash(0x11), vector_hash(0x22)}),
      entry(Transfer{member, 30, vector_hash(0x33)}),
      entry(RespiteRequest{180, 20'785, {}}),
      entry(RespiteOffer{vector_hash(0x44)}),
      entry(RespiteCancel{vector_hash(0x44)}),
      entry(Reversal{vector_hash(0x55), {}}),
      entry(ExpenseClaim{540,
                         *Currency::parse("GBP"),
                         ExpenseCategory::travel,
                         20'777,
                         12,
                         vector_hash(0x66),
                         vector_hash(0x77),
                         {}}),
      entry(ExpenseApprove{vector_hash(0x88), {}}),
      entry(ExpenseReject{vector_hash(0x88), vector_hash(0x99)}),
      entry(ExpensePaid{vector_hash(0x88), 20'779, vector_hash(0xbb)}),
      entry(TransferOut{member, node, 60, vector_hash(0xcc)}),
      entry(TransferIn{node, vector_hash(0xdd), member, 60}),
      entry(RemoteHoursLog{member, node, log}),
  };
}

}  // namespace cohours::test
