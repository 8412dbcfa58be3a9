#include "cohours/text.h"

#include <doctest/doctest.h>

#include <string>

using cohours::utf8_characters;

TEST_CASE("utf8_characters counts characters, not bytes") {
  CHECK(utf8_characters("") == 0u);
  CHECK(utf8_characters("Hilltop") == 7u);
  CHECK(utf8_characters("Łódź") == 4u);            // 7 bytes
  CHECK(utf8_characters("Caerdydd 🏴") == 10u);  // a 4-byte character
  CHECK(utf8_characters(std::string(150, 'a')) == 150u);
  std::string polish;
  for (int i = 0; i < 150; ++i) polish += "ł";
  CHECK(polish.size() == 300u);
  CHECK(utf8_characters(polish) == 150u);
}

TEST_CASE("utf8_characters refuses what is not UTF-8") {
  for (std::string bad : {std::string("ab\xff"
                                      "cd"),
                          std::string("\x80"), std::string("\xc3"),              // stray, truncated
                          std::string("\xc0\xaf"), std::string("\xe0\x80\xaf"),  // overlong
                          std::string("\xed\xa0\x80"),                           // a surrogate
                          std::string("\xf4\x90\x80\x80"),                       // over U+10FFFF
                          std::string("\xe2\x82"), std::string("a\xe2\x28\xa1")}) {
    CAPTURE(bad);
    CHECK_FALSE(utf8_characters(bad).has_value());
  }
  CHECK(utf8_characters("\xf4\x8f\xbf\xbf") == 1u);  // U+10FFFF itself
  CHECK(utf8_characters("\xef\xbf\xbd") == 1u);      // U+FFFD
}
