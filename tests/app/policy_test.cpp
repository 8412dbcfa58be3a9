#include "cohours/app/policy.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

TEST_CASE("policy set: every setting in one entry; policy show reads them back") {
  TestNode t;
  app::SetPolicy request;
  request.as = "dave";
  request.role_floor = app::RoleFloor{"carer", -600};
  request.pool_floor_minutes = -6000;
  request.max_entry_minutes = 480;
  request.claim_limits = {{ExpenseCategory::travel, 3000}};
  request.month_limits = {{ExpenseCategory::meals, 2500}};
  request.mileage_rate_pence = 40;
  request.categories = std::vector<std::string>{"respite", "befriending"};
  const std::uint64_t size = t.node->ledger().log_size();
  auto done = app::set_policy(*t, request);
  REQUIRE_MESSAGE(done.ok(), done.status().message());
  CHECK(done->settings == 7);
  CHECK(t.node->ledger().log_size() == size + 1);

  auto policy = app::show_policy(*t, {});
  REQUIRE(policy.ok());
  REQUIRE(policy->role_floors.size() == 7);
  CHECK(policy->role_floors[0].role == "volunteer");
  CHECK(policy->role_floors[1].role == "carer");
  CHECK(policy->role_floors[1].minutes == -600);
  CHECK(policy->pool_floor_minutes == std::optional<std::int64_t>(-6000));
  CHECK(policy->max_entry_minutes == 480);
  CHECK(policy->categories == std::vector<std::string>{"respite", "befriending"});
  CHECK(policy->currency == "GBP");
  CHECK(policy->mileage_rate_pence == 40);
  REQUIRE(policy->expense_limits.size() == kExpenseCategoryCount);
  CHECK(policy->expense_limits[0].category == "travel");
  CHECK(policy->expense_limits[0].claim_limit_pence == 3000);
  CHECK(policy->expense_limits[2].category == "meals");
  CHECK(policy->expense_limits[2].month_limit_pence == 2500);

  app::SetPolicy none;
  none.as = "dave";
  none.no_pool_floor = true;
  REQUIRE(app::set_policy(*t, none).ok());
  CHECK_FALSE(app::show_policy(*t, {})->pool_floor_minutes);
}

TEST_CASE("policy set: refusals change nothing") {
  TestNode t;
  const std::uint64_t size = t.node->ledger().log_size();
  auto refused = [&](app::SetPolicy request) {
    auto done = app::set_policy(*t, request);
    CHECK(t.node->ledger().log_size() == size);
    return done.code();
  };
  app::SetPolicy request;
  request.as = "dave";
  request.role_floor = app::RoleFloor{"astronaut", -60};
  CHECK(refused(request) == Code::malformed);
  request = {};
  request.as = "dave";
  request.categories = std::vector<std::string>{"respite", "Bad Name"};
  CHECK(refused(request) == Code::unknown_category);
  request = {};
  request.as = "alice";
  request.mileage_rate_pence = 40;
  CHECK(refused(request) == Code::not_permitted);  // the ledger: only an admin
  request.as = "zoe";
  CHECK(refused(request) == Code::unknown_member);
  request.as = "dave";
  request.mileage_rate_pence = 0;
  CHECK(refused(request) == Code::bad_amount);  // the ledger: 1 to 1000
  request = {};
  request.as = "dave";
  CHECK(refused(request) == Code::malformed);  // no setting
}
