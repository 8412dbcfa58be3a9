#include "cohours/net/consortium.h"

#include <nlohmann/json.hpp>

#include "cohours/log_space.h"
#include "cohours/replicas.h"

#include <algorithm>
#include <set>

namespace cohours::net {

namespace {

constexpr std::string_view kFormat = "cohours-consortium-1";
constexpr std::string_view kDomain = "cohours-consortium-v1";

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

void put_u64(Bytes& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void put_string(Bytes& out, const std::string& text) {
  const auto size = static_cast<std::uint32_t>(text.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
}

template <typename T>
std::optional<T> key_from_hex(const std::string& text) {
  auto raw = from_hex(text);
  if (!raw || raw->size() != T::size()) return std::nullopt;
  T out;
  std::copy(raw->begin(), raw->end(), out.bytes.begin());
  return out;
}

}  // namespace

const ConsortiumNode* Consortium::find(const PublicKey& key) const {
  for (const auto& node : nodes)
    if (node.key == key) return &node;
  return nullptr;
}

const ConsortiumNode* Consortium::find_name(const std::string& wanted) const {
  for (const auto& node : nodes)
    if (node.name == wanted) return &node;
  return nullptr;
}

std::optional<std::pair<std::string, std::uint16_t>> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= address.size()) return std::nullopt;
  std::string port_text = address.substr(colon + 1);
  if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit))
    return std::nullopt;
  unsigned long port = std::stoul(port_text);
  if (port == 0 || port > 65535) return std::nullopt;
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

static Result<Consortium> parse_checked(const std::string& json_text);

Result<Consortium> parse_consortium(const std::string& json_text) {
  // A field of the wrong JSON type makes nlohmann throw: that is a
  // malformed file like any other.
  try {
    return parse_checked(json_text);
  } catch (const nlohmann::json::exception& e) {
    return Status(Code::malformed,
                  std::string("consortium file: a field has the wrong type (") + e.what() + ")");
  }
}

static Result<Consortium> parse_checked(const std::string& json_text) {
  auto bad = [](const std::string& why) { return Status(Code::malformed, "consortium file: " + why); };
  nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  if (doc.value("format", "") != kFormat) return bad("\"format\" must be \"" + std::string(kFormat) + "\"");
  Consortium out;
  if (!doc.contains("name") || !doc["name"].is_string() || !valid_name(doc["name"].get<std::string>()))
    return bad("\"name\" must be 1-32 of a-z, 0-9 and -");
  out.name = doc["name"].get<std::string>();
  if (!doc.contains("version") || !doc["version"].is_number_unsigned() ||
      doc["version"].get<std::uint64_t>() == 0)
    return bad("\"version\" must be a positive whole number");
  out.version = doc["version"].get<std::uint64_t>();
  if (!doc.contains("nodes") || !doc["nodes"].is_array() || doc["nodes"].empty())
    return bad("\"nodes\" must list at least one node");
  std::set<std::string> names;
  std::set<PublicKey> keys;
  for (const auto& item : doc["nodes"]) {
    if (!item.is_object()) return bad("each node is an object");
    ConsortiumNode node;
    node.name = item.value("name", "");
    if (!valid_name(node.name)) return bad("node name '" + node.name + "' must be 1-32 of a-z, 0-9 and -");
    auto key = key_from_hex<PublicKey>(item.value("key", ""));
    if (!key) return bad("node '" + node.name + "' has no valid \"key\" (64 hex digits)");
    node.key = *key;
    node.address = item.value("address", "");
    if (!split_address(node.address)) return bad("node '" + node.name + "' needs \"address\": \"host:port\"");
    auto currency = Currency::parse(item.value("currency", "GBP"));
    if (!currency) return bad("node '" + node.name + "' has an invalid currency");
    node.currency = *currency;
    if (!names.insert(node.name).second) return bad("node name '" + node.name + "' appears twice");
    if (!keys.insert(node.key).second) return bad("node key of '" + node.name + "' appears twice");
    out.nodes.push_back(std::move(node));
  }
  std::sort(out.nodes.begin(), out.nodes.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  if (doc.contains("signatures")) {
    if (!doc["signatures"].is_array()) return bad("\"signatures\" must be a list");
    for (const auto& item : doc["signatures"]) {
      if (!item.is_object()) return bad("each signature is an object");
      auto node = key_from_hex<PublicKey>(item.value("node", ""));
      auto signature = key_from_hex<Signature>(item.value("signature", ""));
      if (!node || !signature) return bad("a signature needs \"node\" (64 hex) and \"signature\" (128 hex)");
      ConsortiumSignature s{*node, *signature, {}, {}};
      if (item.contains("key")) {
        auto key = item["key"].is_string() ? key_from_hex<PublicKey>(item["key"].get<std::string>()) : std::nullopt;
        if (!key) return bad("a signature's \"key\" is 64 hex digits");
        s.key = *key;
        if (!item.contains("rotations") || !item["rotations"].is_array() ||
            item["rotations"].size() > kMaxNodeRotations)
          return bad("a signature by a rotated key lists its \"rotations\" (at most " +
                     std::to_string(kMaxNodeRotations) + ")");
        for (const auto& hex : item["rotations"]) {
          auto bytes = hex.is_string() && hex.get<std::string>().size() <= 2 * kMaxEntryBytes
                           ? from_hex(hex.get<std::string>())
                           : std::nullopt;
          if (!bytes) return bad("a signature's rotations are entries in hex");
          s.rotations.push_back(std::move(*bytes));
        }
      }
      out.signatures.push_back(std::move(s));
    }
  }
  return out;
}

std::string consortium_json(const Consortium& consortium) {
  nlohmann::ordered_json doc;
  doc["format"] = kFormat;
  doc["name"] = consortium.name;
  doc["version"] = consortium.version;
  doc["nodes"] = nlohmann::ordered_json::array();
  for (const auto& node : consortium.nodes)
    doc["nodes"].push_back({{"name", node.name},
                            {"key", to_hex(node.key)},
                            {"address", node.address},
                            {"currency", node.currency.str()}});
  doc["signatures"] = nlohmann::ordered_json::array();
  for (const auto& s : consortium.signatures) {
    nlohmann::ordered_json item = {{"node", to_hex(s.node)}, {"signature", to_hex(s.signature)}};
    if (!s.key.is_zero()) {
      item["key"] = to_hex(s.key);
      item["rotations"] = nlohmann::ordered_json::array();
      for (const auto& rotation : s.rotations) item["rotations"].push_back(to_hex(rotation));
    }
    doc["signatures"].push_back(std::move(item));
  }
  return doc.dump(2) + "\n";
}

Bytes consortium_signed_bytes(const Consortium& consortium) {
  Bytes out(kDomain.begin(), kDomain.end());
  put_string(out, consortium.name);
  put_u64(out, consortium.version);
  std::vector<const ConsortiumNode*> sorted;
  for (const auto& node : consortium.nodes) sorted.push_back(&node);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->key < b->key; });
  put_u64(out, sorted.size());
  for (const auto* node : sorted) {
    out.insert(out.end(), node->key.bytes.begin(), node->key.bytes.end());
    put_string(out, node->name);
    put_string(out, node->address);
    put_string(out, node->currency.str());
  }
  return out;
}

Hash32 consortium_id(const Consortium& consortium) {
  return blake2b_256(consortium_signed_bytes(consortium));
}

void sign_consortium(Consortium& consortium, const PublicKey& node, const SecretKey& secret, const PublicKey& key,
                     std::vector<Bytes> rotations) {
  ConsortiumSignature mine{node, sign(consortium_signed_bytes(consortium), secret),
                           key == node ? PublicKey{} : key, key == node ? std::vector<Bytes>{} : std::move(rotations)};
  for (auto& s : consortium.signatures)
    if (s.node == node) {
      s = std::move(mine);
      return;
    }
  consortium.signatures.push_back(std::move(mine));
}

namespace {

// The key a signature is by, if its rotations lead to it from the node and
// include every rotation `held` knows of; else why not.
Result<PublicKey> signing_key(const ConsortiumSignature& s, const std::string& name, const HeldSigners& held) {
  auto followed = follow_rotations(s.node, s.rotations);
  if (!followed.ok())
    return Status(Code::bad_signature, "the signature of node '" + name + "': " + followed.status().message());
  const std::vector<PublicKey>& chain = followed.value();
  const PublicKey key = s.key.is_zero() ? s.node : s.key;
  if (chain.back() != key)
    return Status(Code::bad_signature, "the signature of node '" + name + "' is by a key its rotations do not lead to");
  if (held && chain_fit(held(s.node), chain) != ChainFit::extends)
    return Status(Code::not_permitted, "node '" + name +
                                           "' signed with a key that a key rotation this node holds retired: it "
                                           "signs again with its current key (`cohours consortium sign`)");
  return key;
}

}  // namespace

Status check_consortium(const Consortium& consortium, const PublicKey& self, std::uint64_t installed_version,
                        const HeldSigners& held) {
  if (!consortium.find(self))
    return Status(Code::not_permitted,
                  "this node (" + to_hex(self).substr(0, 12) + ") is not listed in the file");
  if (consortium.version < installed_version)
    return Status(Code::wrong_state, "the file is version " + std::to_string(consortium.version) +
                                         " but version " + std::to_string(installed_version) +
                                         " is installed; an older file cannot replace a newer one");
  const Bytes message = consortium_signed_bytes(consortium);
  for (const auto& s : consortium.signatures) {
    const ConsortiumNode* signer = consortium.find(s.node);
    if (!signer) return Status(Code::not_permitted, "a signature is by a node that is not listed");
    auto key = signing_key(s, signer->name, held);
    if (!key.ok()) return key.status();
    if (!verify(s.signature, message, key.value()))
      return Status(Code::bad_signature, "the signature of node '" + signer->name +
                                             "' does not match the file (was it changed after signing?)");
  }
  for (const auto& node : consortium.nodes) {
    bool signed_by = std::any_of(consortium.signatures.begin(), consortium.signatures.end(),
                                 [&](const auto& s) { return s.node == node.key; });
    if (!signed_by)
      return Status(Code::not_permitted, "node '" + node.name +
                                             "' has not signed the file: every listed node signs it "
                                             "(`cohours consortium sign FILE` on that node)");
  }
  return Status();
}

Result<Consortium> installed_consortium(const Store& store) {
  std::string raw;
  Status status = store.get(Column::peers, "consortium", &raw);
  if (status.code() == Code::not_found) return Status(Code::not_found, "this node has joined no consortium");
  if (!status.ok()) return status;
  return parse_consortium(raw);
}

Status install_consortium(Store& store, const Consortium& consortium, const PublicKey& self) {
  std::uint64_t installed_version = 0;
  auto installed = installed_consortium(store);
  if (installed.ok()) {
    if (installed->name != consortium.name)
      return Status(Code::wrong_state, "this node is in consortium '" + installed->name + "', not '" +
                                           consortium.name + "'; a node belongs to one consortium");
    installed_version = installed->version;
  } else if (installed.code() != Code::not_found) {
    return installed.status();
  }
  const HeldSigners held_here = [&store](const PublicKey& log) { return held_signer_keys(store, log); };
  if (Status s = check_consortium(consortium, self, installed_version, held_here); !s.ok()) return s;
  // The file must give this node's own currency: peers replay its expense
  // claims with the currency listed here.
  std::string own_currency;
  if (log_space(static_cast<const Store&>(store), self)->get(Column::meta, "currency", &own_currency).ok() &&
      own_currency != consortium.find(self)->currency.str())
    return Status(Code::malformed, "the file lists this node's currency as " +
                                       consortium.find(self)->currency.str() + " but it keeps its cash in " +
                                       own_currency + " (fix the file: `consortium add --currency`)");
  WriteBatch batch;
  batch.put(Column::peers, "consortium", consortium_json(consortium));
  return store.write(batch, Durability::synced);
}

}  // namespace cohours::net
