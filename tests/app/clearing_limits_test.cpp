// Trade limits between co-ops through the use cases (docs/decisions.md
// "Trade limits between co-ops"): policy set --clearing-limit names the
// other co-op as the consortium file does; once the sender's node records
// the limit, send_credits past it is refused there with what is left, and
// `clearing` and `policy show` show it both ways. Two nodes in process,
// each with a verified copy of the other's log, as the daemon's sync would.
#include "cohours/app/consortium.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/policy.h"
#include "cohours/app/sync.h"
#include "cohours/dates.h"

#include "app_support.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

struct LimitedPair {
  TestNode hill, river;

  void join() {
    net::Consortium file;
    file.name = "county";
    file.nodes.push_back({"hilltop", hill.node->identity().public_key, "127.0.0.1:7101", *Currency::parse("GBP")});
    file.nodes.push_back(
        {"riverside", river.node->identity().public_key, "127.0.0.1:7102", *Currency::parse("GBP")});
    auto parsed = net::parse_consortium(net::consortium_json(file));
    REQUIRE(parsed.ok());
    file = parsed.value();
    for (TestNode* t : {&hill, &river})
      net::sign_consortium(file, t->node->identity().public_key, t->node->identity().secret_key);
    for (TestNode* t : {&hill, &river}) REQUIRE(app::join_consortium(*t->node, {net::consortium_json(file)}).ok());
    REQUIRE(hill.node->replicas().follow(river.node->identity().public_key, "riverside", *Currency::parse("GBP")).ok());
    REQUIRE(river.node->replicas().follow(hill.node->identity().public_key, "hilltop", *Currency::parse("GBP")).ok());
  }

  // `to` copies `from`'s log and, as its daemon does, records the limit
  // `from` set about it. Whether there was one to record.
  bool deliver(TestNode& from, TestNode& to) {
    const PublicKey log = from.node->identity().public_key;
    for (;;) {
      auto batch = from.node->replicas().read_batch(log, to.node->replicas().log_state(log).value().size, 1000);
      if (!batch.ok()) break;
      REQUIRE(to.node->replicas().append(batch.value()).outcome == AppendResult::Outcome::appended);
    }
    auto limit = to.node->replicas().unrecorded_clearing_limit(log);
    REQUIRE(limit.ok());
    if (!*limit) return false;
    const NodeIdentity& self = to.node->identity();
    Entry entry{kEntryFormatVersion, self.public_key, self.public_key, {}, to.clock.now_ms(), (*limit)->origin_seq,
                **limit};
    SubmitResult recorded = to.node->ledger().submit_one(sign_entry(entry, self.secret_key).bytes);
    REQUIRE_MESSAGE(recorded.ok(), recorded.message);
    return true;
  }

  app::SetPolicy limit(const std::string& node, std::optional<std::int64_t> minutes) {
    app::SetPolicy request;
    request.as = "dave";
    request.clearing_limit = app::ClearingLimitChange{node, minutes};
    return request;
  }
  std::string carol_at_river() { return to_hex(river.key("carol")) + "@riverside"; }
};

}  // namespace

TEST_CASE("clearing limits: set by name, refused for no consortium, an unknown name, this co-op, or with more") {
  LimitedPair p;
  auto alone = app::set_policy(*p.river.node, p.limit("hilltop", -90));
  CHECK(alone.status().code() == Code::wrong_state);
  CHECK(alone.status().message().find("joined none") != std::string::npos);
  p.join();
  const std::uint64_t size = p.river.node->ledger().log_size();
  CHECK(app::set_policy(*p.river.node, p.limit("lowland", -90)).status().code() == Code::unknown_member);
  CHECK(app::set_policy(*p.river.node, p.limit("riverside", -90)).status().code() == Code::malformed);
  CHECK(app::set_policy(*p.river.node, p.limit("hilltop", 90)).status().code() == Code::bad_amount);
  app::SetPolicy both = p.limit("hilltop", -90);
  both.pool_floor_minutes = -60;
  auto combined = app::set_policy(*p.river.node, both);
  CHECK(combined.status().code() == Code::malformed);
  CHECK(combined.status().message().find("command of its own") != std::string::npos);
  app::SetPolicy by_volunteer = p.limit("hilltop", -90);
  by_volunteer.as = "alice";
  CHECK(app::set_policy(*p.river.node, by_volunteer).status().code() == Code::not_permitted);
  CHECK(p.river.node->ledger().log_size() == size);

  auto set = app::set_policy(*p.river.node, p.limit("hilltop", -90));
  REQUIRE_MESSAGE(set.ok(), set.status().message());
  CHECK(set->settings == 1);
  auto shown = app::show_policy(*p.river.node, {});
  REQUIRE(shown.ok());
  REQUIRE(shown->clearing_limits.size() == 1);
  CHECK(shown->clearing_limits[0].node == "hilltop");
  CHECK(shown->clearing_limits[0].ours_minutes == std::optional<std::int64_t>(-90));
  CHECK_FALSE(shown->clearing_limits[0].theirs_minutes.has_value());
  // None removes it.
  REQUIRE(app::set_policy(*p.river.node, p.limit("hilltop", std::nullopt)).ok());
  CHECK(app::show_policy(*p.river.node, {})->clearing_limits.empty());
}

TEST_CASE("clearing limits: a transfer past riverside's limit is refused at hilltop; clearing shows what is left") {
  LimitedPair p;
  p.join();
  const std::int32_t day = *parse_date("2026-11-16");
  auto logged = app::log_hours(*p.hill.node, {"alice", "", "bob", 180, "befriending", day, "", false});
  REQUIRE_MESSAGE(logged.ok(), logged.status().message());
  REQUIRE(app::confirm_hours(*p.hill.node, {to_hex(logged->entry.id), "bob"}).ok());
  REQUIRE(app::set_policy(*p.river.node, p.limit("hilltop", -90)).ok());

  // Before hilltop has fetched it, a transfer goes, and riverside's
  // clearing says hilltop has not recorded the limit yet.
  REQUIRE(app::send_credits(*p.hill.node, {"alice", p.carol_at_river(), 60, ""}).ok());
  CHECK_FALSE(p.deliver(p.hill, p.river));  // riverside gets the transfer; hilltop set no limit
  auto before = app::clearing(*p.river.node, {});
  REQUIRE(before.ok());
  REQUIRE(before->pairs.size() == 1);
  const app::ClearingPair& early = before->pairs[0];
  const bool hill_first_early = early.first == "hilltop";
  CHECK((hill_first_early ? early.second_limit_minutes : early.first_limit_minutes) ==
        std::optional<std::int64_t>(-90));
  CHECK((hill_first_early ? early.first_may_send_minutes : early.second_may_send_minutes) ==
        std::optional<std::int64_t>(30));
  CHECK_FALSE((hill_first_early ? early.second_limit_recorded : early.first_limit_recorded));
  CHECK(p.deliver(p.river, p.hill));  // hilltop records riverside's limit
  CHECK_FALSE(p.deliver(p.river, p.hill));

  auto over = app::send_credits(*p.hill.node, {"alice", p.carol_at_river(), 45, ""});
  CHECK(over.status().code() == Code::floor_breached);
  CHECK(over.status().message().find("owes it 60 now, so 30 minutes are left and 45 would pass the limit") !=
        std::string::npos);
  REQUIRE(app::send_credits(*p.hill.node, {"alice", p.carol_at_river(), 30, ""}).ok());

  auto view = app::clearing(*p.hill.node, {});
  REQUIRE(view.ok());
  REQUIRE(view->pairs.size() == 1);
  const app::ClearingPair& pair = view->pairs[0];
  const bool hill_first = pair.first == "hilltop";
  const auto& limit = hill_first ? pair.second_limit_minutes : pair.first_limit_minutes;
  const auto& left = hill_first ? pair.first_may_send_minutes : pair.second_may_send_minutes;
  const bool recorded = hill_first ? pair.second_limit_recorded : pair.first_limit_recorded;
  CHECK(limit == std::optional<std::int64_t>(-90));
  CHECK(left == std::optional<std::int64_t>(0));
  CHECK(recorded);
  CHECK_FALSE((hill_first ? pair.first_limit_minutes : pair.second_limit_minutes).has_value());  // hilltop set none
  auto hill_policy = app::show_policy(*p.hill.node, {});
  REQUIRE(hill_policy.ok());
  REQUIRE(hill_policy->clearing_limits.size() == 1);
  CHECK(hill_policy->clearing_limits[0].node == "riverside");
  CHECK(hill_policy->clearing_limits[0].theirs_minutes == std::optional<std::int64_t>(-90));
}
