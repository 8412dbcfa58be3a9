#include "cohours/app/rekey.h"

#include "app_support.h"
#include "cohours/app/exchanges.h"
#include "cohours/app/invitations.h"
#include "cohours/app/self_service.h"
#include "cohours/crypto.h"
#include "cohours/dates.h"

using namespace cohours;
using cohours::test::TestNode;

namespace {

// A phone's entry for this node, signed with its own key.
Bytes phone_entry(TestNode& t, const KeyPair& phone, EntryBody body) {
  static std::uint64_t nonce = 0;
  Entry entry{
      kEntryFormatVersion, t.node->identity().public_key, phone.public_key, {}, t.clock.now_ms(), ++nonce,
      std::move(body)};
  return sign_entry(entry, phone.secret_key).bytes;
}

HoursLog hours_for(TestNode& t, const std::string& alias, std::int64_t minutes, Payer payer) {
  HoursLog h;
  h.recipient = t.key(alias);
  h.payer = payer;
  h.minutes = minutes;
  h.category = "befriending";
  h.date_days = days_from_ms(t.clock.now_ms());
  return h;
}

// Submits from the phone as the API does; the outcome of the one entry.
app::EntryOutcome from_phone(TestNode& t, const KeyPair& phone, EntryBody body) {
  auto outcomes = app::submit_signed(*t, {phone.public_key, {phone_entry(t, phone, std::move(body))}, {}});
  REQUIRE_MESSAGE(outcomes.ok(), outcomes.status().message());
  return outcomes->results.at(0);
}

// erin joins from her phone with a code from dave.
KeyPair enrolled_phone(TestNode& t, const std::string& alias, std::vector<std::string> roles) {
  auto invited = app::invite_member(*t, {alias, std::move(roles), "dave", 72});
  REQUIRE(invited.ok());
  KeyPair phone = generate_keypair();
  auto enrolled = app::enrol(*t, {invited->code, to_hex(phone.public_key)});
  REQUIRE_MESSAGE(enrolled.ok(), enrolled.status().message());
  CHECK(enrolled->member == phone.public_key);
  return phone;
}

}  // namespace

TEST_CASE("member rekey without a key: the lost phone is refused at once, a new one enrols with a code") {
  TestNode t;
  const KeyPair lost = enrolled_phone(t, "erin", {"volunteer"});
  const PublicKey erin = t.key("erin");
  auto given = from_phone(t, lost, hours_for(t, "bob", 90, Payer::pool));
  REQUIRE(given.outcome == app::Outcome::stored);
  REQUIRE(app::confirm_hours(*t, {to_hex(given.id), "bob"}).ok());
  auto waiting =
      app::log_hours(*t, {"alice", "", "erin", 30, "befriending", days_from_ms(t.clock.now_ms()), ""});
  REQUIRE_MESSAGE(waiting.ok(), waiting.status().message());
  const Balance before = t.node->ledger().balance(AccountId::member(erin)).value();
  CHECK(before.balance_minutes == 90);

  auto rekeyed = app::rekey_member(*t, {"erin", "dave", "", 24});
  REQUIRE_MESSAGE(rekeyed.ok(), rekeyed.status().message());
  CHECK(rekeyed->how == app::NewKey::enrolment);
  CHECK(rekeyed->member == erin);
  CHECK(rekeyed->retired_key == lost.public_key);
  CHECK(rekeyed->new_key.is_zero());
  CHECK_FALSE(rekeyed->entry.id.is_zero());
  CHECK(rekeyed->code.size() == 14);
  CHECK(rekeyed->expires_ms == t.clock.now_ms() + 24 * 3600 * 1000);

  // Refused from this moment, before any new phone exists.
  auto refused = app::member_for_key(*t, lost.public_key);
  CHECK(refused.code() == Code::not_permitted);
  CHECK(refused.status().message() == "this key was replaced on 2026-11-18: sign with the member's new key");
  CHECK(app::submit_signed(
            *t, {lost.public_key, {phone_entry(t, lost, hours_for(t, "bob", 30, Payer::pool))}, {}})
            .code() == Code::not_permitted);
  auto shown = app::show_member(*t, {"erin"});
  REQUIRE(shown.ok());
  CHECK(shown->key == erin);
  CHECK(shown->signing_key.is_zero());
  CHECK_FALSE(shown->key_in_keyring);
  auto invitations = app::list_invitations(*t, {});
  REQUIRE(invitations->invitations.size() == 1);
  CHECK(invitations->invitations[0].member == erin);
  CHECK(invitations->invitations[0].alias == "erin");
  CHECK(invitations->invitations[0].inviter == "dave");

  // Asked again (the code was lost too): no second entry, a new code, the
  // first one dead.
  const std::uint64_t size = t.node->ledger().log_size();
  auto again = app::rekey_member(*t, {"erin", "", "", app::kInvitationHours});
  REQUIRE(again.ok());
  CHECK(again->entry.id.is_zero());
  CHECK(again->retired_key.is_zero());
  CHECK(t.node->ledger().log_size() == size);
  CHECK(app::list_invitations(*t, {})->invitations.size() == 1);
  CHECK(app::list_invitations(*t, {})->invitations[0].inviter == "node");
  KeyPair phone = generate_keypair();
  CHECK(app::enrol(*t, {rekeyed->code, to_hex(phone.public_key)}).code() == Code::not_permitted);
  // Neither a member's key nor the lost one enrols.
  CHECK(app::enrol(*t, {again->code, to_hex(t.key("alice"))}).code() == Code::already_exists);
  CHECK(app::enrol(*t, {again->code, to_hex(lost.public_key)}).code() == Code::already_exists);

  // The new phone enrols exactly as a new member's would, and is erin.
  auto enrolled = app::enrol(*t, {again->code, to_hex(phone.public_key)});
  REQUIRE_MESSAGE(enrolled.ok(), enrolled.status().message());
  CHECK(enrolled->alias == "erin");
  CHECK(enrolled->key == phone.public_key);
  CHECK(enrolled->member == erin);
  CHECK(enrolled->roles == role_volunteer);
  CHECK(app::list_invitations(*t, {})->invitations.empty());
  CHECK(app::enrol(*t, {again->code, to_hex(generate_keypair().public_key)}).code() == Code::not_permitted);
  CHECK(app::member_for_key(*t, phone.public_key)->key == erin);
  CHECK(app::show_member(*t, {"erin"})->signing_key == phone.public_key);
  // Same balance, same pending hours, which the new phone confirms.
  auto self = app::show_self(*t, {phone.public_key});
  REQUIRE(self.ok());
  CHECK(self->key == phone.public_key);
  CHECK(self->member_key == erin);
  CHECK(self->balance == before);
  CHECK(self->to_confirm == 1);
  auto confirmed = from_phone(t, phone, HoursConfirm{waiting->entry.id});
  CHECK_MESSAGE(confirmed.outcome == app::Outcome::stored, confirmed.message);
  CHECK(t.node->ledger().balance(AccountId::member(erin)).value().balance_minutes == 60);
  // The lost phone stays refused.
  CHECK(app::member_for_key(*t, lost.public_key).code() == Code::not_permitted);
}

TEST_CASE("member rekey with a key: that key signs from now on, and a key is used once") {
  TestNode t;
  const KeyPair old_phone = enrolled_phone(t, "erin", {"volunteer", "carer"});
  const KeyPair new_phone = generate_keypair();
  auto rekeyed = app::rekey_member(*t, {"erin", "dave", to_hex(new_phone.public_key), 72});
  REQUIRE_MESSAGE(rekeyed.ok(), rekeyed.status().message());
  CHECK(rekeyed->how == app::NewKey::given);
  CHECK(rekeyed->new_key == new_phone.public_key);
  CHECK(rekeyed->retired_key == old_phone.public_key);
  CHECK(rekeyed->code.empty());
  CHECK(app::member_for_key(*t, old_phone.public_key).code() == Code::not_permitted);
  CHECK(from_phone(t, new_phone, RespiteRequest{120, days_from_ms(t.clock.now_ms()) + 2, {}}).outcome ==
        app::Outcome::stored);
  CHECK(app::respite_board(*t, {new_phone.public_key})->mine.size() == 1);
  // A member is named by the key that signs for them now too.
  CHECK(app::show_member(*t, {to_hex(new_phone.public_key)})->alias == "erin");
  // The key she joined with stays her identity, and names her still.
  CHECK(app::show_member(*t, {to_hex(old_phone.public_key)})->alias == "erin");

  const PublicKey erin = t.key("erin");
  auto code_of = [&](const std::string& key) {
    return app::rekey_member(*t, {"erin", "dave", key, 72}).code();
  };
  CHECK(code_of(to_hex(new_phone.public_key)) == Code::already_exists);
  CHECK(code_of(to_hex(old_phone.public_key)) == Code::already_exists);
  CHECK(code_of(to_hex(t.key("alice"))) == Code::already_exists);
  CHECK(code_of(to_hex(t.node->identity().public_key)) == Code::malformed);
  CHECK(code_of(std::string(64, '0')) == Code::malformed);
  CHECK(code_of("12ab") == Code::malformed);
  CHECK(t.node->ledger().current_key(erin).value() == new_phone.public_key);
  // A code made while she waited stops working once a key is given.
  REQUIRE(app::rekey_member(*t, {"erin", "dave", "", 72}).ok());
  CHECK(app::list_invitations(*t, {})->invitations.size() == 1);
  REQUIRE(app::rekey_member(*t, {"erin", "dave", to_hex(generate_keypair().public_key), 72}).ok());
  CHECK(app::list_invitations(*t, {})->invitations.empty());
  // A retired key that was never her identity names nobody.
  CHECK(app::show_member(*t, {to_hex(new_phone.public_key)}).code() == Code::unknown_member);
}

TEST_CASE("member rekey of a member without a phone: the node makes the new key and drops the old one") {
  TestNode t;
  const PublicKey alice = t.key("alice");
  REQUIRE(t.node->keyring().holds(alice));
  const std::size_t keys = t.keyring_size();
  auto rekeyed = app::rekey_member(*t, {"alice", "", "", 72});
  REQUIRE_MESSAGE(rekeyed.ok(), rekeyed.status().message());
  CHECK(rekeyed->how == app::NewKey::keyring);
  CHECK(rekeyed->retired_key == alice);
  CHECK(rekeyed->code.empty());
  CHECK(t.node->keyring().holds(rekeyed->new_key));
  CHECK_FALSE(t.node->keyring().holds(alice));
  CHECK(t.keyring_size() == keys);
  CHECK(app::show_member(*t, {"alice"})->key_in_keyring);
  CHECK(app::show_member(*t, {"alice"})->signing_key == rekeyed->new_key);
  // The node signs for her with the new key, as her identity.
  auto logged =
      app::log_hours(*t, {"alice", "", "bob", 60, "befriending", days_from_ms(t.clock.now_ms()), ""});
  REQUIRE_MESSAGE(logged.ok(), logged.status().message());
  auto record = t.node->ledger().record(logged->entry.seq);
  REQUIRE(record.ok());
  CHECK(decode_entry(record->entry)->entry.author == rekeyed->new_key);
  CHECK(t.node->ledger().movement(logged->entry.id)->provider == alice);
  // A coordinator's phone sees her hours to confirm on her behalf.
  const KeyPair fred = enrolled_phone(t, "fred", {"coordinator"});
  auto to_alice =
      app::log_hours(*t, {"carol", "", "alice", 30, "befriending", days_from_ms(t.clock.now_ms()), ""});
  REQUIRE(to_alice.ok());
  auto pending = app::pending_for(*t, {fred.public_key});
  REQUIRE(pending.ok());
  bool seen = false;
  for (const auto& item : pending->to_confirm)
    seen |= item.on_behalf && item.movement.id == to_alice->entry.id;
  CHECK(seen);
  // Forgetting her erases the key the node signs with now.
  auto forgotten = app::forget_member(*t, {"alice", "dave"});
  REQUIRE(forgotten.ok());
  CHECK(forgotten->keyring_key_erased);
  CHECK_FALSE(t.node->keyring().holds(rekeyed->new_key));
}

TEST_CASE("member rekey: who may ask, and whom") {
  TestNode t;
  t.add("fred", {"coordinator"});
  auto code = [&](const std::string& member, const std::string& as) {
    return app::rekey_member(*t, {member, as, "", 72}).code();
  };
  CHECK(code("carol", "alice") == Code::not_permitted);  // a volunteer
  CHECK(code("dave", "fred") == Code::not_permitted);    // a coordinator, for an admin
  CHECK(code("zoe", "dave") == Code::unknown_member);
  CHECK(code("carol", "zoe") == Code::unknown_member);
  CHECK(app::rekey_member(*t, {"carol", "dave", "", 0}).code() == Code::malformed);
  CHECK(code("carol", "fred") == Code::ok);
  CHECK(code("dave", "dave") == Code::ok);  // an admin, for themselves
  // A forgotten member gets no new key.
  const PublicKey bob = t.key("bob");
  REQUIRE(app::forget_member(*t, {"bob", "dave"}).ok());
  CHECK(app::rekey_member(*t, {to_hex(bob), "dave", "", 72}).code() == Code::unknown_member);
}
