// The pinned entry vectors (schemas/entry-vectors.json), shared with the
// phone web app: the engine must encode each vector's fields to exactly its
// bytes, sign them to exactly its signature, and decode its bytes back to
// exactly its fields. The file is read, never written, here: a change to it
// is a change of the signed format (make_entry_vectors.cpp).
#include <doctest/doctest.h>

#include <fstream>
#include <set>

#include "cohours/crypto.h"
#include "entry_json.h"

using namespace cohours;
using cohours::test::Json;

namespace {

Json load_vectors() {
  std::ifstream in(COHOURS_ENTRY_VECTORS);  // the absolute path, from CMake
  REQUIRE_MESSAGE(in.good(), "cannot read ", COHOURS_ENTRY_VECTORS);
  return Json::parse(in);
}

Bytes hex_bytes(const Json& value) {
  auto bytes = from_hex(value.get<std::string>());
  REQUIRE(bytes.has_value());
  return *bytes;
}

}  // namespace

TEST_CASE("the shared entry vectors: fields encode, sign and hash to the pinned bytes, and decode back") {
  const Json file = load_vectors();
  CHECK(file.at("format") == "cohours-entry-vectors");
  CHECK(file.at("entry_format_version") == kEntryFormatVersion);
  const Json& vectors = file.at("vectors");
  REQUIRE(vectors.size() == std::variant_size_v<EntryBody>);
  std::set<EntryKind> kinds;
  for (const Json& vector : vectors) {
    const std::string kind = vector.at("kind").get<std::string>();
    CAPTURE(kind);
    const Json& fields = vector.at("fields");
    const Entry entry = test::entry_from_json(fields);
    CHECK(kind_name(entry.kind()) == kind);
    CHECK(entry.version == kEntryFormatVersion);
    kinds.insert(entry.kind());

    // Fields -> canonical unsigned bytes.
    const Bytes unsigned_bytes = encode_unsigned(entry);
    CHECK(to_hex(unsigned_bytes) == vector.at("unsigned").get<std::string>());
    // The seed makes the author's key, and signs to the pinned signature.
    auto seed = fixed_from_hex<FixedBytes<32>>(vector.at("seed").get<std::string>());
    REQUIRE(seed.has_value());
    const KeyPair signer = keypair_from_seed(*seed);
    CHECK(signer.public_key == entry.author);
    const SignedEntry signed_entry = sign_entry(entry, signer.secret_key);
    CHECK(to_hex(signed_entry.signature) == vector.at("signature").get<std::string>());
    CHECK(to_hex(signed_entry.bytes) == vector.at("signed").get<std::string>());
    CHECK(to_hex(signed_entry.bytes) ==
          vector.at("unsigned").get<std::string>() + vector.at("signature").get<std::string>());
    // The id is BLAKE2b-256 of the signed bytes.
    CHECK(to_hex(blake2b_256(hex_bytes(vector.at("signed")))) == vector.at("id").get<std::string>());
    CHECK(to_hex(signed_entry.id) == vector.at("id").get<std::string>());

    // Signed bytes -> the same fields, a valid signature, the same id.
    auto decoded = decode_entry(hex_bytes(vector.at("signed")));
    REQUIRE_MESSAGE(decoded.ok(), decoded.status().message());
    CHECK(verify_signature(decoded.value()));
    CHECK(test::entry_to_json(decoded->entry) == fields);
    CHECK(to_hex(decoded->id) == vector.at("id").get<std::string>());
  }
  CHECK(kinds.size() == std::variant_size_v<EntryBody>);  // every kind, once
}

TEST_CASE("the vectors' node key sits right after the kind, as documented") {
  const Json file = load_vectors();
  for (const Json& vector : file.at("vectors")) {
    const std::string hex = vector.at("unsigned").get<std::string>();
    const Json& fields = vector.at("fields");
    CAPTURE(vector.at("kind").get<std::string>());
    // marker 01, version 0200, kind; node at byte 4, author at 36, on_behalf at 68.
    CHECK(hex.substr(0, 6) == "010200");
    CHECK(hex.substr(8, 64) == fields.at("node").get<std::string>());
    CHECK(hex.substr(72, 64) == fields.at("author").get<std::string>());
    CHECK(hex.substr(136, 64) == fields.at("on_behalf").get<std::string>());
  }
}
