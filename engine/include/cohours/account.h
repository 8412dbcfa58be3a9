// Accounts hold credits (integer minutes). Every movement debits one account
// and credits another, so on every node the balances sum to zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cohours/types.h"

namespace cohours {

enum class AccountKind : std::uint8_t {
  // Credits, in minutes.
  member = 1,    // key: the member's public key
  pool = 2,      // key: the node key of the co-op that owns the pool
  clearing = 3,  // key: the other node's key (cross-node transfers)
  // Cash, in pence of the node's currency. Never mixed with credits.
  member_payable = 4,  // key: the member: approved expenses the co-op owes them
  coop_expenses = 5,   // key: the node: the co-op's approved expense costs
  coop_paid = 6,       // key: the node: cash paid out to members
};

enum class Unit : std::uint8_t { minutes = 1, pence = 2 };
constexpr Unit unit_of(AccountKind kind) {
  return kind == AccountKind::member || kind == AccountKind::pool || kind == AccountKind::clearing
             ? Unit::minutes
             : Unit::pence;
}

struct AccountId {
  AccountKind kind = AccountKind::member;
  PublicKey key;
  auto operator<=>(const AccountId&) const = default;

  static AccountId member(const PublicKey& key) { return {AccountKind::member, key}; }
  static AccountId pool(const PublicKey& node) { return {AccountKind::pool, node}; }
  static AccountId payable(const PublicKey& member) { return {AccountKind::member_payable, member}; }
  // This node's clearing account for credits in flight to or from `other_node`.
  static AccountId clearing(const PublicKey& other_node) { return {AccountKind::clearing, other_node}; }
  Unit unit() const { return unit_of(kind); }

  // 33 bytes: kind, key. Used as the store key of balances and postings.
  std::string to_key() const;
  static std::optional<AccountId> from_key(std::string_view key);
};

// For cash accounts the same fields hold pence (see AccountId::unit()).
struct Balance {
  std::int64_t balance_minutes = 0;
  std::int64_t pending_in_minutes = 0;   // pending hours this account would receive
  std::int64_t pending_out_minutes = 0;  // pending hours this account would pay
  // Net effect of everything pending: in - out.
  std::int64_t pending_minutes() const { return pending_in_minutes - pending_out_minutes; }
  bool operator==(const Balance&) const = default;
};

}  // namespace cohours
