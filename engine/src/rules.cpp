#include "rules.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "cohours/dates.h"

namespace cohours {

namespace {

constexpr std::int64_t kMaxPolicyMinutes = 1'000'000 * 60;  // a sanity bound on floors
constexpr std::int64_t kMaxEntryCeiling = 24 * 60;          // no single entry over a day
constexpr std::int64_t kMaxPolicyPence = 100'000'000;       // a sanity bound on expense limits

Status reject(Code code, std::string message) {
  return Status(code, std::move(message));
}

// A balance floor: zero or below, and not below a million hours. Two
// messages, since a floor far too low is not a positive one.
Status floor_in_range(std::int64_t minutes) {
  if (minutes > 0) return reject(Code::bad_amount, "a floor is zero or a negative number of minutes");
  if (minutes < -kMaxPolicyMinutes)
    return reject(Code::bad_amount, "a floor is at most 1,000,000 hours below zero (-60000000 minutes)");
  return Status();
}

std::string short_id(const FixedBytes<32>& value) {
  return to_hex(value).substr(0, 12);
}

// Everything one handler needs, with the lookups it shares.
struct Apply {
  StateView& view;
  const SignedEntry& signed_entry;
  const ApplyContext& context;
  const Entry& entry = signed_entry.entry;
  // The member the author key signs for (their identity), resolved through
  // the signers column before any rule runs; the key itself for the node
  // key and strangers. Every rule compares this, never entry.author.
  PublicKey author{};
  // Every key that signed for this node, oldest first: the log id, then
  // each key a node.rotate named. The last one signs for the node now.
  std::vector<NodeSigner> node_keys;
  const PublicKey& node_signer() const { return node_keys.back().key; }
  // A failed store read inside a void helper; reported after dispatch.
  Status fault{};

  // The member whose act this is: on_behalf if set, else the author.
  const PublicKey& actor_key() const { return entry.on_behalf.is_zero() ? author : entry.on_behalf; }

  Result<std::optional<MemberInfo>> member(const PublicKey& key) {
    return load_row<MemberInfo>(view, Column::members, key_of(key));
  }

  // The member acting, checking on-behalf rules: only a coordinator may sign
  // for another member.
  Result<MemberInfo> actor(bool on_behalf_allowed) {
    if (!entry.on_behalf.is_zero()) {
      if (!on_behalf_allowed)
        return reject(Code::not_permitted,
                      std::string(kind_name(entry.kind())) + " cannot be signed on behalf of another member");
      auto signer = member(author);
      if (!signer.ok()) return signer.status();
      if (!*signer || !((*signer)->roles & role_coordinator))
        return reject(Code::not_permitted, "only a coordinator may sign on behalf of another member");
    }
    auto acting = member(actor_key());
    if (!acting.ok()) return acting.status();
    if (!*acting)
      return reject(Code::unknown_member,
                    "signer " + short_id(actor_key()) + " is not a member of this co-op");
    return **acting;
  }

  // member.* entries are signed by the node operator (node key) or an admin.
  Status require_operator_or_admin() {
    if (!entry.on_behalf.is_zero())
      return reject(Code::not_permitted, "membership entries cannot be signed on behalf of someone");
    if (author == node_signer()) return Status();
    auto signer = member(author);
    if (!signer.ok()) return signer.status();
    if (*signer && ((*signer)->roles & role_admin)) return Status();
    return reject(Code::not_permitted, "only an admin or the node operator may change membership");
  }

  // The author themself (never on behalf of someone) holds one of `roles`;
  // `who` names them in the refusal ("an admin").
  Status require_author_role(const char* what, std::uint32_t roles, const char* who) {
    if (!entry.on_behalf.is_zero())
      return reject(Code::not_permitted, std::string(what) + " cannot be signed on behalf of someone");
    auto signer = member(author);
    if (!signer.ok()) return signer.status();
    if (!*signer) return reject(Code::unknown_member, "signer is not a member of this co-op");
    if (!((*signer)->roles & roles))
      return reject(Code::not_permitted, std::string("only ") + who + " may " + what);
    return Status();
  }

  Status require_admin_author(const char* what) { return require_author_role(what, role_admin, "an admin"); }

  Result<Balance> balance(const AccountId& account) {
    auto row = load_row<Balance>(view, Column::balances, account.to_key());
    if (!row.ok()) return row.status();
    return row->value_or(Balance{});
  }

  Status check_minutes(std::int64_t minutes, const Policy& policy) {
    if (minutes <= 0)
      return reject(Code::bad_amount,
                    "minutes must be a positive whole number, got " + std::to_string(minutes));
    if (minutes > policy.max_entry_minutes)
      return reject(Code::bad_amount, std::to_string(minutes) + " minutes is over the co-op's maximum of " +
                                          std::to_string(policy.max_entry_minutes) + " per entry");
    return Status();
  }

  // The lowest balance the account may reach, or nullopt for no floor.
  Result<std::optional<std::int64_t>> floor_of(const AccountId& account, const Policy& policy) {
    if (account.kind == AccountKind::pool) return policy.pool_floor_minutes;
    if (account.kind != AccountKind::member) return std::optional<std::int64_t>();
    auto owner = member(account.key);
    if (!owner.ok()) return owner.status();
    std::uint32_t roles = *owner ? (*owner)->roles : 0;
    return std::optional<std::int64_t>(policy.floor_for_roles(roles));
  }

  Status check_floor(const AccountId& payer, std::int64_t minutes, const Policy& policy,
                     const char* who = "the payer") {
    auto current = balance(payer);
    if (!current.ok()) return current.status();
    auto floor = floor_of(payer, policy);
    if (!floor.ok()) return floor.status();
    if (*floor && current->balance_minutes - minutes < **floor) {
      std::string whom = payer.kind == AccountKind::pool ? "the co-op pool" : who;
      return reject(Code::floor_breached, whom + " has " + std::to_string(current->balance_minutes) +
                                              " minutes; paying " + std::to_string(minutes) +
                                              " would go under the floor of " + std::to_string(**floor) +
                                              " minutes");
    }
    return Status();
  }

  // A payment into this co-op's clearing account for another co-op (a
  // transfer there, or hours its volunteer gave here) is what this co-op
  // owes that one; it may owe at most what that co-op's limit, as recorded
  // here, allows (docs/decisions.md "Trade limits between co-ops").
  // `whose` names the other co-op in the refusal ("the receiver's co-op").
  Status check_clearing_limit(const AccountId& clearing, std::int64_t minutes, const Policy& policy,
                              const char* whose) {
    if (clearing.kind != AccountKind::clearing) return Status();
    const ClearingLimits* limits = policy.clearing_with(clearing.key);
    if (!limits || !limits->theirs.limited) return Status();
    auto current = balance(clearing);
    if (!current.ok()) return current.status();
    const std::int64_t most = -limits->theirs.minutes;
    const std::int64_t owed = current->balance_minutes;
    if (owed + minutes <= most) return Status();
    const std::int64_t left = std::max<std::int64_t>(most - owed, 0);
    return reject(Code::floor_breached,
                  std::string(whose) + " lets this co-op owe it at most " + std::to_string(most) +
                      " minutes in clearing (its limit " + std::to_string(limits->theirs.minutes) +
                      "); this co-op owes it " + std::to_string(owed) + " now, so " + std::to_string(left) +
                      " minutes are left and " + std::to_string(minutes) +
                      " would pass the limit. Wait until its members spend credits here, or ask it to "
                      "raise the limit");
  }

  void adjust(const AccountId& account, Balance delta) {
    auto current = balance(account);
    if (!current.ok()) fault = current.status();
    Balance row = current.ok() ? current.value() : Balance{};
    row.balance_minutes += delta.balance_minutes;
    row.pending_in_minutes += delta.pending_in_minutes;
    row.pending_out_minutes += delta.pending_out_minutes;
    if (row == Balance{})
      view.erase(Column::balances, account.to_key());
    else
      view.put(Column::balances, account.to_key(), encode_row(row));
  }

  // Moves `minutes` from payer to payee and writes both postings.
  // Moves `minutes` (or pence, for cash accounts) from one account to the
  // other and writes both postings. Both accounts must hold the same unit:
  // credits and cash never convert.
  void post(const EntryId& movement_id, const AccountId& from, const AccountId& to, std::int64_t minutes) {
    if (from.unit() != to.unit()) {
      fault = Status(Code::corruption, "bug: a posting between credits and cash");
      return;
    }
    adjust(from, {-minutes, 0, 0});
    adjust(to, {minutes, 0, 0});
    std::uint8_t leg = 0;
    for (auto [account, other, delta] : {std::tuple{from, to, -minutes}, std::tuple{to, from, minutes}}) {
      auto after = balance(account);
      Posting posting{account, context.seq,     delta,      after.ok() ? after->balance_minutes : 0,
                      other,   signed_entry.id, movement_id};
      view.put(Column::postings, posting_key(account, context.seq, leg++), encode_row(posting));
    }
  }

  // The pending column lists the movements waiting for a confirmation, so
  // a member's pending list reads those, not every movement in the log.
  void put_movement(const Movement& movement) {
    view.put(Column::movements, key_of(movement.id), encode_row(movement));
    if (movement.status == MovementStatus::pending)
      view.put(Column::pending, key_of(movement.id), "");
    else
      view.erase(Column::pending, key_of(movement.id));
  }

  Result<Movement> pending_movement(const EntryId& target, const char* action) {
    auto row = load_row<Movement>(view, Column::movements, key_of(target));
    if (!row.ok()) return row.status();
    if (!*row || !is_help((*row)->kind))
      return reject(Code::unknown_entry, "no hours entry " + short_id(target) + " to " + action +
                                             " (give the id printed by `hours log` or `respite offer`)");
    const Movement& movement = **row;
    if (movement.is_group_leg())
      return reject(Code::unknown_entry, "that is one leg of group session " + short_id(movement.group) + "; " +
                                             action + " the session by its id");
    if (movement.status != MovementStatus::pending)
      return reject(Code::wrong_state, "those hours are already " +
                                           std::string(movement_status_name(movement.status)) +
                                           "; nothing to " + action);
    return movement;
  }

  Result<std::vector<VettingState>> vettings_of(const PublicKey& volunteer) {
    auto row = load_row<std::vector<VettingState>>(view, Column::vettings, vettings_row_key(volunteer));
    if (!row.ok()) return row.status();
    return row->value_or(std::vector<VettingState>{});
  }

  // Help in a category the policy lists needs a check that was current on
  // the day of the help (not today), so an entry replays the same forever.
  Status check_vetted(const PublicKey& volunteer, const std::string& category, std::int32_t day,
                      const Policy& policy) {
    if (!policy.needs_vetting(category)) return Status();
    auto checks = vettings_of(volunteer);
    if (!checks.ok()) return checks.status();
    for (const auto& check : *checks)
      if (check.covers(day)) return Status();
    std::string why = "no safeguarding check is recorded for them";
    for (const auto& check : *checks) {
      if (check.withdrawn)
        why = "their check was withdrawn";
      else if (check.expires_days < day)
        why = "their check expired on " + format_date(check.expires_days);
      else if (check.issued_days > day)
        why = "their check was issued on " + format_date(check.issued_days) + ", after that day";
    }
    // No key in the message: the front ends name the volunteer, who is the
    // member acting (or the one a coordinator acts for).
    return reject(Code::not_vetted, "the volunteer needs a current safeguarding check for '" + category +
                                        "' on " + format_date(day) + ": " + why +
                                        ". An admin or coordinator records one with `cohours vetting record`");
  }

  // Vetting is recorded and withdrawn by an admin or a coordinator, never
  // for themselves and never on behalf of someone.
  Status require_checker(const char* what) {
    return require_author_role(what, role_admin | role_coordinator, "an admin or a coordinator");
  }

  // Ten years and a few leap days: no co-op renews less often, and dates
  // stay within four-digit years.
  static constexpr std::int32_t kMaxVettingDays = 3660;

  Status handle(const VettingRecord& b) {
    if (Status s = require_checker("record a vetting"); !s.ok()) return s;
    if (b.volunteer.is_zero() || signed_for_node(node_keys, b.volunteer))
      return reject(Code::malformed, "a vetting names a volunteer's key");
    if (b.volunteer == author) return reject(Code::not_permitted, "nobody records their own vetting");
    // A member is named by the key they joined with; a visiting volunteer
    // of another co-op (hours.log.remote) by their own key.
    auto signer = find_signer(view, b.volunteer);
    if (!signer.ok()) return signer.status();
    if (*signer && (*signer)->member != b.volunteer)
      return reject(Code::malformed, "name the member by the key they joined with, not a later one");
    if (b.issued_days < 0 || b.expires_days < b.issued_days)
      return reject(Code::bad_date, "a check runs from its issue date to an expiry date on or after it");
    if (b.expires_days - b.issued_days > kMaxVettingDays)
      return reject(Code::bad_date, "a check is recorded for at most 10 years from its issue date; record a "
                                    "renewal when it is seen");
    if (b.issued_days > days_from_ms(context.received_ms) + 1)
      return reject(Code::bad_date, "a check is recorded once seen: " + format_date(b.issued_days) +
                                        " is more than a day ahead");
    auto loaded = vettings_of(b.volunteer);
    if (!loaded.ok()) return loaded.status();
    std::vector<VettingState> checks = loaded.value();
    if (checks.size() >= kMaxVettingsPerVolunteer)
      return reject(Code::limit_reached, "this volunteer already has " +
                                             std::to_string(kMaxVettingsPerVolunteer) + " checks recorded");
    VettingState check;
    check.id = signed_entry.id;
    check.volunteer = b.volunteer;
    check.kind = b.kind;
    check.issued_days = b.issued_days;
    check.expires_days = b.expires_days;
    check.certificate_digest = b.certificate_digest;
    check.checker = author;
    check.recorded_seq = context.seq;
    checks.push_back(check);
    view.put(Column::vettings, vettings_row_key(b.volunteer), encode_row(checks));
    view.put(Column::vettings, vetting_owner_key(check.id), key_of(b.volunteer));
    return Status();
  }

  Status handle(const VettingWithdraw& b) {
    if (Status s = require_checker("withdraw a vetting"); !s.ok()) return s;
    std::string owner;
    Status found = view.get(Column::vettings, vetting_owner_key(b.record), &owner);
    if (found.code() == Code::not_found)
      return reject(Code::unknown_entry, "no vetting " + short_id(b.record) + " (give the id `vetting list` shows)");
    if (!found.ok()) return found;
    if (owner.size() != 32) return Status(Code::corruption, "a vetting's owner row is malformed");
    PublicKey volunteer;
    std::copy(owner.begin(), owner.end(), volunteer.bytes.begin());
    auto loaded = vettings_of(volunteer);
    if (!loaded.ok()) return loaded.status();
    std::vector<VettingState> checks = loaded.value();
    for (auto& check : checks) {
      if (check.id != b.record) continue;
      if (check.withdrawn) return reject(Code::wrong_state, "that vetting is already withdrawn");
      check.withdrawn = true;
      check.withdrawn_by = signed_entry.id;
      check.withdrawn_by_key = author;
      check.reason_digest = b.reason_digest;
      view.put(Column::vettings, vettings_row_key(volunteer), encode_row(checks));
      return Status();
    }
    return Status(Code::corruption, "a vetting's owner row names a volunteer without it");
  }

  // A balance brought over from the time bank the co-op used before. No
  // floor applies: the figure is history, already spent or earned there
  // (docs/decisions.md "Opening balances").
  Status handle(const BalanceOpen& b) {
    if (Status s = require_admin_author("bring over a balance"); !s.ok()) return s;
    auto joined = member(b.member);
    if (!joined.ok()) return joined.status();
    if (!*joined)
      return reject(Code::unknown_member, "no member " + short_id(b.member) +
                                              " (an opening balance is for a member who joined here)");
    if (b.minutes < -kMaxOpeningMinutes || b.minutes > kMaxOpeningMinutes)
      return reject(Code::bad_amount, "an opening balance is at most " + std::to_string(kMaxOpeningMinutes) +
                                          " minutes either way, got " + std::to_string(b.minutes));
    if (b.source_digest.is_zero())
      return reject(Code::malformed, "an opening balance cites the digest of the file it came from");
    std::string standing;
    Status found = view.get(Column::openings, key_of(b.member), &standing);
    if (found.ok()) {
      EntryId before;
      if (standing.size() != before.bytes.size())
        return Status(Code::corruption, "an openings row is malformed");
      std::copy(standing.begin(), standing.end(), before.bytes.begin());
      auto earlier = load_row<Movement>(view, Column::movements, key_of(before));
      if (!earlier.ok()) return earlier.status();
      // Only a reversed one may be replaced; a zero one has no movement.
      if (!*earlier || (*earlier)->status != MovementStatus::reversed)
        return reject(Code::already_exists, "member " + short_id(b.member) + " already has an opening balance (" +
                                                short_id(before) + "); an admin reverses it before bringing "
                                                "over another");
    } else if (found.code() != Code::not_found) {
      return found;
    }
    view.put(Column::openings, key_of(b.member), key_of(signed_entry.id));
    if (b.minutes == 0) return Status();
    const AccountId pool = AccountId::pool(context.node_key), account = AccountId::member(b.member);
    const bool credit = b.minutes > 0;
    const std::int64_t minutes = credit ? b.minutes : -b.minutes;
    Movement movement{signed_entry.id,
                      MovementKind::opening,
                      MovementStatus::posted,
                      credit ? pool : account,
                      credit ? account : pool,
                      minutes,
                      b.member,
                      PublicKey{},
                      "",
                      days_from_ms(context.received_ms),
                      context.seq,
                      EntryId{},
                      signed_entry.id};
    post(movement.id, movement.payer, movement.payee, minutes);
    put_movement(movement);
    return Status();
  }

  Status dispatch() {
    return std::visit([&](const auto& body) { return handle(body); }, entry.body);
  }

  Status handle(const MemberJoin& b) {
    if (Status s = require_operator_or_admin(); !s.ok()) return s;
    if (b.roles == 0 || (b.roles & ~kAllRoles))
      return reject(Code::malformed, "a member needs at least one known role");
    if (signed_for_node(node_keys, b.member))
      return reject(Code::malformed, "the node key cannot be a member");
    if (b.member.is_zero()) return reject(Code::malformed, "member key is zero");
    if (b.home_node != context.node_key)
      return reject(Code::not_permitted, "members join at their home node; this entry names another node");
    auto existing = find_signer(view, b.member);
    if (!existing.ok()) return existing.status();
    if (*existing)
      return reject(Code::already_exists, (*existing)->member == b.member
                                              ? "that key is already a member"
                                              : "that key signs, or signed, for a member; a key is never "
                                                "used twice");
    view.put(Column::members, key_of(b.member),
             encode_row(MemberInfo{b.member, b.roles, b.home_node, context.seq}));
    return Status();
  }

  Status handle(const MemberRole& b) {
    if (Status s = require_operator_or_admin(); !s.ok()) return s;
    if (b.roles == 0 || (b.roles & ~kAllRoles))
      return reject(Code::malformed, "a member needs at least one known role");
    auto existing = member(b.member);
    if (!existing.ok()) return existing.status();
    if (!*existing) return reject(Code::unknown_member, "no member " + short_id(b.member));
    MemberInfo row = **existing;
    row.roles = b.roles;
    view.put(Column::members, key_of(b.member), encode_row(row));
    return Status();
  }

  // A new key signs for the member from now on; the key that signed until
  // now is retired for good. The member's identity (accounts, movements,
  // claims) does not change, so nothing moves.
  Status handle(const MemberRekey& b) {
    if (Status s = require_operator_or_admin(); !s.ok()) return s;
    auto existing = member(b.member);
    if (!existing.ok()) return existing.status();
    if (!*existing) return reject(Code::unknown_member, "no member " + short_id(b.member));
    auto current = current_signer(view, b.member);
    if (!current.ok()) return current.status();
    if (b.new_key.is_zero()) {
      if (current->is_zero())
        return reject(Code::wrong_state, "member " + short_id(b.member) +
                                             " has no key to retire: they already wait for a new one");
    } else {
      if (signed_for_node(node_keys, b.new_key))
        return reject(Code::malformed, "the node key cannot sign for a member");
      // Never a key used before: not an identity, not a key that signs or
      // signed for anyone. A retired key must stay refused for good.
      auto used = find_signer(view, b.new_key);
      if (!used.ok()) return used.status();
      if (*used)
        return reject(Code::already_exists,
                      "that key signs, or signed, for a member; a key is never used twice");
    }
    if (!current->is_zero()) {
      auto row = find_signer(view, *current);
      if (!row.ok()) return row.status();
      if (!*row || (*row)->member != b.member || (*row)->status != KeyStatus::current)
        return Status(Code::corruption, "the signers column disagrees with member " + short_id(b.member));
      SigningKey retired = **row;
      retired.status = KeyStatus::retired;
      retired.retired_seq = context.seq;
      retired.retired_ms = context.received_ms;
      retired.replaced_by = b.new_key;
      view.put(Column::signers, signer_row_key(retired.key), encode_row(retired));
    }
    if (!b.new_key.is_zero()) {
      SigningKey fresh;
      fresh.key = b.new_key;
      fresh.member = b.member;
      fresh.since_seq = context.seq;
      view.put(Column::signers, signer_row_key(fresh.key), encode_row(fresh));
    }
    view.put(Column::signers, current_key_row_key(b.member), key_of(b.new_key));
    return Status();
  }

  // Applies one setting to `policy`; refuses bad values.
  static Status apply_setting(const PolicySetting& b, Policy& policy) {
    const bool has_subject = b.target == PolicyTarget::role_floor ||
                             b.target == PolicyTarget::expense_claim_limit ||
                             b.target == PolicyTarget::expense_month_limit;
    if (!has_subject && b.subject != 0)
      return reject(Code::malformed, "this policy setting names no role or category");
    if (b.target != PolicyTarget::categories && b.target != PolicyTarget::vetted_categories &&
        !b.categories.empty())
      return reject(Code::malformed, "only a categories policy lists categories");
    switch (b.target) {
      case PolicyTarget::role_floor:
        if (b.subject == 0 || (b.subject & (b.subject - 1)) || (b.subject & ~kAllRoles))
          return reject(Code::malformed, "a role floor names exactly one role");
        if (Status s = floor_in_range(b.amount); !s.ok()) return s;
        policy.role_floor_minutes[static_cast<std::size_t>(std::countr_zero(b.subject))] = b.amount;
        return Status();
      case PolicyTarget::pool_floor:
        if (Status s = floor_in_range(b.amount); !s.ok()) return s;
        policy.pool_floor_minutes = b.amount;
        return Status();
      case PolicyTarget::pool_floor_none:
        policy.pool_floor_minutes.reset();
        return Status();
      case PolicyTarget::max_entry_minutes:
        if (b.amount < 1 || b.amount > kMaxEntryCeiling)
          return reject(Code::bad_amount, "the maximum per entry is between 1 and 1440 minutes");
        policy.max_entry_minutes = b.amount;
        return Status();
      case PolicyTarget::expense_claim_limit:
      case PolicyTarget::expense_month_limit: {
        if (b.subject < 1 || b.subject > kExpenseCategoryCount)
          return reject(Code::malformed, "an expense limit names one expense category");
        if (b.amount < 0 || b.amount > kMaxPolicyPence)
          return reject(Code::bad_amount, "an expense limit is 0 (none) or a positive number of pence");
        auto& limits = b.target == PolicyTarget::expense_claim_limit ? policy.expense_claim_limit_pence
                                                                     : policy.expense_month_limit_pence;
        limits[b.subject - 1] = b.amount;
        return Status();
      }
      case PolicyTarget::mileage_rate:
        if (b.amount < 1 || b.amount > 1000)
          return reject(Code::bad_amount, "a mileage rate is 1 to 1000 pence per mile");
        policy.mileage_rate_pence = b.amount;
        return Status();
      case PolicyTarget::categories:
        if (b.categories.empty()) return reject(Code::malformed, "at least one category is needed");
        for (std::size_t i = 0; i < b.categories.size(); ++i)
          for (std::size_t j = 0; j < i; ++j)
            if (b.categories[i] == b.categories[j])
              return reject(Code::malformed, "category '" + b.categories[i] + "' is listed twice");
        policy.categories = b.categories;
        return Status();
      case PolicyTarget::vetted_categories:
        if (b.amount != 0) return reject(Code::malformed, "a vetted categories setting has no amount");
        // Empty is allowed: a co-op may decide nothing needs a check.
        for (std::size_t i = 0; i < b.categories.size(); ++i) {
          if (!valid_category(b.categories[i]))
            return reject(Code::malformed, "'" + b.categories[i] + "' is not a category");
          for (std::size_t j = 0; j < i; ++j)
            if (b.categories[i] == b.categories[j])
              return reject(Code::malformed, "category '" + b.categories[i] + "' is listed twice");
        }
        policy.vetted_categories = b.categories;
        return Status();
    }
    return reject(Code::malformed, "unknown policy setting");
  }

  Status handle(const PolicySet& b) {
    // The node operator too: `cohours init` signs the new co-op's defaults
    // (vetting for respite) before it has an admin.
    const bool operator_signed = author == node_signer() && entry.on_behalf.is_zero();
    if (!operator_signed)
      if (Status s = require_admin_author("set policy"); !s.ok()) return s;
    if (b.settings.empty()) return reject(Code::malformed, "a policy entry needs at least one setting");
    auto loaded = load_policy(view);
    if (!loaded.ok()) return loaded.status();
    Policy policy = loaded.value();
    for (const auto& setting : b.settings)
      if (Status s = apply_setting(setting, policy); !s.ok()) return s;
    view.put(Column::meta, meta_key::policy, encode_row(policy));
    return Status();
  }

  Status handle(const HoursLog& b) {
    auto provider = actor(true);
    if (!provider.ok()) return provider.status();
    if (!(provider->roles & (role_volunteer | role_carer)))
      return reject(Code::not_permitted,
                    "only volunteers and carers bank hours (a coordinator entering a "
                    "volunteer's timesheet signs on their behalf)");
    return log_hours(provider->key, AccountId::member(provider->key), b);
  }

  // Help from a volunteer of another co-op: the credit goes to that co-op's
  // clearing account here, and on to the provider there.
  Status handle(const RemoteHoursLog& b) {
    if (!entry.on_behalf.is_zero())
      return reject(Code::malformed, "hours.log.remote names its provider in the entry, not on behalf");
    if (b.provider.is_zero() || b.provider_node.is_zero())
      return reject(Code::malformed, "hours from another co-op name the provider and their node");
    if (b.provider_node == context.node_key)
      return reject(Code::malformed, "the provider's node is this co-op: log ordinary hours");
    auto local = find_signer(view, b.provider);
    if (!local.ok()) return local.status();
    if (*local) return reject(Code::malformed, "the provider is a member of this co-op: log ordinary hours");
    if (author != b.provider) {
      auto signer = member(author);
      if (!signer.ok()) return signer.status();
      if (!*signer || !((*signer)->roles & role_coordinator))
        return reject(Code::not_permitted,
                      "hours from another co-op are signed by the provider or entered by a coordinator here");
    }
    return log_hours(b.provider, AccountId::clearing(b.provider_node), b.hours);
  }

  // A pending hours movement from `payer` (the recipient or the pool) to
  // `payee` (the provider here, or the clearing account of their node).
  Status log_hours(const PublicKey& provider, const AccountId& payee, const HoursLog& b) {
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_minutes(b.minutes, *policy); !s.ok()) return s;
    if (!policy->category_allowed(b.category))
      return reject(Code::unknown_category,
                    "category '" + b.category + "' is not allowed by the co-op's policy");
    if (b.date_days > days_from_ms(context.received_ms) + 1)
      return reject(Code::bad_date, "hours are logged for help already given: " + format_date(b.date_days) +
                                        " is more than a day ahead");
    if (b.date_days < 0) return reject(Code::bad_date, "dates start at 1970-01-01");
    if (Status s = check_vetted(provider, b.category, b.date_days, *policy); !s.ok()) return s;
    AccountId payer;
    if (b.recipient.is_zero()) {
      if (b.payer != Payer::pool) return reject(Code::malformed, "community hours are paid by the pool");
      payer = AccountId::pool(context.node_key);
    } else {
      if (b.recipient == provider)
        return reject(Code::not_permitted, "you cannot log hours given to yourself");
      auto recipient = member(b.recipient);
      if (!recipient.ok()) return recipient.status();
      if (!*recipient) return reject(Code::unknown_member, "the recipient is not a member of this co-op");
      // DESIGN.md rule 3: services to service users are paid by the pool,
      // and only they (and the community) are. The entry states the payer
      // so that a later change of roles never changes who paid.
      const bool service_user = ((*recipient)->roles & role_service_user) != 0;
      if (b.payer == Payer::pool) {
        if (!service_user)
          return reject(Code::not_permitted,
                        "the pool pays only for help to service users and the community");
        payer = AccountId::pool(context.node_key);
      } else {
        if (service_user)
          return reject(Code::not_permitted,
                        "help to a service user is paid by the co-op pool: log it with the pool as payer");
        payer = AccountId::member(b.recipient);
      }
    }
    Movement movement{signed_entry.id,
                      MovementKind::hours,
                      MovementStatus::pending,
                      payer,
                      payee,
                      b.minutes,
                      provider,
                      b.recipient,
                      b.category,
                      b.date_days,
                      context.seq,
                      {},
                      {}};
    movement.max_entry_minutes_then = policy->max_entry_minutes;
    put_movement(movement);
    adjust(payer, {0, 0, b.minutes});
    adjust(movement.payee, {0, b.minutes, 0});
    return Status();
  }

  // hours.group (docs/decisions.md "Group sessions"): every rule of
  // hours.log holds for every leg, and the legs are written pending.
  Status handle(const GroupHours& b) {
    auto signer = member(author);
    if (!signer.ok()) return signer.status();
    if (!*signer) return reject(Code::unknown_member, "signer is not a member of this co-op");
    const bool coordinator = ((*signer)->roles & role_coordinator) != 0;
    if (b.providers.empty()) return reject(Code::malformed, "a group session needs at least one volunteer");
    if (group_leg_count(b) > kMaxGroupLegs)
      return reject(Code::limit_reached, "a group session has at most " + std::to_string(kMaxGroupLegs) +
                                             " legs (volunteers x members helped); this one has " +
                                             std::to_string(group_leg_count(b)) + ": log it as two sessions");
    auto provides = [&](const PublicKey& key) {
      return std::any_of(b.providers.begin(), b.providers.end(),
                         [&](const GroupProvider& p) { return p.provider == key; });
    };
    if (!entry.on_behalf.is_zero()) {
      if (!coordinator) return reject(Code::not_permitted, "only a coordinator may sign on behalf of another member");
      if (!provides(entry.on_behalf))
        return reject(Code::not_permitted, "a group session signed on behalf of someone is for one of its volunteers");
    }
    if (!coordinator && !provides(author))
      return reject(Code::not_permitted, "a group session is logged by a coordinator or by one of its volunteers");
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (!policy->category_allowed(b.category))
      return reject(Code::unknown_category, "category '" + b.category + "' is not allowed by the co-op's policy");
    if (b.date_days > days_from_ms(context.received_ms) + 1)
      return reject(Code::bad_date, "hours are logged for help already given: " + format_date(b.date_days) +
                                        " is more than a day ahead");
    if (b.date_days < 0) return reject(Code::bad_date, "dates start at 1970-01-01");
    for (std::size_t i = 0; i < b.providers.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (b.providers[i].provider == b.providers[j].provider)
          return reject(Code::malformed, "volunteer " + short_id(b.providers[i].provider) + " is listed twice");
    for (std::size_t i = 0; i < b.recipients.size(); ++i) {
      if (b.recipients[i].is_zero())
        return reject(Code::malformed, "a recipient's key is zero: for community work list no recipients");
      for (std::size_t j = 0; j < i; ++j)
        if (b.recipients[i] == b.recipients[j])
          return reject(Code::malformed, "member " + short_id(b.recipients[i]) + " is listed twice");
      if (provides(b.recipients[i]))
        return reject(Code::not_permitted, "member " + short_id(b.recipients[i]) +
                                               " is listed as a volunteer and as a recipient; nobody logs hours "
                                               "given to themselves");
    }
    const auto recipients = static_cast<std::int64_t>(b.recipients.size());
    for (const auto& p : b.providers) {
      auto provider = member(p.provider);
      if (!provider.ok()) return provider.status();
      if (!*provider)
        return reject(Code::unknown_member, "volunteer " + short_id(p.provider) + " is not a member of this co-op");
      if (!((*provider)->roles & (role_volunteer | role_carer)))
        return reject(Code::not_permitted, "only volunteers and carers bank hours; " + short_id(p.provider) +
                                               " is neither");
      if (Status s = check_minutes(p.minutes, *policy); !s.ok()) return s;
      if (recipients > 0 && p.minutes < recipients)
        return reject(Code::bad_amount, std::to_string(p.minutes) + " minutes cannot be shared by " +
                                            std::to_string(recipients) +
                                            " members: every member's share is at least one minute");
      // Several volunteers: the message says which (the app puts the name in).
      if (Status s = check_vetted(p.provider, b.category, b.date_days, *policy); !s.ok())
        return reject(s.code(), "volunteer " + short_id(p.provider) + ": " + s.message());
    }
    if (b.recipients.empty() && b.payer != Payer::pool)
      return reject(Code::malformed, "community hours are paid by the pool");
    for (const auto& key : b.recipients) {
      auto recipient = member(key);
      if (!recipient.ok()) return recipient.status();
      if (!*recipient)
        return reject(Code::unknown_member, "recipient " + short_id(key) + " is not a member of this co-op");
      // DESIGN.md rule 3, as for hours.log: the pool pays for service users
      // only, and service users never pay.
      const bool service_user = ((*recipient)->roles & role_service_user) != 0;
      if (b.payer == Payer::pool && !service_user)
        return reject(Code::not_permitted, "the pool pays only for help to service users and the community; " +
                                               short_id(key) + " is not a service user: log the session with "
                                               "the members sharing the cost, or as two sessions");
      if (b.payer == Payer::recipient && service_user)
        return reject(Code::not_permitted, "help to a service user is paid by the co-op pool; " + short_id(key) +
                                               " is a service user: log the session with the pool paying, or "
                                               "as two sessions");
    }
    const std::size_t rows = std::max<std::size_t>(b.recipients.size(), 1);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t p = 0; p < b.providers.size(); ++p) {
        const auto leg = static_cast<std::uint16_t>(r * b.providers.size() + p);
        Movement movement;
        movement.id = group_leg_id(signed_entry.id, leg);
        movement.kind = MovementKind::hours;
        movement.status = MovementStatus::pending;
        movement.payer = b.payer == Payer::pool ? AccountId::pool(context.node_key)
                                                : AccountId::member(b.recipients[r]);
        movement.payee = AccountId::member(b.providers[p].provider);
        movement.minutes = group_leg_minutes(b, r, p);
        movement.provider = b.providers[p].provider;
        movement.recipient = b.recipients.empty() ? PublicKey{} : b.recipients[r];
        movement.category = b.category;
        movement.date_days = b.date_days;
        movement.seq = context.seq;
        movement.max_entry_minutes_then = policy->max_entry_minutes;
        movement.group = signed_entry.id;
        movement.leg = leg;
        movement.group_providers = static_cast<std::uint8_t>(b.providers.size());
        movement.group_recipients = static_cast<std::uint8_t>(b.recipients.size());
        put_movement(movement);
        adjust(movement.payer, {0, 0, movement.minutes});
        adjust(movement.payee, {0, movement.minutes, 0});
      }
    }
    return Status();
  }

  // Postings of a group session: one account may take many in one entry
  // (the pool pays every leg), so a posting's last key byte counts that
  // account's postings in this entry (at most kMaxGroupLegs).
  std::map<std::string, unsigned> group_postings{};
  void post_leg(const EntryId& leg_id, const AccountId& from, const AccountId& to, std::int64_t minutes) {
    adjust(from, {-minutes, 0, 0});
    adjust(to, {minutes, 0, 0});
    for (auto [account, other, delta] : {std::tuple{from, to, -minutes}, std::tuple{to, from, minutes}}) {
      auto after = balance(account);
      unsigned& count = group_postings[account.to_key()];
      if (count >= kMaxGroupLegs) {
        fault = Status(Code::corruption, "bug: more postings on one account than a group session has legs");
        return;
      }
      Posting posting{account, context.seq,     delta,  after.ok() ? after->balance_minutes : 0,
                      other,   signed_entry.id, leg_id};
      view.put(Column::postings, posting_key(account, context.seq, static_cast<std::uint8_t>(count++)),
               encode_row(posting));
    }
  }

  // Which pending legs of a group session an hours.confirm or hours.void
  // closes: a coordinator signing in their own name, every one; a member
  // (or a coordinator on their behalf) who received help, their own share;
  // for a void, a volunteer of the session, every one.
  Result<std::vector<Movement>> group_scope(const std::vector<Movement>& legs, bool voiding) {
    const char* action = voiding ? "void" : "confirm";
    auto signer = member(author);
    if (!signer.ok()) return signer.status();
    const bool coordinator = *signer && ((*signer)->roles & role_coordinator);
    auto acting = actor(true);
    if (!acting.ok()) return acting.status();
    const PublicKey who = acting->key;
    bool gave = false, received = false;
    for (const auto& leg : legs) {
      gave = gave || leg.provider == author || leg.provider == who;
      received = received || (!leg.recipient.is_zero() && leg.recipient == who);
    }
    bool all = false;
    if (!voiding && gave)
      return reject(Code::not_permitted,
                    "you cannot confirm hours you gave; the members helped or a coordinator confirm them");
    if (coordinator && entry.on_behalf.is_zero())
      all = true;
    else if (voiding && gave)
      all = true;
    else if (!received)
      return reject(Code::not_permitted,
                    std::string("only a member helped at this group session (their own share), ") +
                        (voiding ? "one of its volunteers " : "") + "or a coordinator may " + action + " it");
    std::vector<Movement> chosen;
    MovementStatus seen = MovementStatus::pending;
    for (const auto& leg : legs) {
      if (!all && leg.recipient != who) continue;
      if (leg.status == MovementStatus::pending)
        chosen.push_back(leg);
      else
        seen = leg.status;
    }
    if (chosen.empty())
      return reject(Code::wrong_state, std::string(all ? "that group session is" : "your share of that group session is") +
                                           " already " + movement_status_name(seen) + "; nothing to " + action);
    return chosen;
  }

  Status confirm_group(std::vector<Movement> legs) {
    auto scope = group_scope(legs, false);
    if (!scope.ok()) return scope.status();
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    // Each payer's floor holds for everything it pays at once.
    std::map<std::string, std::pair<AccountId, std::int64_t>> owed;
    for (const auto& leg : *scope) {
      auto& due = owed[leg.payer.to_key()];
      due.first = leg.payer;
      due.second += leg.minutes;
    }
    for (const auto& [key, due] : owed) {
      const std::string who = "member " + short_id(due.first.key);
      if (Status s = check_floor(due.first, due.second, *policy, who.c_str()); !s.ok()) return s;
    }
    for (Movement row : *scope) {
      row.status = MovementStatus::posted;
      row.closed_by = signed_entry.id;
      adjust(row.payer, {0, 0, -row.minutes});
      adjust(row.payee, {0, -row.minutes, 0});
      post_leg(row.id, row.payer, row.payee, row.minutes);
      put_movement(row);
    }
    return Status();
  }

  Status void_group(std::vector<Movement> legs) {
    auto scope = group_scope(legs, true);
    if (!scope.ok()) return scope.status();
    for (const auto& row : *scope) void_movement(row, RequestStatus::open);
    return Status();
  }

  // An admin reverses every posted leg of a group session at once.
  Status reverse_group(std::vector<Movement> legs) {
    std::vector<Movement> posted;
    for (const auto& leg : legs)
      if (leg.status == MovementStatus::posted) posted.push_back(leg);
    if (posted.empty())
      return reject(Code::wrong_state, "no leg of that group session is posted; void pending legs instead");
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    std::map<std::string, std::pair<AccountId, std::int64_t>> owed;
    for (const auto& leg : posted) {
      auto& due = owed[leg.payee.to_key()];
      due.first = leg.payee;
      due.second += leg.minutes;
    }
    for (const auto& [key, due] : owed)
      if (Status s = check_floor(due.first, due.second, *policy, "the member paying back"); !s.ok()) return s;
    for (Movement row : posted) {
      post_leg(row.id, row.payee, row.payer, row.minutes);
      row.status = MovementStatus::reversed;
      row.closed_by = signed_entry.id;
      put_movement(row);
    }
    return Status();
  }

  // The recipient confirms; a coordinator may confirm on their behalf, and
  // confirms community hours.
  Status may_confirm(const Movement& movement) {
    // Nobody confirms help they gave themselves, not even a coordinator.
    if (author == movement.provider)
      return reject(Code::not_permitted,
                    "you cannot confirm hours you gave; the recipient or another coordinator confirms them");
    if (movement.recipient.is_zero()) {
      auto signer = member(author);
      if (!signer.ok()) return signer.status();
      if (*signer && ((*signer)->roles & role_coordinator) && entry.on_behalf.is_zero()) return Status();
      return reject(Code::not_permitted, "community hours are confirmed by a coordinator");
    }
    auto acting = actor(true);
    if (!acting.ok()) return acting.status();
    if (acting->key != movement.recipient)
      return reject(Code::not_permitted,
                    "only the member who received the help (or a coordinator on "
                    "their behalf) may confirm these hours");
    return Status();
  }

  Status handle(const HoursConfirm& b) {
    auto legs = load_group_legs(view, b.target);
    if (!legs.ok()) return legs.status();
    if (!legs->empty()) return confirm_group(std::move(legs).value());
    auto movement = pending_movement(b.target, "confirm");
    if (!movement.ok()) return movement.status();
    if (Status s = may_confirm(*movement); !s.ok()) return s;
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_floor(movement->payer, movement->minutes, *policy); !s.ok()) return s;
    if (Status s = check_clearing_limit(movement->payee, movement->minutes, *policy, "the volunteer's co-op");
        !s.ok())
      return s;
    Movement row = *movement;
    row.status = MovementStatus::posted;
    row.closed_by = signed_entry.id;
    adjust(row.payer, {0, 0, -row.minutes});
    adjust(row.payee, {0, -row.minutes, 0});
    post(row.id, row.payer, row.payee, row.minutes);
    put_movement(row);
    if (row.kind == MovementKind::respite) {
      auto request = load_row<RespiteRequestState>(view, Column::requests, key_of(row.request));
      if (!request.ok()) return request.status();
      if (*request) {
        RespiteRequestState state = **request;
        state.status = RequestStatus::done;
        view.put(Column::requests, key_of(state.id), encode_row(state));
      }
    }
    return Status();
  }

  Status may_void(const Movement& movement) {
    auto signer = member(author);
    if (!signer.ok()) return signer.status();
    if (!entry.on_behalf.is_zero() && entry.on_behalf != movement.provider &&
        entry.on_behalf != movement.recipient)
      return reject(Code::not_permitted,
                    "a void on behalf of someone must be for the provider or the recipient");
    if (*signer && ((*signer)->roles & role_coordinator)) return Status();
    if (!entry.on_behalf.is_zero())
      return reject(Code::not_permitted, "only a coordinator signs on behalf of someone");
    if (author == movement.provider || author == movement.recipient) return Status();
    return reject(Code::not_permitted, "only the provider, the recipient or a coordinator may void hours");
  }

  void void_movement(Movement row, RequestStatus request_after) {
    row.status = MovementStatus::voided;
    row.closed_by = signed_entry.id;
    adjust(row.payer, {0, 0, -row.minutes});
    adjust(row.payee, {0, -row.minutes, 0});
    put_movement(row);
    if (row.kind == MovementKind::respite) {
      auto request = load_row<RespiteRequestState>(view, Column::requests, key_of(row.request));
      if (request.ok() && *request) {
        RespiteRequestState state = **request;
        state.status = request_after;
        state.offer = {};
        view.put(Column::requests, key_of(state.id), encode_row(state));
      }
    }
  }

  Status handle(const HoursVoid& b) {
    auto legs = load_group_legs(view, b.target);
    if (!legs.ok()) return legs.status();
    if (!legs->empty()) return void_group(std::move(legs).value());
    auto movement = pending_movement(b.target, "void");
    if (!movement.ok()) return movement.status();
    if (Status s = may_void(*movement); !s.ok()) return s;
    // A voided respite offer reopens the request for another volunteer.
    void_movement(*movement, RequestStatus::open);
    return Status();
  }

  // A transfer posts at once: one movement, both postings. `request` holds
  // the origin entry of an incoming transfer (zero otherwise).
  void post_transfer(const AccountId& from, const AccountId& dest, std::int64_t minutes,
                     const PublicKey& sender, const PublicKey& receiver, const EntryId& request) {
    Movement movement{signed_entry.id,
                      MovementKind::transfer,
                      MovementStatus::posted,
                      from,
                      dest,
                      minutes,
                      sender,
                      receiver,
                      "",
                      days_from_ms(context.received_ms),
                      context.seq,
                      request,
                      signed_entry.id};
    post(movement.id, from, dest, minutes);
    put_movement(movement);
  }

  Status handle(const Transfer& b) {
    auto sender = actor(false);
    if (!sender.ok()) return sender.status();
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_minutes(b.minutes, *policy); !s.ok()) return s;
    if (b.to == sender->key) return reject(Code::not_permitted, "you cannot transfer to yourself");
    auto to = member(b.to);
    if (!to.ok()) return to.status();
    if (!*to) return reject(Code::unknown_member, "the receiver is not a member of this co-op");
    AccountId from = AccountId::member(sender->key), dest = AccountId::member(b.to);
    if (Status s = check_floor(from, b.minutes, *policy); !s.ok()) return s;
    post_transfer(from, dest, b.minutes, sender->key, b.to, {});
    return Status();
  }

  Status handle(const TransferOut& b) {
    auto sender = actor(false);
    if (!sender.ok()) return sender.status();
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_minutes(b.minutes, *policy); !s.ok()) return s;
    if (b.to.is_zero() || b.to_node.is_zero())
      return reject(Code::malformed, "a transfer to another co-op names the receiver and their node");
    if (b.to_node == context.node_key)
      return reject(Code::malformed, "the receiver's node is this co-op: use an ordinary transfer");
    AccountId from = AccountId::member(sender->key), dest = AccountId::clearing(b.to_node);
    if (Status s = check_floor(from, b.minutes, *policy); !s.ok()) return s;
    if (Status s = check_clearing_limit(dest, b.minutes, *policy, "the receiver's co-op"); !s.ok()) return s;
    post_transfer(from, dest, b.minutes, sender->key, b.to, {});
    return Status();
  }

  // The node itself records what another node's log sent it. Whether the
  // origin entry exists is checked against that log by the node before it
  // signs (`cohours clearing` shows anything unmatched as in flight); here
  // the rule is what this log alone can show: the author, the receiver,
  // once per origin.
  Status handle(const TransferIn& b) {
    if (author != node_signer() || !entry.on_behalf.is_zero())
      return reject(Code::not_permitted, "only the receiving node itself records an incoming transfer");
    if (b.from_node.is_zero() || b.from_node == context.node_key)
      return reject(Code::malformed, "an incoming transfer comes from another node");
    if (b.minutes <= 0 || b.minutes > kMaxEntryCeiling)
      return reject(Code::bad_amount, "an incoming transfer carries 1 to " +
                                          std::to_string(kMaxEntryCeiling) + " minutes, got " +
                                          std::to_string(b.minutes));
    auto to = member(b.to);
    if (!to.ok()) return to.status();
    if (!*to) return reject(Code::unknown_member, "the receiver is not a member of this co-op");
    const std::string origin_key = key_of(b.from_node) + key_of(b.origin);
    std::string seen;
    Status found = view.get(Column::inbound, origin_key, &seen);
    if (found.ok()) return reject(Code::already_exists, "that transfer was already received");
    if (found.code() != Code::not_found) return found;
    AccountId from = AccountId::clearing(b.from_node), dest = AccountId::member(b.to);
    post_transfer(from, dest, b.minutes, b.from_node, b.to, b.origin);
    view.put(Column::inbound, origin_key, key_of(signed_entry.id));
    return Status();
  }

  // Checks a clearing limit's co-op and floor; `peer` is another node.
  Status check_clearing_floor(const PublicKey& peer, const ClearingFloor& floor) {
    if (peer.is_zero() || peer == context.node_key || signed_for_node(node_keys, peer))
      return reject(Code::malformed, "a clearing limit names another co-op's node");
    if (!floor.limited) {
      if (floor.minutes != 0) return reject(Code::malformed, "a clearing limit of none carries no minutes");
      return Status();
    }
    return floor_in_range(floor.minutes);
  }

  // An admin sets how far another co-op may go into debt with this one.
  // The node operator may too, as for policy.set.
  Status handle(const ClearingLimit& b) {
    const bool operator_signed = author == node_signer() && entry.on_behalf.is_zero();
    if (!operator_signed)
      if (Status s = require_admin_author("set a clearing limit"); !s.ok()) return s;
    if (Status s = check_clearing_floor(b.peer, b.floor); !s.ok()) return s;
    auto member_key = find_signer(view, b.peer);
    if (!member_key.ok()) return member_key.status();
    if (*member_key) return reject(Code::malformed, "a clearing limit names a co-op's node, not a member");
    auto loaded = load_policy(view);
    if (!loaded.ok()) return loaded.status();
    Policy policy = loaded.value();
    if (policy.clearing_limits.size() >= kMaxClearingPeers && !policy.clearing_with(b.peer))
      return reject(Code::not_permitted, "this co-op has limits with " + std::to_string(kMaxClearingPeers) +
                                             " other co-ops, the most it may");
    ClearingLimits& limits = policy.clearing_with_or_add(b.peer);
    limits.ours = b.floor;
    limits.ours_entry = signed_entry.id;
    limits.ours_seq = context.seq;
    view.put(Column::meta, meta_key::policy, encode_row(policy));
    return Status();
  }

  // The node records the limit another co-op set about it, as its verified
  // copy of that co-op's log shows it (checked by the node before it signs,
  // as for transfer.in); here: the author, and that it is newer than the
  // one recorded, so a limit never goes back to an older one.
  Status handle(const ClearingLimitPeer& b) {
    if (author != node_signer() || !entry.on_behalf.is_zero())
      return reject(Code::not_permitted, "only this node itself records another co-op's clearing limit");
    if (Status s = check_clearing_floor(b.peer, b.floor); !s.ok()) return s;
    if (b.origin.is_zero() || b.origin_seq == 0)
      return reject(Code::malformed, "a recorded clearing limit cites its entry in the other co-op's log");
    auto loaded = load_policy(view);
    if (!loaded.ok()) return loaded.status();
    Policy policy = loaded.value();
    if (const ClearingLimits* held = policy.clearing_with(b.peer); held && held->theirs_seq >= b.origin_seq)
      return reject(Code::already_exists, "a limit from that co-op as new or newer is already recorded");
    if (policy.clearing_limits.size() >= kMaxClearingPeers && !policy.clearing_with(b.peer))
      return reject(Code::not_permitted, "this co-op has limits with " + std::to_string(kMaxClearingPeers) +
                                             " other co-ops, the most it may");
    ClearingLimits& limits = policy.clearing_with_or_add(b.peer);
    limits.theirs = b.floor;
    limits.theirs_seq = b.origin_seq;
    view.put(Column::meta, meta_key::policy, encode_row(policy));
    return Status();
  }

  // The node hands signing over to a new key for good. Only the key that
  // signs for it now may, with the new key's proof; the new key was never a
  // node key or a member's key (a key is never used twice).
  Status handle(const NodeRotate& b) {
    if (author != node_signer() || !entry.on_behalf.is_zero())
      return reject(Code::not_permitted, "only the node's current key may hand its signing to a new key");
    if (b.new_key.is_zero()) return reject(Code::malformed, "a key rotation names the new key");
    if (node_keys.size() > kMaxNodeRotations)
      return reject(Code::not_permitted, "this node's key was rotated " + std::to_string(kMaxNodeRotations) +
                                             " times, the most a node may: start a new node instead");
    if (signed_for_node(node_keys, b.new_key))
      return reject(Code::already_exists, "that key signed for this node before; a key is never used twice");
    auto used = find_signer(view, b.new_key);
    if (!used.ok()) return used.status();
    if (*used)
      return reject(Code::already_exists, "that key signs, or signed, for a member; a key is never used twice");
    if (!rotation_to(signed_entry, context.node_key, node_signer()))
      return reject(Code::bad_signature, "the new key's proof does not verify: it must sign the rotation itself");
    std::vector<NodeSigner> rotations(node_keys.begin() + 1, node_keys.end());
    rotations.push_back({b.new_key, context.seq, context.received_ms});
    view.put(Column::signers, kNodeRotationsRowKey, encode_rotations(rotations));
    return Status();
  }

  Status handle(const RespiteRequest& b) {
    auto carer = actor(true);
    if (!carer.ok()) return carer.status();
    if (!(carer->roles & role_carer)) return reject(Code::not_permitted, "only carers request respite");
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_minutes(b.minutes, *policy); !s.ok()) return s;
    // Up to a year ahead. Past dates are allowed: a coordinator may record an
    // arrangement made on paper, and a walk-through written today must still
    // run next year.
    const std::int32_t today = days_from_ms(context.received_ms);
    if (b.date_days < 0 || b.date_days > today + 366)
      return reject(Code::bad_date,
                    "respite can be requested up to a year ahead, not for " + format_date(b.date_days));
    RespiteRequestState state{signed_entry.id, carer->key, b.minutes, b.date_days, RequestStatus::open, {}};
    view.put(Column::requests, key_of(state.id), encode_row(state));
    return Status();
  }

  Result<RespiteRequestState> request(const EntryId& id) {
    auto row = load_row<RespiteRequestState>(view, Column::requests, key_of(id));
    if (!row.ok()) return row.status();
    if (!*row) return reject(Code::unknown_entry, "no respite request " + short_id(id));
    return **row;
  }

  Status handle(const RespiteOffer& b) {
    auto volunteer = actor(true);
    if (!volunteer.ok()) return volunteer.status();
    if (!(volunteer->roles & role_volunteer))
      return reject(Code::not_permitted, "only volunteers offer respite");
    auto state = request(b.request);
    if (!state.ok()) return state.status();
    if (state->status != RequestStatus::open)
      return reject(Code::wrong_state,
                    std::string("that request is ") + request_status_name(state->status) + ", not open");
    if (state->carer == volunteer->key)
      return reject(Code::not_permitted, "you cannot offer respite to yourself");
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_vetted(volunteer->key, "respite", state->date_days, *policy); !s.ok()) return s;
    Movement movement{signed_entry.id,
                      MovementKind::respite,
                      MovementStatus::pending,
                      AccountId::member(state->carer),
                      AccountId::member(volunteer->key),
                      state->minutes,
                      volunteer->key,
                      state->carer,
                      "respite",
                      state->date_days,
                      context.seq,
                      state->id,
                      {}};
    movement.max_entry_minutes_then = policy->max_entry_minutes;
    put_movement(movement);
    adjust(movement.payer, {0, 0, movement.minutes});
    adjust(movement.payee, {0, movement.minutes, 0});
    RespiteRequestState row = *state;
    row.status = RequestStatus::offered;
    row.offer = signed_entry.id;
    view.put(Column::requests, key_of(row.id), encode_row(row));
    return Status();
  }

  Status handle(const RespiteCancel& b) {
    auto state = request(b.request);
    if (!state.ok()) return state.status();
    auto acting = actor(true);
    if (!acting.ok()) return acting.status();
    if (acting->key != state->carer) {
      auto signer = member(author);
      if (!signer.ok()) return signer.status();
      if (!(*signer && ((*signer)->roles & role_coordinator)))
        return reject(Code::not_permitted,
                      "only the carer who asked (or a coordinator) may cancel a request");
    }
    if (state->status != RequestStatus::open && state->status != RequestStatus::offered)
      return reject(Code::wrong_state,
                    std::string("that request is already ") + request_status_name(state->status));
    if (state->status == RequestStatus::offered) {
      auto offer = load_row<Movement>(view, Column::movements, key_of(state->offer));
      if (!offer.ok()) return offer.status();
      if (*offer && (*offer)->status == MovementStatus::pending)
        void_movement(**offer, RequestStatus::cancelled);
    }
    RespiteRequestState row = *state;
    auto reread = request(b.request);  // void_movement may have rewritten it
    if (reread.ok()) row = *reread;
    row.status = RequestStatus::cancelled;
    view.put(Column::requests, key_of(row.id), encode_row(row));
    return Status();
  }

  Status handle(const ExpenseClaim& b) {
    auto claimant = actor(true);
    if (!claimant.ok()) return claimant.status();
    if (!(claimant->roles & (role_volunteer | role_carer)))
      return reject(Code::not_permitted, "only volunteers and carers claim expenses");
    if (b.pence <= 0)
      return reject(Code::bad_amount,
                    "an expense is a positive number of pence, got " + std::to_string(b.pence));
    if (b.pence > kMaxPolicyPence)
      return reject(Code::bad_amount, "an expense claim is limited to 1,000,000.00");
    if (b.currency != context.currency)
      return reject(Code::malformed,
                    "this co-op pays expenses in " + context.currency.str() + ", not " + b.currency.str());
    const std::int32_t today = days_from_ms(context.received_ms);
    if (b.date_days < 0 || b.date_days > today + 1)
      return reject(Code::bad_date,
                    "expenses are claimed for costs already paid, not for " + format_date(b.date_days));
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (b.miles > kMaxClaimMiles)
      return reject(Code::bad_amount, "a claim is for 1 to " + std::to_string(kMaxClaimMiles) +
                                          " miles, got " + std::to_string(b.miles));
    if (b.miles > 0) {
      if (b.category != ExpenseCategory::travel)
        return reject(Code::malformed, "only travel is claimed in miles");
      if (b.pence != static_cast<std::int64_t>(b.miles) * policy->mileage_rate_pence)
        return reject(Code::bad_amount, std::to_string(b.miles) + " miles at the co-op's rate of " +
                                            std::to_string(policy->mileage_rate_pence) + "p a mile is " +
                                            std::to_string(b.miles * policy->mileage_rate_pence) + " pence");
    }
    const std::int64_t limit = policy->expense_claim_limit_pence[static_cast<std::size_t>(b.category) - 1];
    if (limit > 0 && b.pence > limit)
      return reject(Code::bad_amount, std::string(expense_category_name(b.category)) +
                                          " claims are limited to " + std::to_string(limit) + " pence each");
    if (!b.hours.is_zero()) {
      auto hours = load_row<Movement>(view, Column::movements, key_of(b.hours));
      if (!hours.ok()) return hours.status();
      // A group session: the claimant's own leg for its first recipient
      // stands for the session (all their legs share its day and category).
      if (!*hours) {
        auto legs = load_group_legs(view, b.hours);
        if (!legs.ok()) return legs.status();
        for (const auto& leg : *legs)
          if (leg.provider == claimant->key && (!*hours || leg.status == MovementStatus::posted ||
                                                leg.status == MovementStatus::pending))
            hours = std::optional<Movement>(leg);
        if (!legs->empty() && !*hours)
          return reject(Code::not_permitted, "a claim can name only hours the claimant gave");
      }
      if (!*hours || !is_help((*hours)->kind))
        return reject(Code::unknown_entry,
                      "the claim names " + short_id(b.hours) + ", which is not an hours entry");
      if ((*hours)->provider != claimant->key)
        return reject(Code::not_permitted, "a claim can name only hours the claimant gave");
      if ((*hours)->status == MovementStatus::voided || (*hours)->status == MovementStatus::reversed)
        return reject(Code::wrong_state, "the hours this claim names were " +
                                             std::string(movement_status_name((*hours)->status)));
    }
    ExpenseState state{signed_entry.id,
                       claimant->key,
                       b.pence,
                       b.currency,
                       b.category,
                       b.date_days,
                       b.miles,
                       b.hours,
                       b.receipt_digest,
                       b.note_digest,
                       ExpenseStatus::claimed,
                       context.seq,
                       {},
                       {},
                       {},
                       {},
                       0,
                       {},
                       author};
    view.put(Column::expenses, key_of(state.id), encode_row(state));
    return Status();
  }

  // An admin decides on a claim that is not their own.
  Result<ExpenseState> decidable_claim(const EntryId& id, const char* action) {
    if (Status s = require_admin_author(action); !s.ok()) return s;
    auto row = load_row<ExpenseState>(view, Column::expenses, key_of(id));
    if (!row.ok()) return row.status();
    if (!*row) return reject(Code::unknown_entry, "no expense claim " + short_id(id));
    // Neither the claimant nor whoever filed the claim for them decides on it.
    if ((*row)->claimant == author || (*row)->signed_by == author)
      return reject(Code::not_permitted,
                    "nobody approves, rejects or pays their own claim, or one they filed for someone; ask "
                    "another admin");
    return **row;
  }

  Status handle(const ExpenseApprove& b) {
    auto claim = decidable_claim(b.claim, "approve expenses");
    if (!claim.ok()) return claim.status();
    if (claim->status != ExpenseStatus::claimed)
      return reject(Code::wrong_state,
                    std::string("that claim is already ") + expense_status_name(claim->status));
    ExpenseState row = *claim;
    row.status = ExpenseStatus::approved;
    row.decided_by = signed_entry.id;
    row.decided_by_key = author;
    row.reason_digest = b.reason_digest;
    // The co-op now owes the member: cost on its books, debt to the member.
    post(row.id, {AccountKind::coop_expenses, context.node_key}, AccountId::payable(row.claimant), row.pence);
    view.put(Column::expenses, key_of(row.id), encode_row(row));
    return Status();
  }

  Status handle(const ExpenseReject& b) {
    auto claim = decidable_claim(b.claim, "reject expenses");
    if (!claim.ok()) return claim.status();
    if (claim->status != ExpenseStatus::claimed)
      return reject(Code::wrong_state,
                    std::string("that claim is already ") + expense_status_name(claim->status));
    ExpenseState row = *claim;
    row.status = ExpenseStatus::rejected;
    row.decided_by = signed_entry.id;
    row.decided_by_key = author;
    row.reason_digest = b.reason_digest;
    view.put(Column::expenses, key_of(row.id), encode_row(row));
    return Status();
  }

  Status handle(const ExpensePaid& b) {
    auto claim = decidable_claim(b.claim, "pay expenses");
    if (!claim.ok()) return claim.status();
    if (claim->status == ExpenseStatus::paid) return reject(Code::wrong_state, "that claim is already paid");
    if (claim->status != ExpenseStatus::approved)
      return reject(Code::wrong_state, std::string("only approved claims are paid; this one is ") +
                                           expense_status_name(claim->status));
    // Money already paid, as hours already given: at most a day past the
    // node's clock (time zones), and not before the cost it pays back.
    const std::int32_t today = days_from_ms(context.received_ms);
    if (b.date_days > today + 1)
      return reject(Code::bad_date, "a payment is recorded once the money is paid: " +
                                        format_date(b.date_days) + " is more than a day ahead");
    if (b.date_days < claim->date_days)
      return reject(Code::bad_date, "the payment date " + format_date(b.date_days) +
                                        " is before the claim's own date " + format_date(claim->date_days));
    ExpenseState row = *claim;
    row.status = ExpenseStatus::paid;
    row.paid_by = signed_entry.id;
    row.paid_date_days = b.date_days;
    row.reference_digest = b.reference_digest;
    post(row.id, AccountId::payable(row.claimant), {AccountKind::coop_paid, context.node_key}, row.pence);
    view.put(Column::expenses, key_of(row.id), encode_row(row));
    return Status();
  }

  Status handle(const Reversal& b) {
    if (Status s = require_admin_author("reverse entries"); !s.ok()) return s;
    auto legs = load_group_legs(view, b.target);
    if (!legs.ok()) return legs.status();
    if (!legs->empty()) return reverse_group(std::move(legs).value());
    auto row = load_row<Movement>(view, Column::movements, key_of(b.target));
    if (!row.ok()) return row.status();
    if (!*row)
      return reject(Code::unknown_entry,
                    "no movement " + short_id(b.target) +
                        " to reverse (cite the hours.log, respite.offer or transfer entry)");
    Movement movement = **row;
    if (movement.is_group_leg())
      return reject(Code::unknown_entry, "that is one leg of group session " + short_id(movement.group) +
                                             "; reverse the session by its id");
    if (movement.payer.kind == AccountKind::clearing || movement.payee.kind == AccountKind::clearing)
      return reject(Code::not_permitted,
                    "a transfer between co-ops cannot be reversed by one side; the receiver transfers back");
    if (movement.status != MovementStatus::posted)
      return reject(Code::wrong_state,
                    std::string("only posted movements can be reversed; this one is ") +
                        movement_status_name(movement.status) +
                        (movement.status == MovementStatus::pending ? " (void it instead)" : ""));
    auto policy = load_policy(view);
    if (!policy.ok()) return policy.status();
    if (Status s = check_floor(movement.payee, movement.minutes, *policy, "the member paying back"); !s.ok())
      return s;
    post(movement.id, movement.payee, movement.payer, movement.minutes);
    movement.status = MovementStatus::reversed;
    movement.closed_by = signed_entry.id;
    put_movement(movement);
    return Status();
  }
};

}  // namespace

Result<Policy> load_policy(const StateView& view) {
  auto row = load_row<Policy>(view, Column::meta, meta_key::policy);
  if (!row.ok()) return row.status();
  return row->value_or(Policy{});
}

Status apply_entry(StateView& view, const SignedEntry& entry, const ApplyContext& context) {
  // First, before any state is read: an entry belongs to the one log it was
  // signed for. Replicas replay a log with that log's key, so a copy of
  // another node's log is held to the same check.
  if (entry.entry.node != context.node_key)
    return reject(Code::wrong_node, "this entry was signed for node " + short_id(entry.entry.node) +
                                        " and cannot be replayed into this co-op's log");
  // Then who signed: a key retired by a rekey signs nothing any more, and a
  // key a rekey named acts as the member's identity in every rule.
  auto signer = find_signer(view, entry.entry.author);
  if (!signer.ok()) return signer.status();
  if (*signer && (*signer)->status == KeyStatus::retired)
    return reject(Code::not_permitted, "this key was replaced on " +
                                           format_date(days_from_ms((*signer)->retired_ms)) +
                                           ": sign with the member's new key");
  auto node_keys = load_node_signers(view, context.node_key);
  if (!node_keys.ok()) return node_keys.status();
  const PublicKey& node_now = node_keys->back().key;
  if (entry.entry.author != node_now && signed_for_node(node_keys.value(), entry.entry.author))
    return reject(Code::not_permitted, "this node key was retired by a key rotation: the node signs with " +
                                           short_id(node_now) + " now");
  Apply apply{view, entry, context};
  apply.author = *signer ? (*signer)->member : entry.entry.author;
  apply.node_keys = std::move(node_keys).value();
  Status status = apply.dispatch();
  if (!status.ok()) return status;
  if (!apply.fault.ok()) return apply.fault;
  view.put(Column::entries, key_of(entry.id), be64(context.seq));
  return Status();
}

}  // namespace cohours
