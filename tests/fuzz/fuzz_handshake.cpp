// The peer handshake (net/src/handshake.cpp): the first bytes a stranger
// on the peer port gets parsed. Input byte 0 picks the side (bit 0) and,
// for the responder, whether the last 64 bytes are a msg3 (bit 1); the rest
// is the peer's message(s): msg1 (a hello of any length since protocol
// version 2 carries key rotations) then msg3 for the responder, msg2 for
// the initiator. Every key is let in, so a well-formed message gets as far as
// its signature check.
#include <algorithm>

#include "cohours/net/handshake.h"
#include "fuzz_support.h"

using namespace cohours;
using namespace cohours::net;

namespace {

HandshakeConfig config() {
  static const KeyPair node = keypair_from_seed(FixedBytes<32>{{1}});
  HandshakeConfig out;
  out.consortium_id = Hash32{{7}};  // the seeds (make_fuzz_seeds) use the same
  out.node = std::make_shared<const KeyPair>(node.copy());
  out.allowed = [](const PublicKey&) { return true; };
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> message(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    ResponderHandshake responder(config());
    const bool with_msg3 = (data[0] & 2) != 0 && message.size() >= 64;
    const std::size_t first = with_msg3 ? message.size() - 64 : message.size();
    auto msg2 = responder.on_msg1(message.first(first));
    if (!msg2.ok()) {
      FUZZ_CHECK(!responder.outcome().ok());
      return 0;
    }
    const Status done = responder.on_msg3(message.subspan(first));
    // Nobody can sign this session's transcript without the initiator's key.
    FUZZ_CHECK(!done.ok() && !responder.outcome().ok());
  } else {
    // msg2 signs the initiator's fresh msg1, so no input can complete it.
    static const PublicKey expected = keypair_from_seed(FixedBytes<32>{{2}}).public_key;
    InitiatorHandshake initiator(config(), expected);
    (void)initiator.start();
    auto msg3 = initiator.on_msg2(message);
    FUZZ_CHECK(!msg3.ok() && !initiator.outcome().ok());
  }
  return 0;
}
