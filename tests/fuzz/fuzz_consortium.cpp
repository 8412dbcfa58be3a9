// The consortium file (net/src/consortium.cpp): JSON passed between
// operators by mail or USB stick before anything is checked. What parses
// must write out and parse again to the same consortium, signed bytes and
// id included; checking it must not crash whatever it holds.
#include <string>

#include "cohours/net/consortium.h"
#include "fuzz_support.h"

using namespace cohours;
using namespace cohours::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_consortium(text);
  if (!parsed.ok()) return 0;
  const Consortium& consortium = parsed.value();
  const std::string written = consortium_json(consortium);
  auto again = parse_consortium(written);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(consortium_json(again.value()) == written);
  FUZZ_CHECK(consortium_signed_bytes(again.value()) == consortium_signed_bytes(consortium));
  FUZZ_CHECK(consortium_id(again.value()) == consortium_id(consortium));
  const PublicKey self = consortium.nodes.empty() ? PublicKey{} : consortium.nodes.front().key;
  (void)check_consortium(consortium, self, 0);
  for (const auto& node : consortium.nodes) (void)split_address(node.address);
  return 0;
}
