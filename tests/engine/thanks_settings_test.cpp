// The storage of thank-yous and of the node's settings, off the log: their
// bounds, one volunteer's rows as one range whatever their ids, erasure of
// a member's, and damaged rows reported rather than misread.
#include "cohours/node_settings.h"
#include "cohours/thanks.h"

#include <doctest/doctest.h>

using namespace cohours;

namespace {

PublicKey key_of_byte(std::uint8_t b) {
  PublicKey k;
  k.bytes.fill(b);
  return k;
}

ThankYou thanks_with_id(const PublicKey& volunteer, const PublicKey& sender, std::uint8_t first_id_byte,
                        std::int64_t sent_ms) {
  ThankYou t;
  t.movement.bytes.fill(first_id_byte);
  t.id = thanks_id(t.movement, sender);
  t.id.bytes[0] = first_id_byte;  // ids at both ends of the range
  t.sender = sender;
  t.volunteer = volunteer;
  t.text = "thank you " + std::to_string(first_id_byte);
  t.sent_ms = sent_ms;
  return t;
}

}  // namespace

TEST_CASE("thanks book: a volunteer's thank-yous are one range, ids 0x00 to 0xff included") {
  auto store = make_memory_store();
  ThanksBook book(*store);
  const PublicKey alice = key_of_byte(0x10), next = key_of_byte(0x11), bob = key_of_byte(0x20);
  REQUIRE(book.put(thanks_with_id(alice, bob, 0x00, 1)).ok());
  REQUIRE(book.put(thanks_with_id(alice, bob, 0xff, 2)).ok());
  REQUIRE(book.put(thanks_with_id(next, bob, 0x00, 3)).ok());  // the next volunteer's first row
  auto received = book.received(alice);
  REQUIRE(received.ok());
  REQUIRE(received->size() == 2);
  CHECK(received.value()[0].sent_ms == 1);
  CHECK(received.value()[1].id.bytes[0] == 0xff);
  CHECK(book.sent(bob)->size() == 3);
  auto erased = book.erase_member(alice);
  REQUIRE(erased.ok());
  CHECK(erased.value() == 2);
  CHECK(book.received(alice)->empty());
  CHECK(book.received(next)->size() == 1);
}

TEST_CASE("thanks book: text bounds, one per movement and sender, damaged rows") {
  auto store = make_memory_store();
  ThanksBook book(*store);
  const PublicKey alice = key_of_byte(1), bob = key_of_byte(2);
  ThankYou t = thanks_with_id(alice, bob, 7, 1);
  t.text = std::string(281, 'x');
  CHECK(book.put(t).code() == Code::malformed);
  t.text = "";
  CHECK(book.put(t).code() == Code::malformed);
  t.text = "\xed\xa0\x80";  // a UTF-16 surrogate: not UTF-8
  CHECK(book.put(t).code() == Code::malformed);
  t.text = std::string(280, 'x');
  REQUIRE(book.put(t).ok());
  CHECK(book.put(t).code() == Code::already_exists);
  CHECK(thanks_id(t.movement, bob) == thanks_id(t.movement, bob));
  CHECK_FALSE(thanks_id(t.movement, bob) == thanks_id(t.movement, alice));

  // A row cut short reads as corruption, not as a shorter thank-you.
  auto cursor = store->scan(Column::directory, "thanks:", "thanks;");
  REQUIRE(cursor->valid());
  const std::string key(cursor->key());
  const std::string value(cursor->value());
  cursor.reset();
  WriteBatch damage;
  damage.put(Column::directory, key, value.substr(0, value.size() - 1));
  REQUIRE(store->write(damage, Durability::synced).ok());
  CHECK(book.received(alice).code() == Code::corruption);
}

TEST_CASE("node settings: the social value rate, its bounds, and a damaged row") {
  auto store = make_memory_store();
  NodeSettings settings(*store);
  auto none = settings.social_value_rate();
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());
  SocialValueRate rate;
  rate.pence_per_hour = 1600;
  rate.source = "Kent County Council homecare rate 2026/27";
  rate.date_days = 20544;
  rate.set_by = key_of_byte(9);
  rate.set_ms = 1'795'000'000'000;
  REQUIRE(settings.set_social_value_rate(rate).ok());
  auto read = settings.social_value_rate();
  REQUIRE(read.ok());
  REQUIRE(read->has_value());
  CHECK(read->value().pence_per_hour == 1600);
  CHECK(read->value().source == rate.source);
  CHECK(read->value().date_days == 20544);
  CHECK(read->value().set_by == rate.set_by);
  CHECK(read->value().set_ms == rate.set_ms);

  SocialValueRate bad = rate;
  bad.pence_per_hour = 0;
  CHECK(settings.set_social_value_rate(bad).code() == Code::bad_amount);
  bad.pence_per_hour = kMaxSocialValueRatePence + 1;
  CHECK(settings.set_social_value_rate(bad).code() == Code::bad_amount);
  bad = rate;
  bad.source = std::string(kMaxSocialValueSourceBytes + 1, 'x');
  CHECK(settings.set_social_value_rate(bad).code() == Code::malformed);
  CHECK(settings.social_value_rate()->value().pence_per_hour == 1600);  // refusals changed nothing

  WriteBatch damage;
  damage.put(Column::meta, "setting:social_value_rate", "\x01\x02");
  REQUIRE(store->write(damage, Durability::synced).ok());
  CHECK(settings.social_value_rate().code() == Code::corruption);
  REQUIRE(settings.clear_social_value_rate().ok());
  CHECK_FALSE(settings.social_value_rate()->has_value());
}
