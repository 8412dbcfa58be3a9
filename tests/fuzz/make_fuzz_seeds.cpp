// Writes the seed corpus of every fuzz target (tests/fuzz/corpus/<target>/)
// from real objects: the pinned entry vectors and request vectors, and
// records, heads, messages, handshakes, control calls, API requests,
// consortium files and CSV made with the project's own encoders.
// Usage: make_fuzz_seeds ENTRY_VECTORS REQUEST_VECTORS OUT_DIR
// (scripts/fuzz.sh --seeds; the output is checked in).
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cohours/app/export.h"
#include "cohours/control/calls.h"
#include "cohours/control/client.h"
#include "cohours/entry.h"
#include "cohours/net/consortium.h"
#include "cohours/net/frame.h"
#include "cohours/net/handshake.h"
#include "cohours/net/messages.h"
#include "cohours/record.h"
#include "cohours/app/csv.h"
#include "proof_tree.h"

using namespace cohours;
using namespace cohours::net;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path out_dir;

void write(const std::string& target, const std::string& name, const Bytes& bytes) {
  fs::create_directories(out_dir / target);
  std::ofstream(out_dir / target / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}
void write(const std::string& target, const std::string& name, const std::string& text) {
  write(target, name, Bytes(text.begin(), text.end()));
}
Bytes prefixed(std::uint8_t first, const Bytes& rest) {
  Bytes out{first};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}
json read_json(const char* path) {
  std::ifstream in(path);
  return json::parse(in);
}

const KeyPair node_a = keypair_from_seed(FixedBytes<32>{{1}});
const KeyPair node_b = keypair_from_seed(FixedBytes<32>{{2}});

SignedTreeHead head_of(const KeyPair& node, std::uint64_t size, std::uint8_t root_byte) {
  return sign_tree_head({node.public_key, size, Hash32{{root_byte}}, 1'795'000'000'000}, node.secret_key);
}

// The control call seeds: every call's empty request and empty reply.
template <typename Request>
void control_seed() {
  using Reply = typename control::Call<Request>::ReplyType;
  json message = {{"version", control::kProtocolVersion},
                  {"call", control::Call<Request>::name},
                  {"request", Request{}},
                  {"ok", true},
                  {"reply", Reply{}}};
  write("control", control::Call<Request>::name, message.dump());
}
template <typename... Requests>
void control_seeds(control::CallList<Requests...>) {
  (control_seed<Requests>(), ...);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: make_fuzz_seeds ENTRY_VECTORS REQUEST_VECTORS OUT_DIR\n";
    return 2;
  }
  out_dir = argv[3];
  const json entry_vectors = read_json(argv[1]), request_vectors = read_json(argv[2]);

  // Entries and records: every pinned entry vector.
  std::vector<Bytes> records;
  Hash32 prev;
  for (const auto& vector : entry_vectors["vectors"]) {
    const Bytes entry = *from_hex(vector["signed"].get<std::string>());
    const std::string kind = vector["kind"].get<std::string>();
    write("entries", kind, entry);
    const Bytes record = encode_record({records.size() + 1, prev, 1'795'000'000'000, entry});
    prev = record_hash(record);
    records.push_back(record);
    write("records", kind, record);
  }

  // Heads and cosignatures.
  const SignedTreeHead head1 = head_of(node_a, 1, 9), head2 = head_of(node_a, 2, 10);
  write("tree_heads", "size1", encode_signed_tree_head(head1));
  write("tree_heads", "size0", encode_signed_tree_head(head_of(node_b, 0, 0)));
  write("cosignatures", "b_on_a",
        encode_cosignature(cosign_tree_head(head2.head, node_b.public_key, node_b.secret_key)));

  // Proofs: sizes a, b and the real proofs of fuzz_proofs' tree.
  for (std::uint64_t a : {0, 6, 31}) {
    for (std::uint64_t b : {0, 3}) {
      const std::uint64_t leaves = a % 64 + 1;
      const fuzz::ProofTree tree(leaves, static_cast<std::uint8_t>(b));
      for (bool inclusion : {true, false}) {
        auto proof = inclusion ? merkle::inclusion_proof(merkle::blake2b_hasher(), tree.reader(), b % leaves, leaves)
                               : merkle::consistency_proof(merkle::blake2b_hasher(), tree.reader(), b % leaves + 1,
                                                           leaves);
        Bytes seed(16);
        std::memcpy(seed.data(), &a, 8);
        std::memcpy(seed.data() + 8, &b, 8);
        for (const auto& hash : proof.value()) seed.insert(seed.end(), hash.bytes.begin(), hash.bytes.end());
        write("proofs", (inclusion ? "inclusion_" : "consistency_") + std::to_string(a) + "_" + std::to_string(b),
              seed);
      }
    }
  }

  // Peer messages, one of each type (first byte: 3 nodes in the consortium).
  const std::vector<std::pair<std::string, Message>> messages = {
      {"heads", Heads{{head2, head_of(node_b, 1, 3)}}},
      {"get_records", GetRecords{node_a.public_key, 1, head1, 100}},
      {"get_records_from_0", GetRecords{node_a.public_key, 0, std::nullopt, 100}},
      {"records", Records{node_a.public_key, 1, head2, {Hash32{{5}}}, {records[1]}}},
      {"evidence", net::Evidence{head2, head_of(node_a, 2, 11)}},
      {"cosignatures",
       Cosignatures{{cosign_tree_head(head2.head, node_b.public_key, node_b.secret_key)}}},
      {"goodbye", Goodbye{GoodbyeReason::banned, "forged records"}},
      {"alias_query", AliasQuery{7, "alice"}},
      {"alias_answer", AliasAnswer{7, true, node_b.public_key}},
      {"get_head", GetHead{node_a.public_key, 2}},
      {"member_alias_query", MemberAliasQuery{8, node_b.public_key}},
      {"member_alias_answer", MemberAliasAnswer{8, true, "alice"}},
  };
  for (const auto& [name, message] : messages) {
    write("peer_messages", name, prefixed(2, encode_message(message)));
    // Frames: the same messages as payloads, fed 5 bytes at a time.
    Bytes frames = prefixed(4, encode_frame(encode_message(message)));
    const Bytes second = encode_frame(Bytes{1, 2, 3});
    frames.insert(frames.end(), second.begin(), second.end());
    write("frames", name, frames);
  }

  // Handshakes: a real msg1 for the responder, a real msg2 for the initiator
  // (the target's node is seed 1, its expected responder seed 2, consortium {7}).
  HandshakeConfig config_a{Hash32{{7}}, std::make_shared<const KeyPair>(node_a.copy()), [](const PublicKey&) { return true; }};
  HandshakeConfig config_b{Hash32{{7}}, std::make_shared<const KeyPair>(node_b.copy()), [](const PublicKey&) { return true; }};
  InitiatorHandshake initiator(config_b, node_a.public_key);
  Bytes msg1 = initiator.start();
  write("handshake", "msg1", prefixed(0, msg1));
  ResponderHandshake responder(config_b);
  InitiatorHandshake dialler(config_a, node_b.public_key);
  auto msg2 = responder.on_msg1(dialler.start());
  write("handshake", "msg2", prefixed(1, msg2.value()));
  auto msg3 = dialler.on_msg2(msg2.value());
  Bytes whole = prefixed(2, msg1);
  whole.insert(whole.end(), msg3.value().begin(), msg3.value().end());
  write("handshake", "msg1_msg3", whole);
  // A node that rotated its key: its hello carries the rotation.
  const KeyPair rotated = keypair_from_seed(FixedBytes<32>{{9}});
  Entry rotation{kEntryFormatVersion, node_b.public_key, node_b.public_key, {}, 1'795'000'000'000, 1,
                 NodeRotate{rotated.public_key, sign(rotation_proof_message(node_b.public_key, node_b.public_key,
                                                                            rotated.public_key),
                                                     rotated.secret_key)}};
  const Bytes rotation_bytes = sign_entry(rotation, node_b.secret_key).bytes;
  HandshakeConfig config_rotated{Hash32{{7}}, std::make_shared<const KeyPair>(rotated.copy()),
                                 [](const PublicKey&) { return true; }, node_b.public_key, {rotation_bytes}, {}};
  write("handshake", "msg1_rotated", prefixed(0, InitiatorHandshake(config_rotated, node_a.public_key).start()));

  // The control protocol: every call.
  control_seeds(control::AllCalls{});

  // The API: bodies and paths (signed by the target), headers as sent.
  write("api_bodies", "health", "GET\n/v1/health\n");
  write("api_bodies", "me", "GET\n/v1/me\n");
  write("api_bodies", "statement", "GET\n/v1/me/statement?from=2026-11-01&to=2026-11-30&nonce=1\n");
  write("api_bodies", "member_statement", "GET\n/v1/members/dave/statement\n");
  write("api_bodies", "coop", "GET\n/v1/coop/balances\n");
  write("api_bodies", "enrol",
        "POST\n/v1/enrol\n" + json{{"code", "ABCD-EFGH-JKMN"}, {"public_key", to_hex(node_b.public_key)}}.dump());
  for (const auto& vector : entry_vectors["vectors"]) {
    json body = {{"entries", {vector["signed"]}},
                 {"notes", {{{"salt", to_hex(Hash32{{4}})}, {"text", "met at the library"}}}}};
    write("api_bodies", "entries_" + vector["kind"].get<std::string>(), "POST\n/v1/entries\n" + body.dump());
  }
  for (const auto& vector : request_vectors["vectors"]) {
    const std::string key = request_vectors["public_key"].get<std::string>();
    const Bytes body = *from_hex(vector["body_hex"].get<std::string>());
    write("api_headers", vector["method"].get<std::string>() + "_" + std::to_string(vector["time"].get<std::int64_t>()),
          vector["method"].get<std::string>() + "\n" + vector["path"].get<std::string>() + "\n" + key + "\n" +
              std::to_string(vector["time"].get<std::int64_t>()) + "\n" + vector["signature"].get<std::string>() +
              "\n" + std::string(body.begin(), body.end()));
  }
  write("api_headers", "health", "GET\n/v1/health\n\n\n\n");
  write("api_headers", "schema", "GET\n/v1/schema/entries-request\n\n\n\n");

  // A consortium file of two nodes, both signatures.
  Consortium consortium;
  consortium.name = "county";
  consortium.version = 3;
  consortium.nodes = {{"hilltop", node_a.public_key, "127.0.0.1:7001", *Currency::parse("GBP")},
                      {"riverside", node_b.public_key, "[::1]:7002", *Currency::parse("EUR")}};
  std::sort(consortium.nodes.begin(), consortium.nodes.end(),
            [](const auto& x, const auto& y) { return x.key < y.key; });
  sign_consortium(consortium, node_a.public_key, node_a.secret_key);
  sign_consortium(consortium, node_b.public_key, node_b.secret_key);
  write("consortium", "two_nodes", consortium_json(consortium));
  // The same, node b's signature by its rotated key with the rotation.
  sign_consortium(consortium, node_b.public_key, rotated.secret_key, rotated.public_key, {rotation_bytes});
  write("consortium", "rotated_signer", consortium_json(consortium));

  // Export CSV: each table's header and a row with every kind of field.
  for (const app::ExportTable* table : app::export_tables()) {
    std::string text;
    for (std::size_t i = 0; i < table->columns.size(); ++i) text += (i ? "," : "") + app::csv_field(table->columns[i].name);
    text += "\r\n";
    for (std::size_t i = 0; i < table->columns.size(); ++i)
      text += (i ? "," : "") + app::csv_field(i % 3 == 0 ? "12" : i % 3 == 1 ? "a, \"quoted\"\nline" : "");
    text += "\n";
    write("export_csv", table->name, text);
  }
  return 0;
}
