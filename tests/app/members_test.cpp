#include "cohours/app/members.h"

#include "app_support.h"
#include "cohours/app/exchanges.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

app::AddMember adding(std::string alias, std::vector<std::string> roles = {"volunteer"}, std::string key = "",
                      std::string as = "") {
  return {std::move(alias), std::move(roles), std::move(key), "07700 900123", std::move(as)};
}

app::AddMember contact_of(std::string alias, std::string contact) {
  app::AddMember request = adding(std::move(alias), {"volunteer"});
  request.contact = std::move(contact);
  return request;
}

// A refused add leaves nothing: no alias in the directory, no key made.
void check_nothing_left(TestNode& t, const std::string& alias, std::size_t keyring_before) {
  CHECK_FALSE(t.node->directory().key_for(alias).ok());
  CHECK(t.keyring_size() == keyring_before);
}

}  // namespace

TEST_CASE("member add: a generated key is kept in the keyring; the member's own key is not") {
  TestNode t;
  const std::size_t before = t.keyring_size();
  auto erin = app::add_member(*t, adding("erin", {"carer", "volunteer"}));
  REQUIRE(erin.ok());
  CHECK(erin->alias == "erin");
  CHECK(erin->roles == (role_carer | role_volunteer));
  CHECK(erin->key_in_keyring);
  CHECK(t.node->keyring().holds(erin->key));
  CHECK(t.keyring_size() == before + 1);
  CHECK(t.node->ledger().member(erin->key).ok());
  CHECK(t.node->directory().find(erin->key)->contact == "07700 900123");

  KeyPair phone = generate_keypair();
  auto frank = app::add_member(*t, adding("frank", {"volunteer"}, to_hex(phone.public_key), "dave"));
  REQUIRE(frank.ok());
  CHECK(frank->key == phone.public_key);
  CHECK_FALSE(frank->key_in_keyring);
  CHECK(t.keyring_size() == before + 1);
}

TEST_CASE("member add: each refusal has its code and leaves no alias and no key") {
  TestNode t;
  const std::size_t before = t.keyring_size();
  const std::string node_key = to_hex(t.node->identity().public_key);
  const std::string alice_key = to_hex(t.key("alice"));
  struct Refusal {
    app::AddMember request;
    Code code;
    std::string message;
  };
  const std::vector<Refusal> refusals = {
      {adding("Bad!"), Code::malformed, "alias 'Bad!' must be 1-32"},
      {adding("pool"), Code::malformed, "'pool' is reserved"},
      {adding("member-a8fa46e1"), Code::malformed, "reserved"},  // a forgotten member's name in reports
      {adding("clearing-riverside"), Code::malformed, "reserved"},
      {adding("node-1f2e3d4c"), Code::malformed, "reserved"},
      {adding("community"), Code::malformed, "reserved"},
      {adding("node"), Code::malformed, "reserved"},
      {adding("gina", {"wizard"}), Code::malformed, "unknown role 'wizard'"},
      {adding("gina", {}), Code::malformed, "at least one"},
      {adding("gina", {"volunteer"}, "12ab"), Code::malformed, "64 hex digits"},
      {adding("gina", {"volunteer"}, std::string(64, '0')), Code::malformed, "zero"},
      {adding("gina", {"volunteer"}, node_key), Code::malformed, "the node's own key"},
      {adding("gina", {"volunteer"}, alice_key), Code::already_exists, "already a member"},
      {adding("alice"), Code::already_exists, "'alice' is already a member"},
      {adding("gina", {"volunteer"}, "", "zoe"), Code::unknown_member, "no member called 'zoe'"},
      {contact_of("gina", "a\xff"), Code::malformed, "not UTF-8"},
      {contact_of("gina", std::string(256, 'a')), Code::malformed, "255 bytes"},
      // The ledger's rule: only the operator or an admin adds members.
      {adding("gina", {"volunteer"}, "", "alice"), Code::not_permitted, ""},
  };
  for (const auto& refusal : refusals) {
    CAPTURE(refusal.request.alias);
    CAPTURE(refusal.message);
    auto added = app::add_member(*t, refusal.request);
    REQUIRE_FALSE(added.ok());
    CHECK(added.code() == refusal.code);
    CHECK(added.status().message().find(refusal.message) != std::string::npos);
    if (refusal.request.alias != "alice") check_nothing_left(t, refusal.request.alias, before);
  }
  CHECK(t.node->ledger().members()->size() == 4);
}

TEST_CASE("member add: an add interrupted before its join is finished with the key it had") {
  TestNode t;
  KeyPair first = generate_keypair();
  REQUIRE(t.node->directory().add({first.public_key, "erin", ""}).ok());  // the join never came
  auto other = app::add_member(*t, adding("erin", {"carer"}, to_hex(generate_keypair().public_key)));
  CHECK(other.code() == Code::already_exists);
  CHECK(t.node->directory().key_for("erin").value() == first.public_key);  // an interrupted add is kept
  auto finished = app::add_member(*t, adding("erin", {"carer"}));
  REQUIRE(finished.ok());
  CHECK(finished->key == first.public_key);
  CHECK_FALSE(finished->key_in_keyring);
}

TEST_CASE("member list and show") {
  TestNode t;
  auto list = app::list_members(*t, {});
  REQUIRE(list.ok());
  std::vector<std::string> aliases;
  for (const auto& m : list->members) aliases.push_back(m.alias);
  CHECK(aliases == std::vector<std::string>{"alice", "bob", "carol", "dave"});
  auto dave = app::show_member(*t, {"dave"});
  REQUIRE(dave.ok());
  CHECK(dave->roles == (role_coordinator | role_admin));
  CHECK(dave->key_in_keyring);
  CHECK(dave->joined_seq == 2);  // after init's policy.set
  CHECK(app::show_member(*t, {to_hex(t.key("bob"))})->alias == "bob");
  CHECK(app::show_member(*t, {"zoe"}).code() == Code::unknown_member);
  CHECK(app::show_member(*t, {std::string(64, 'a')}).code() == Code::unknown_member);
}

TEST_CASE("member role: replaces the roles; unknown roles and non-admins are refused") {
  TestNode t;
  auto changed = app::change_roles(*t, {"alice", {"volunteer", "carer"}, "dave"});
  REQUIRE(changed.ok());
  CHECK(changed->roles == (role_volunteer | role_carer));
  CHECK(t.node->ledger().member(t.key("alice"))->roles == (role_volunteer | role_carer));
  CHECK(app::change_roles(*t, {"alice", {"astronaut"}, "dave"}).code() == Code::malformed);
  CHECK(app::change_roles(*t, {"zoe", {"carer"}, ""}).code() == Code::unknown_member);
  CHECK(app::change_roles(*t, {"bob", {"carer"}, "alice"}).code() == Code::not_permitted);
  CHECK(app::change_roles(*t, {"bob", {"carer"}, ""}).ok());  // the operator's node key
}

TEST_CASE("member edit: only an admin changes the directory") {
  TestNode t;
  const PublicKey bob = t.key("bob");
  auto edited = app::edit_member(*t, {"bob", "dave", "robert", "07700 900456", false});
  REQUIRE(edited.ok());
  CHECK(edited->key == bob);
  CHECK(edited->alias == "robert");
  CHECK(edited->contact == "07700 900456");
  CHECK(t.node->directory().key_for("robert").value() == bob);
  CHECK_FALSE(t.node->directory().key_for("bob").ok());
  auto cleared = app::edit_member(*t, {"robert", "dave", "", "", true});
  REQUIRE(cleared.ok());
  CHECK(cleared->contact.empty());

  auto refused = app::edit_member(*t, {"robert", "alice", "bob", "", false});
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message() == "only an admin may change or erase members' details");
  CHECK(app::edit_member(*t, {"robert", "zoe", "bob", "", false}).code() == Code::unknown_member);
  CHECK(app::edit_member(*t, {"robert", "dave", "", "", false}).code() == Code::malformed);
  CHECK(app::edit_member(*t, {"robert", "dave", "pool", "", false}).code() == Code::malformed);
  CHECK(app::edit_member(*t, {"robert", "dave", "Robert", "", false}).code() == Code::malformed);
  CHECK(app::edit_member(*t, {"robert", "dave", "alice", "", false}).code() == Code::already_exists);
  CHECK(app::edit_member(*t, {"zoe", "dave", "zed", "", false}).code() == Code::unknown_member);
  CHECK(t.node->directory().key_for("robert").value() == bob);  // refusals change nothing
}

TEST_CASE("member forget: notes, keyring key and directory entry go; the log stays") {
  TestNode t;
  const PublicKey alice = t.key("alice");
  auto logged = app::log_hours(
      *t, {"alice", "", "bob", 60, "befriending", *parse_date("2026-11-17"), "drove her to the surgery"});
  REQUIRE(logged.ok());
  const std::uint64_t log_size = t.node->ledger().log_size();

  CHECK(app::forget_member(*t, {"alice", "carol"}).code() == Code::not_permitted);
  CHECK(app::forget_member(*t, {"zoe", "dave"}).code() == Code::unknown_member);
  CHECK(app::forget_member(*t, {"alice", "zoe"}).code() == Code::unknown_member);

  auto forgotten = app::forget_member(*t, {"alice", "dave"});
  REQUIRE(forgotten.ok());
  CHECK(forgotten->notes_erased == 1);
  CHECK(forgotten->receipts_erased == 0);
  CHECK(forgotten->keyring_key_erased);
  CHECK(forgotten->pseudonym == "member-" + to_hex(alice).substr(0, 8));
  CHECK_FALSE(t.node->keyring().holds(alice));
  CHECK_FALSE(t.node->directory().find(alice));
  CHECK(t.node->ledger().log_size() == log_size);
  CHECK(t.node->ledger().member(alice).ok());

  // Again, by key: nothing more to erase; the directory entry is gone.
  auto again = app::forget_member(*t, {to_hex(alice), "dave"});
  REQUIRE(again.ok());
  CHECK(again->notes_erased == 0);
  CHECK_FALSE(again->keyring_key_erased);
  CHECK(app::edit_member(*t, {to_hex(alice), "dave", "alice", "", false}).code() == Code::unknown_member);
}
