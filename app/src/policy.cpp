#include "cohours/app/policy.h"

#include <algorithm>

#include "cohours/app/names.h"
#include "cohours/net/consortium.h"
#include "try.h"

namespace cohours::app {

namespace {

// The entry for `change`, the other co-op found by its name in the
// consortium file; the floor's range is the engine's rule.
Result<ClearingLimit> clearing_limit_body(Node& node, const ClearingLimitChange& change) {
  using Answer = Result<ClearingLimit>;
  auto consortium = net::installed_consortium(node.store());
  if (!consortium.ok())
    return Answer(Code::wrong_state, "a clearing limit is set for another co-op of a consortium, and this node "
                                     "has joined none (`cohours consortium join`)");
  const net::ConsortiumNode* other = consortium->find_name(change.node);
  if (!other)
    return Answer(Code::unknown_member, "no node named '" + change.node + "' in consortium '" + consortium->name +
                                            "' (see `cohours consortium show`)");
  if (other->key == node.ledger().node_key())
    return Answer(Code::malformed, "'" + change.node + "' is this co-op: a clearing limit is set for another one");
  ClearingLimit limit;
  limit.peer = other->key;
  if (change.floor_minutes) limit.floor = {true, *change.floor_minutes};
  return limit;
}

}  // namespace

Result<PolicySetDone> set_policy(Node& node, const SetPolicy& r) {
  using Answer = Result<PolicySetDone>;
  TRY_ASSIGN(PublicKey admin, member_key(node, r.as));
  std::vector<PolicySetting> changes;
  if (r.role_floor) {
    auto role = parse_role(r.role_floor->role);
    if (!role) return Answer(Code::malformed, "unknown role '" + r.role_floor->role + "'");
    changes.push_back({PolicyTarget::role_floor, *role, r.role_floor->minutes, {}});
  }
  if (r.pool_floor_minutes) changes.push_back({PolicyTarget::pool_floor, 0, *r.pool_floor_minutes, {}});
  if (r.no_pool_floor) changes.push_back({PolicyTarget::pool_floor_none, 0, 0, {}});
  if (r.max_entry_minutes) changes.push_back({PolicyTarget::max_entry_minutes, 0, *r.max_entry_minutes, {}});
  for (const auto& limit : r.claim_limits)
    changes.push_back(
        {PolicyTarget::expense_claim_limit, static_cast<std::uint32_t>(limit.category), limit.pence, {}});
  for (const auto& limit : r.month_limits)
    changes.push_back(
        {PolicyTarget::expense_month_limit, static_cast<std::uint32_t>(limit.category), limit.pence, {}});
  if (r.mileage_rate_pence) changes.push_back({PolicyTarget::mileage_rate, 0, *r.mileage_rate_pence, {}});
  if (r.categories) {
    // The entry's decoder refuses these too, as a malformed entry; a person
    // is told which name is wrong.
    if (r.categories->size() > kMaxCategories)
      return Answer(Code::malformed, "a co-op may list at most " + std::to_string(kMaxCategories) +
                                         " categories, not " + std::to_string(r.categories->size()));
    for (const auto& category : *r.categories)
      if (!valid_category(category))
        return Answer(Code::unknown_category, "category '" + category + "' must be 1-32 of a-z, 0-9, '-'");
    changes.push_back({PolicyTarget::categories, 0, 0, *r.categories});
  }
  if (r.vetted_categories) {
    if (r.vetted_categories->size() > kMaxCategories)
      return Answer(Code::malformed, "at most " + std::to_string(kMaxCategories) + " categories need a check");
    // A typo would vet nothing: each must be a category the co-op uses (the
    // new list, if this entry sets one too).
    TRY_ASSIGN(Policy policy, node.ledger().policy());
    const std::vector<std::string>& allowed = r.categories ? *r.categories : policy.categories;
    for (const auto& category : *r.vetted_categories)
      if (std::find(allowed.begin(), allowed.end(), category) == allowed.end())
        return Answer(Code::unknown_category, "category '" + category +
                                                  "' is not one the co-op uses (`policy show`); a check "
                                                  "can only be needed for one of those");
    changes.push_back({PolicyTarget::vetted_categories, 0, 0, *r.vetted_categories});
  }
  if (r.clearing_limit) {
    if (!changes.empty())
      return Answer(Code::malformed, "a clearing limit is its own entry: set it in a command of its own");
    TRY_ASSIGN(ClearingLimit limit, clearing_limit_body(node, *r.clearing_limit));
    Submission submission(node);
    TRY_ASSIGN(Accepted accepted, submission.as_member(admin, limit));
    return PolicySetDone{accepted, 1};
  }
  const auto count = static_cast<std::uint32_t>(changes.size());
  Submission submission(node);
  TRY_ASSIGN(Accepted accepted, submission.as_member(admin, PolicySet{std::move(changes)}));
  return PolicySetDone{accepted, count};
}

Result<PolicyView> show_policy(Node& node, const ShowPolicy&) {
  TRY_ASSIGN(Policy policy, node.ledger().policy());
  PolicyView view;
  for (std::size_t i = 0; i < policy.role_floor_minutes.size(); ++i)
    view.role_floors.push_back({role_name(static_cast<Role>(1u << i)), policy.role_floor_minutes[i]});
  view.pool_floor_minutes = policy.pool_floor_minutes;
  view.max_entry_minutes = policy.max_entry_minutes;
  view.categories = policy.categories;
  view.currency = node.ledger().currency().str();
  view.mileage_rate_pence = policy.mileage_rate_pence;
  view.vetted_categories = policy.vetted_categories;
  for (const auto& limits : policy.clearing_limits) {
    if (!limits.ours.limited && !limits.theirs.limited) continue;
    PolicyClearingLimit row{node_name(node, limits.peer), {}, {}};
    if (limits.ours.limited) row.ours_minutes = limits.ours.minutes;
    if (limits.theirs.limited) row.theirs_minutes = limits.theirs.minutes;
    view.clearing_limits.push_back(std::move(row));
  }
  for (std::size_t i = 0; i < kExpenseCategoryCount; ++i)
    view.expense_limits.push_back({expense_category_name(static_cast<ExpenseCategory>(i + 1)),
                                   policy.expense_claim_limit_pence[i], policy.expense_month_limit_pence[i]});
  return view;
}

}  // namespace cohours::app
