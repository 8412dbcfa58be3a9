// Writes schemas/note-vectors.json: private-note digests as a phone computes
// them offline (docs/data-format.md "Privacy"): BLAKE2b-256 of the UTF-8
// text keyed with a 32-byte salt the phone chose, note_digest(salt, text) in
// engine/include/cohours/directory.h. Run once; after that the file is
// pinned: note_vectors_test.cpp checks the engine against it and the phone
// web app (web/test/unit/note-vectors.test.mjs) checks its JavaScript. So this
// refuses to overwrite an existing file unless given --overwrite (which is a
// change of the digest, and so of every signed note digest).
//
//   cmake --build build --target make_note_vectors
//   build/tests/make_note_vectors schemas/note-vectors.json
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cohours/crypto.h"
#include "cohours/directory.h"

using namespace cohours;
using Json = nlohmann::ordered_json;

namespace {

struct Input {
  const char* salt;  // 64 hex digits
  std::string text;
};

// Salts of one repeated byte, and one counting salt; texts: plain, empty,
// multi-line, non-ASCII (UTF-8 in several widths), and the 4096-byte maximum.
std::vector<Input> inputs() {
  return {
      {"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f", "Shopping and a cup of tea"},
      {"0101010101010101010101010101010101010101010101010101010101010101", "thank you"},
      {"0202020202020202020202020202020202020202020202020202020202020202", "thank you"},
      {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", ""},
      {"a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
       "Sat afternoon\nBus to the hospital, then home"},
      {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
       "Tea and a chat \xe2\x98\x95 with Zo\xc3\xab \xf0\x9f\x8c\xbc"},
      {"5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c", std::string(4096, 'x')},
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--overwrite")) {
    std::fprintf(stderr, "usage: make_note_vectors FILE [--overwrite]\n");
    return 2;
  }
  const std::filesystem::path path = argv[1];
  if (std::filesystem::exists(path) && argc != 3) {
    std::fprintf(stderr, "%s exists and is pinned; rewriting it changes every note digest\n", path.c_str());
    return 1;
  }
  if (!crypto_init()) return 1;
  Json vectors = Json::array();
  for (const Input& input : inputs()) {
    auto salt = fixed_from_hex<Hash32>(input.salt);
    if (!salt) return 1;
    const Bytes text(input.text.begin(), input.text.end());
    vectors.push_back({{"salt", input.salt},
                       {"text", input.text},
                       {"text_hex", to_hex(text)},
                       {"digest", to_hex(note_digest(*salt, input.text))}});
  }
  Json file = {
      {"$comment",
       {"Private-note digests (docs/data-format.md 'Privacy'): digest = BLAKE2b-256 of the UTF-8 text, keyed "
        "with the 32-byte salt (note_digest in engine/include/cohours/directory.h). A phone chooses the salt, "
        "signs the digest offline, and sends {salt, text} beside the entry (docs/api.md POST /v1/entries).",
        "Written once by tests/engine/make_note_vectors.cpp and pinned: tests/engine/note_vectors_test.cpp and "
        "the phone web app's tests check against it. Never edit it by hand.",
        "salt: 64 hex digits; text: the note; text_hex: its UTF-8 bytes; digest: 64 hex digits."}},
      {"format", "cohours-note-vectors"},
      {"vectors", vectors}};
  std::ofstream out(path, std::ios::trunc);
  out << file.dump(2) << "\n";
  out.flush();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("wrote %zu vectors to %s\n", vectors.size(), path.c_str());
  return 0;
}
