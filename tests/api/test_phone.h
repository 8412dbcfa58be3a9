// A phone as the API tests hold one: its own key pair and the nonce of its
// last signed request.
#pragma once

#include <cstdint>

#include "cohours/crypto.h"

namespace cohours::test {

struct Phone {
  KeyPair key = generate_keypair();
  std::uint64_t nonce = 0;
};

}  // namespace cohours::test
