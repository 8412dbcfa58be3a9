#include "session.h"

#include <fstream>

#include "cohours/crypto.h"
#include "output.h"

namespace cohours::cli {

namespace fs = std::filesystem;

SecretKey read_secret_key(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail(Code::not_found, "cannot read key file " + path.string());
  std::string hex;
  in >> hex;
  auto key = fixed_from_hex<SecretKey>(hex);
  if (!key) fail(Code::corruption, "key file " + path.string() + " does not hold a 64-byte hex key");
  return *key;
}

}  // namespace cohours::cli
