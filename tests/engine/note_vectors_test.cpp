// The pinned private-note digests (schemas/note-vectors.json), shared with
// the phone web app: note_digest(salt, text) must give each vector's digest,
// and the node storing a phone's note under its salt (Directory::put_note)
// must answer the same digest the phone signed. Read, never written, here
// (make_note_vectors.cpp).
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cohours/crypto.h"
#include "cohours/directory.h"
#include "test_support.h"

using namespace cohours;

TEST_CASE("the shared note vectors: keyed BLAKE2b-256 of the text under the phone's salt") {
  std::ifstream in(COHOURS_NOTE_VECTORS);  // the absolute path, from CMake
  REQUIRE_MESSAGE(in.good(), "cannot read ", COHOURS_NOTE_VECTORS);
  const nlohmann::json file = nlohmann::json::parse(in);
  CHECK(file.at("format") == "cohours-note-vectors");
  const auto& vectors = file.at("vectors");
  REQUIRE(vectors.size() >= 5);
  auto store = make_memory_store();
  Directory directory(*store);
  for (const auto& vector : vectors) {
    const std::string text = vector.at("text").get<std::string>();
    CAPTURE(text.substr(0, 40));
    auto salt = fixed_from_hex<Hash32>(vector.at("salt").get<std::string>());
    REQUIRE(salt.has_value());
    auto bytes = from_hex(vector.at("text_hex").get<std::string>());
    REQUIRE(bytes.has_value());
    CHECK(std::string(bytes->begin(), bytes->end()) == text);
    const std::string digest = vector.at("digest").get<std::string>();
    CHECK(to_hex(note_digest(*salt, text)) == digest);
    auto stored = directory.put_note(text, *salt);
    REQUIRE(stored.ok());
    CHECK(to_hex(*stored) == digest);
    CHECK(directory.note(*stored) == text);
  }
}
