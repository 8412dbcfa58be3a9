#include "cohours/app/consortium.h"

#include "cohours/net/consortium.h"
#include "try.h"

namespace cohours::app {

Result<NodeInfo> describe_node(Node& node, const DescribeNode&) {
  return NodeInfo{node.ledger().node_key(), node.ledger().node_name(), node.ledger().currency().str()};
}

Result<ConsortiumSigned> sign_consortium(Node& node, const SignConsortium& r) {
  TRY_ASSIGN(net::Consortium consortium, net::parse_consortium(r.file_text));
  const PublicKey self = node.ledger().node_key();
  const net::ConsortiumNode* listed = consortium.find(self);
  if (!listed) return Result<ConsortiumSigned>(Code::not_permitted, "this node is not listed in " + r.file);
  const std::string name = listed->name;
  // Signed by the key that signs for the node now, with the rotations that
  // lead to it when it is not the node's first key.
  TRY_ASSIGN(std::vector<Bytes> rotations, node.replicas().rotation_entries(self));
  net::sign_consortium(consortium, self, node.identity().secret_key, node.identity().public_key,
                       std::move(rotations));
  std::uint64_t missing = 0;
  for (const auto& listed_node : consortium.nodes) {
    bool signed_by = false;
    for (const auto& s : consortium.signatures) signed_by = signed_by || s.node == listed_node.key;
    if (!signed_by) ++missing;
  }
  return ConsortiumSigned{net::consortium_json(consortium), name, missing};
}

Result<ConsortiumJoined> join_consortium(Node& node, const JoinConsortium& r) {
  TRY_ASSIGN(net::Consortium consortium, net::parse_consortium(r.file_text));
  TRY_STATUS(net::install_consortium(node.store(), consortium, node.ledger().node_key()));
  return ConsortiumJoined{consortium.name, consortium.version, net::consortium_id(consortium),
                          consortium.nodes.size(), node.hosted()};
}

Result<ConsortiumView> show_consortium(Node& node, const ShowConsortium&) {
  TRY_ASSIGN(net::Consortium consortium, net::installed_consortium(node.store()));
  ConsortiumView view{consortium.name,
                      consortium.version,
                      net::consortium_id(consortium),
                      {},
                      net::consortium_json(consortium)};
  for (const auto& listed : consortium.nodes)
    view.nodes.push_back({listed.name, listed.key, listed.address, listed.currency.str(),
                          listed.key == node.ledger().node_key()});
  return view;
}

}  // namespace cohours::app
