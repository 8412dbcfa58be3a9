// Writes schemas/entry-vectors.json: one signed entry of every kind, with
// its fields, the signer's seed, the unsigned bytes, the signature, the
// signed bytes and the id. Run once per entry format version; after that the
// file is pinned: entry_vectors_test.cpp checks the engine against it and the
// phone web app checks its JavaScript encoder against it. So this refuses to
// overwrite an existing file unless given --overwrite (which is a change of
// the signed format, docs/data-format.md "Test vectors").
//
// A new kind of the same format version is added with --append: the file's
// vectors must be exactly the ones this tool makes for their kinds (else it
// refuses and writes nothing: their bytes are pinned), and the vectors of
// the kinds after them are added at the end.
//
//   cmake --build build --target make_entry_vectors
//   build/tests/make_entry_vectors schemas/entry-vectors.json [--append]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "entry_json.h"
#include "entry_vectors.h"

using namespace cohours;
using cohours::test::Json;

namespace {

const char* const kComment[] = {
    "Test vectors for cohours entries, format version 2 (docs/data-format.md, 'Entry' and 'Test vectors').",
    "Written once by tests/engine/make_entry_vectors.cpp and pinned: tests/engine/entry_vectors_test.cpp and "
    "the "
    "phone web app check their encoders against it. Never edit it by hand.",
    "vectors: one entry of every kind, in kind order (1 member.join .. 24 balance.open); kinds after the "
    "first "
    "18 were appended later without changing the vectors before them.",
    "seed: hex of the 32-byte ed25519 seed of the signer (libsodium crypto_sign_seed_keypair); ed25519 is "
    "deterministic, so signing 'unsigned' with it gives 'signature'.",
    "fields: what the signature covers, by the names of docs/data-format.md. version and kind (kind by name, "
    "e.g. 'hours.log'); node, author, on_behalf: 32-byte keys as 64 lower-case hex digits (on_behalf all "
    "zeros: "
    "none); created_ms: milliseconds since the Unix epoch, an integer; nonce: the u64 as a decimal string "
    "(it does "
    "not fit a JavaScript number); body: the kind's fields in wire order.",
    "body values: keys and hashes as 64 lower-case hex digits (all zeros: none); amounts (minutes, pence, "
    "miles, "
    "amount) and date_days as integers (encode i64 with BigInt); roles and subject as the u32 bit set or "
    "number; "
    "enums by name: payer 'recipient' (0) or 'pool' (1); expense category 'travel' (1), 'childcare' (2), "
    "'meals' (3), 'uniform' (4), 'other' (5); policy target 'role_floor' (1), 'pool_floor' (2), "
    "'max_entry_minutes' (3), 'categories' (4), 'pool_floor_none' (5), 'expense_claim_limit' (6), "
    "'expense_month_limit' (7), 'mileage_rate' (8), 'vetted_categories' (9); vetting kind 'dbs-basic' (1), "
    "'dbs-standard' (2), 'dbs-enhanced' (3), 'dbs-enhanced-barred' (4), 'pvg' (5), 'access-ni' (6), 'other' (7); "
    "currency as its three letters; categories as strings. "
    "hours.log.remote nests the hours.log body under 'hours'. hours.group lists 'providers' as objects "
    "{provider, minutes} and 'recipients' as keys, each list in wire order. member.rekey's new_key is the key from seed "
    "06.",
    "unsigned: hex of the canonical bytes the signature covers; signature: hex of the 64-byte ed25519 "
    "signature; "
    "signed: unsigned followed by signature, the bytes a client submits; id: hex of BLAKE2b-256 of signed.",
};

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[2] : "";
  if (argc < 2 || argc > 3 || (argc == 3 && mode != "--overwrite" && mode != "--append")) {
    std::fprintf(stderr, "usage: make_entry_vectors FILE [--overwrite | --append]\n");
    return 2;
  }
  const std::filesystem::path path = argv[1];
  if (std::filesystem::exists(path) && mode.empty()) {
    std::fprintf(
        stderr,
        "%s exists and is pinned; rewriting it changes the signed format (pass --append to add the vectors "
        "of new kinds, --overwrite only with a new entry format version)\n",
        path.c_str());
    return 1;
  }
  if (!crypto_init()) return 1;
  Json pinned = Json::array();
  if (mode == "--append") {
    std::ifstream in(path);
    Json file = in.is_open() ? Json::parse(in, nullptr, false) : Json(Json::value_t::discarded);
    if (file.is_discarded() || !file.contains("vectors") ||
        file.value("entry_format_version", 0) != kEntryFormatVersion) {
      std::fprintf(stderr, "%s is not an entry vectors file of format version %d\n", path.c_str(),
                   kEntryFormatVersion);
      return 1;
    }
    pinned = file.at("vectors");
  }
  Json vectors = Json::array();
  for (const auto& input : test::vector_inputs()) {
    const KeyPair signer = keypair_from_seed(test::vector_seed(input.signer_seed));
    if (signer.public_key != input.entry.author) {
      std::fprintf(stderr, "the signer's seed does not make the author key\n");
      return 1;
    }
    const SignedEntry signed_entry = sign_entry(input.entry, signer.secret_key);
    const Bytes unsigned_bytes = encode_unsigned(input.entry);
    vectors.push_back({{"kind", kind_name(input.entry.kind())},
                       {"seed", to_hex(test::vector_seed(input.signer_seed))},
                       {"fields", test::entry_to_json(input.entry)},
                       {"unsigned", to_hex(unsigned_bytes)},
                       {"signature", to_hex(signed_entry.signature)},
                       {"signed", to_hex(signed_entry.bytes)},
                       {"id", to_hex(signed_entry.id)}});
  }
  // Appending: what is pinned must be what this tool makes, byte for byte.
  if (pinned.size() > vectors.size()) {
    std::fprintf(stderr, "%s holds more vectors than there are kinds\n", path.c_str());
    return 1;
  }
  for (std::size_t i = 0; i < pinned.size(); ++i)
    if (pinned[i] != vectors[i]) {
      std::fprintf(stderr,
                   "vector %zu (%s) differs from the pinned one: the encoding of a pinned kind changed; "
                   "nothing written\n",
                   i + 1, vectors[i].at("kind").get<std::string>().c_str());
      return 1;
    }
  if (mode == "--append" && pinned.size() == vectors.size()) {
    std::printf("%s already holds every kind; nothing to append\n", path.c_str());
    return 0;
  }
  Json file = {{"$comment", kComment},
               {"format", "cohours-entry-vectors"},
               {"entry_format_version", kEntryFormatVersion},
               {"vectors", vectors}};
  std::ofstream out(path, std::ios::trunc);
  out << file.dump(2) << "\n";
  out.flush();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("wrote %zu vectors to %s (%zu kept as pinned)\n", vectors.size(), path.c_str(), pinned.size());
  return 0;
}
