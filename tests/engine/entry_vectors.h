// One entry of each kind with fixed keys, times and nonces: the inputs from
// which make_entry_vectors.cpp wrote schemas/entry-vectors.json once (that
// file, not this one, pins the bytes), and entries for the codec tests.
#pragma once

#include <vector>

#include "cohours/crypto.h"
#include "cohours/entry.h"

namespace cohours::test {

inline FixedBytes<32> vector_seed(std::uint8_t fill) {
  FixedBytes<32> seed;
  seed.bytes.fill(fill);
  return seed;
}

inline KeyPair vector_key(std::uint8_t fill) {
  return keypair_from_seed(vector_seed(fill));
}

inline Hash32 vector_hash(std::uint8_t fill) {
  Hash32 hash;
  hash.bytes.fill(fill);
  return hash;
}

// An entry and the fill byte of its signer's seed.
struct VectorInput {
  Entry entry;
  std::uint8_t signer_seed = 1;
};

// Keys from seeds: 1 the author (a member), 2 another member, 3 the node
// every entry is for (its log), 4 another node, 5 a member of that node,
// 6 the new key member.rekey gives member 2, 7 the key node.rotate hands
// the node to. transfer.in and node.rotate are signed by the node itself, as the rules require; every
// other entry by key 1. Created 1795000000000, nonce 7 unless said below.
inline std::vector<VectorInput> vector_inputs() {
  const PublicKey author = vector_key(1).public_key, member = vector_key(2).public_key;
  const PublicKey node = vector_key(3).public_key, other_node = vector_key(4).public_key;
  auto entry = [&](EntryBody body, PublicKey on_behalf = {}) {
    return VectorInput{
        Entry{kEntryFormatVersion, node, author, on_behalf, 1'795'000'000'000, 7, std::move(body)}, 1};
  };
  HoursLog log;
  log.recipient = member;
  log.payer = Payer::pool;
  log.minutes = 120;
  log.category = "befriending";
  log.date_days = 20'777;
  log.note_digest = vector_hash(0xaa);
  VectorInput in = entry(TransferIn{other_node, vector_hash(0xdd), member, 60});
  in.entry.author = node;
  in.signer_seed = 3;
  // Nonces past what a JavaScript number holds exactly: 2^64 - 1 and 2^53 + 1.
  // node.rotate: the node (key 3) hands signing to key 7, which proves it.
  const KeyPair next = vector_key(7);
  VectorInput rotate = entry(NodeRotate{next.public_key, sign(rotation_proof_message(node, node, next.public_key),
                                                              next.secret_key)});
  rotate.entry.author = node;
  rotate.signer_seed = 3;
  VectorInput transfer = entry(Transfer{member, 30, vector_hash(0x33)});
  transfer.entry.nonce = 18'446'744'073'709'551'615u;
  VectorInput out = entry(TransferOut{member, other_node, 60, vector_hash(0xcc)});
  out.entry.nonce = 9'007'199'254'740'993u;
  return {
      entry(MemberJoin{member, role_carer | role_volunteer, node}),
      entry(MemberRole{member, role_admin}),
      entry(PolicySet{{PolicySetting{PolicyTarget::role_floor, role_carer, -600, {}},
                       PolicySetting{PolicyTarget::categories, 0, 0, {"respite", "gardening"}}}}),
      entry(log),
      entry(HoursConfirm{vector_hash(0x11)}, member),
      entry(HoursVoid{vector_hash(0x11), vector_hash(0x22)}),
      transfer,
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
      out,
      in,
      entry(RemoteHoursLog{vector_key(5).public_key, other_node, log}),
      // Appended after the 18 first pinned (make_entry_vectors --append).
      entry(MemberRekey{member, vector_key(6).public_key}),
      rotate,
      // Appended after node.rotate (make_entry_vectors --append).
      entry(VettingRecord{member, VettingKind::dbs_enhanced_barred, 20'450, 21'545, vector_hash(0xcc)}),
      entry(VettingWithdraw{vector_hash(0xee), vector_hash(0xff)}),
      // Appended after vetting.withdraw (make_entry_vectors --append): two
      // volunteers (keys 1 and 2) for two members of another node's
      // seeds (5 and 6) sharing the cost.
      entry(GroupHours{{{author, 120}, {member, 90}},
                       {vector_key(5).public_key, vector_key(6).public_key},
                       Payer::recipient,
                       "lunch-club",
                       20'777,
                       vector_hash(0xab)}),
      // Appended after hours.group (make_entry_vectors --append).
      entry(BalanceOpen{member, -750, vector_hash(0xdd), 42}),
      // Appended after balance.open (make_entry_vectors --append).
      entry(ClearingLimit{other_node, {true, -2000}}),
      entry(ClearingLimitPeer{other_node, vector_hash(0x5a), 7, {false, 0}}),
  };
}

// The entries alone, in kind order.
inline std::vector<Entry> vector_entries() {
  std::vector<Entry> out;
  for (auto& input : vector_inputs()) out.push_back(std::move(input.entry));
  return out;
}

}  // namespace cohours::test
