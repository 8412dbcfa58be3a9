// A phone's read against long commands and commits (docs/api.md "Limits"):
// the node's store is wrapped in a gate that holds one scan until the test
// lets it go, standing for a long read caught in the middle. While an audit
// run through the control socket's handler is held, GET /v1/me answers with
// the right balance and entries still commit; a GET held in the middle of
// its own reads while a commit lands answers with one state, not a mix;
// so does the period report. No sleeps: every wait is for an event, with a
// deadline.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>

#include "../app/app_support.h"
#include "cohours/api/client_api.h"
#include "cohours/api/request_signature.h"
#include "cohours/app/invitations.h"
#include "cohours/app/keyring.h"
#include "cohours/app/policy.h"
#include "cohours/control/client.h"
#include "cohours/control/server.h"
#include "cohours/dates.h"
#include "test_phone.h"

using namespace cohours;
using cohours::test::Phone;  // enrolled with a code from dave
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 20s;

// Holds the first scan of the armed column, on whichever thread makes it,
// until released.
class Gate {
 public:
  void arm(Column column) {
    std::lock_guard lock(mu_);
    armed_ = column;
  }
  bool wait_until_held() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return held_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  void pass(Column column) {
    std::unique_lock lock(mu_);
    if (armed_ != column) return;
    armed_.reset();
    held_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Column> armed_;
  bool held_ = false;
  bool released_ = false;
};

// The node's store behind the gate. Its snapshots are gated too, so a read
// pinned to one (ReadSnapshot) is held like any other.
class GatedStore final : public Store {
 public:
  GatedStore(Store& inner, std::shared_ptr<Gate> gate) : inner_(inner), gate_(std::move(gate)) {}
  GatedStore(std::unique_ptr<const Store> snapshot, std::shared_ptr<Gate> gate)
      : owned_(std::move(snapshot)), inner_(const_cast<Store&>(*owned_)), gate_(std::move(gate)) {}

  Status compact(Column column) override { return inner_.compact(column); }
  std::unique_ptr<const Store> snapshot() const override {
    return std::make_unique<GatedStore>(inner_.snapshot(), gate_);
  }

 protected:
  Status do_get(Column column, std::string_view key, std::string* value) const override {
    return inner_.get(column, key, value);
  }
  std::unique_ptr<Cursor> do_scan(Column column, std::string_view from, std::string_view to) const override {
    gate_->pass(column);
    return inner_.scan(column, from, to);
  }
  Status do_write(const WriteBatch& batch, Durability durability) override {
    return inner_.write(batch, durability);
  }
  Status do_clear(Column column) override { return inner_.clear(column); }
  Status do_erase_range(Column column, std::string_view from, std::string_view to) override {
    return inner_.erase_range(column, from, to);
  }

 private:
  std::unique_ptr<const Store> owned_;
  Store& inner_;
  std::shared_ptr<Gate> gate_;
};

// A node held open as the daemon holds it (app::Node over parts it owns),
// its store behind the gate; dave, a coordinator and admin, in the keyring.
struct GatedNode {
  test::TempDir tmp;
  FakeClock clock{1'795'000'000'000};  // 2026-11-18
  std::filesystem::path dir = tmp.path / "node";
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::unique_ptr<Store> rocks;
  std::unique_ptr<GatedStore> store;
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<Replicas> replicas;
  std::unique_ptr<app::Node> node;
  std::unique_ptr<api::ClientApi> api;

  GatedNode() {
    REQUIRE(app::init_node(dir, "Hilltop Care Co-op", *Currency::parse("GBP"), clock).ok());
    auto secret = app::read_secret_key(dir / "node.key");
    REQUIRE(secret.ok());
    NodeIdentity identity{public_key_of(secret.value()), secret.value().copy()};
    auto opened = open_rocks_store((dir / "store").string(), OpenMode::open_existing);
    REQUIRE(opened.ok());
    rocks = std::move(opened).value();
    store = std::make_unique<GatedStore>(*rocks, gate);
    auto own = Ledger::open(*store, identity, clock);
    REQUIRE(own.ok());
    ledger = std::move(own).value();
    auto copies = Replicas::open(*store, clock);
    REQUIRE(copies.ok());
    replicas = std::move(copies).value();
    node = std::make_unique<app::Node>(dir, identity.copy(), *store, *ledger, *replicas, clock);
    api = std::make_unique<api::ClientApi>(*node);
    REQUIRE(app::add_member(*node, {"dave", {"coordinator", "admin"}, "", "", ""}).ok());
    app::SetPolicy floor;
    floor.as = "dave";
    floor.role_floor = app::RoleFloor{"carer", -600};  // carers may owe ten hours
    REQUIRE(app::set_policy(*node, floor).ok());
  }
  ~GatedNode() {
    api.reset();
    node.reset();
    replicas.reset();
    ledger.reset();
    store.reset();
    rocks.reset();
  }

  // A request signed now by the phone, as it would come over HTTP.
  api::ApiRequest request(const std::string& method, const std::string& target, const Phone& phone,
                          const std::string& body = "") {
    clock.advance_ms(1000);  // each signed request is a new one
    const std::int64_t time = clock.now_ms() / 1000;
    return {method,
            target,
            "application/json",
            to_hex(phone.key.public_key),
            std::to_string(time),
            to_hex(api::sign_request(phone.key.secret_key, method, target, time, body)),
            body,
            "127.0.0.1"};
  }
  json ok(const api::ApiResponse& response) {
    INFO(response.body);
    REQUIRE(response.status == 200);
    return json::parse(response.body);
  }
  json me(const Phone& phone) { return ok(api->handle(request("GET", "/v1/me", phone))); }
  Phone enrol(const std::string& alias, std::vector<std::string> roles) {
    auto invited = app::invite_member(*node, {alias, std::move(roles), "dave", 72});
    REQUIRE(invited.ok());
    Phone phone;
    json body = {{"code", invited->code}, {"public_key", to_hex(phone.key.public_key)}};
    api::ApiRequest r{"POST", "/v1/enrol", "application/json", "", "", "", body.dump(), "127.0.0.1"};
    ok(api->handle(r));
    return phone;
  }
  // Signs `body` on the phone and posts it; the entry's id.
  std::string post(Phone& phone, EntryBody body) {
    Entry entry{kEntryFormatVersion,  node->identity().public_key,
                phone.key.public_key, {},
                clock.now_ms(),       ++phone.nonce,
                std::move(body)};
    json request = {{"entries", {to_hex(sign_entry(entry, phone.key.secret_key).bytes)}}};
    json answer = ok(api->handle(this->request("POST", "/v1/entries", phone, request.dump())));
    INFO(answer.dump());
    REQUIRE(answer["results"][0]["status"] == "stored");
    return answer["results"][0]["id"];
  }
  HoursLog hours(const Phone& recipient, std::int64_t minutes) {
    return HoursLog{
        recipient.key.public_key, Payer::recipient, minutes, "befriending", days_from_ms(clock.now_ms()), {}};
  }
  // audit.verify as `cohours audit verify` sends it to the daemon.
  std::string audit() {
    json message = {
        {"version", control::kProtocolVersion}, {"call", "audit.verify"}, {"request", app::VerifyLog{}}};
    return control::serve_call(*node, message.dump());
  }
  // audit.report for the last 30 days, as `cohours report` sends it.
  std::string report() {
    const std::int32_t today = days_from_ms(clock.now_ms());
    json message = {{"version", control::kProtocolVersion},
                    {"call", "audit.report"},
                    {"request", app::ShowPeriodReport{today - 30, today}}};
    return control::serve_call(*node, message.dump());
  }
};

app::PeriodReport report_reply(const std::string& response) {
  auto reply = control::result_from_json<app::PeriodReport>(json::parse(response));
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  return reply.value();
}

std::int64_t befriending(const app::PeriodReport& report) {
  for (const auto& category : report.hours_by_category)
    if (category.category == "befriending") return category.minutes;
  return 0;
}

app::LogAudit audit_reply(const std::string& response) {
  auto reply = control::result_from_json<app::LogAudit>(json::parse(response));
  REQUIRE_MESSAGE(reply.ok(), reply.status().message());
  return reply.value();
}

}  // namespace

TEST_CASE("a phone's GET answers, and entries commit, while an audit is held in the middle of its reads") {
  GatedNode n;
  Phone erin = n.enrol("erin", {"volunteer"});
  Phone fern = n.enrol("fern", {"carer"});
  HoursConfirm first{*fixed_from_hex<EntryId>(n.post(erin, n.hours(fern, 120)))};
  n.post(fern, first);
  const std::uint64_t size = n.ledger->log_size();

  // The audit, as the control socket's worker runs it, stops where it
  // starts streaming the records.
  n.gate->arm(Column::records);
  auto audit = std::async(std::launch::async, [&] { return n.audit(); });
  REQUIRE(n.gate->wait_until_held());

  json me = n.me(erin);
  CHECK(me["balance_minutes"] == 120);
  CHECK(me["pending_in_minutes"] == 0);
  // Commits go on too, and the next read sees them.
  HoursConfirm second{*fixed_from_hex<EntryId>(n.post(erin, n.hours(fern, 60)))};
  n.post(fern, second);
  CHECK(n.me(erin)["balance_minutes"] == 180);
  CHECK(n.me(fern)["balance_minutes"] == -180);
  CHECK(audit.wait_for(0s) == std::future_status::timeout);  // still held

  n.gate->release();
  REQUIRE(audit.wait_for(kDeadline) == std::future_status::ready);
  // It audited the log as it stood when it started, and found it sound:
  // the commits meanwhile are no damage.
  app::LogAudit report = audit_reply(audit.get());
  CHECK_MESSAGE(report.passed, report.failure);
  CHECK(report.records == size);
  app::LogAudit again = audit_reply(n.audit());
  CHECK_MESSAGE(again.passed, again.failure);
  CHECK(again.records == size + 2);
}

TEST_CASE("a GET reads one state: a commit that lands in the middle of its reads is not half seen") {
  GatedNode n;
  Phone erin = n.enrol("erin", {"volunteer"});
  Phone fern = n.enrol("fern", {"carer"});
  HoursConfirm confirm{*fixed_from_hex<EntryId>(n.post(erin, n.hours(fern, 120)))};
  json before = n.me(fern);
  CHECK(before["balance_minutes"] == 0);
  CHECK(before["pending_out_minutes"] == 120);
  CHECK(before["to_confirm"] == 1);

  // Fern's page reads her balance, then scans the pending hours for hers:
  // the scan is held while she confirms on another phone.
  api::ApiRequest page = n.request("GET", "/v1/me", fern);
  n.gate->arm(Column::pending);
  auto answer = std::async(std::launch::async, [&] { return n.api->handle(page); });
  REQUIRE(n.gate->wait_until_held());
  n.post(fern, confirm);
  n.gate->release();
  REQUIRE(answer.wait_for(kDeadline) == std::future_status::ready);

  // The state before the confirmation, whole: not its balance with the
  // pending hours already gone.
  json during = n.ok(answer.get());
  CHECK(during["balance_minutes"] == 0);
  CHECK(during["pending_out_minutes"] == 120);
  CHECK(during["to_confirm"] == 1);
  json after = n.me(fern);
  CHECK(after["balance_minutes"] == -120);
  CHECK(after["pending_out_minutes"] == 0);
  CHECK(after["to_confirm"] == 0);
}

TEST_CASE("the period report's figures come from one state, whatever commits while it runs") {
  GatedNode n;
  Phone erin = n.enrol("erin", {"volunteer"});
  Phone bob = n.enrol("bob", {"service-user"});
  auto for_bob = [&](std::int64_t minutes) {
    HoursLog hours = n.hours(bob, minutes);
    hours.payer = Payer::pool;
    n.post(bob, HoursConfirm{*fixed_from_hex<EntryId>(n.post(erin, hours))});
  };
  for_bob(60);

  // The report has counted the hours and stops where it reads the pool's
  // postings; more hours paid by the pool are confirmed meanwhile.
  n.gate->arm(Column::postings);
  auto report = std::async(std::launch::async, [&] { return n.report(); });
  REQUIRE(n.gate->wait_until_held());
  for_bob(30);
  n.gate->release();
  REQUIRE(report.wait_for(kDeadline) == std::future_status::ready);
  app::PeriodReport held = report_reply(report.get());
  CHECK(befriending(held) == 60);
  CHECK(held.pool.paid_out_minutes == 60);  // not 90: the pool paid for the hours counted

  app::PeriodReport after = report_reply(n.report());
  CHECK(befriending(after) == 90);
  CHECK(after.pool.paid_out_minutes == 90);
}
