#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "cohours/crypto.h"

int main(int argc, char** argv) {
  if (!cohours::crypto_init()) return 1;
  doctest::Context context(argc, argv);
  return context.run();
}
