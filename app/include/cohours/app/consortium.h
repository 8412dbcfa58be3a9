// The parts of the consortium file that need the node: its key and name to
// list it, its key to sign, its store to install (net/consortium.h has the
// file itself). The file is the user's: whoever runs the front end reads
// and writes it and passes its text in; these use cases never touch a path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohours/app/node.h"

namespace cohours::app {

// consortium key: what another node needs to list this one.
struct DescribeNode {};
struct NodeInfo {
  PublicKey node_key;
  std::string name;      // the co-op's name, given at init
  std::string currency;  // of its cash, given at init
};
Result<NodeInfo> describe_node(Node& node, const DescribeNode& request);

// consortium sign: adds (or replaces) this node's signature to the file.
// malformed if the text is not a consortium file; not_permitted if this
// node is not listed in it.
struct SignConsortium {
  std::string file_text;  // the consortium file as read
  std::string file;       // its name as the person gave it, for messages
};
struct ConsortiumSigned {
  std::string file_text;            // the signed file, to write back
  std::string node_name;            // this node's name in it
  std::uint64_t still_to_sign = 0;  // listed nodes whose signature is missing
};
Result<ConsortiumSigned> sign_consortium(Node& node, const SignConsortium& request);

// consortium join: installs the file in this node (net::install_consortium
// says what is refused). A running daemon goes on with the file it started
// with until it is restarted.
struct JoinConsortium {
  std::string file_text;
};
struct ConsortiumJoined {
  std::string name;
  std::uint64_t version = 0;
  Hash32 id;  // net::consortium_id
  std::uint64_t nodes = 0;
  bool daemon_running = false;  // the node is held by a daemon (restart it to use the file)
};
Result<ConsortiumJoined> join_consortium(Node& node, const JoinConsortium& request);

// consortium show: the installed file. not_found if this node joined none.
struct ShowConsortium {};
struct ConsortiumNodeView {
  std::string name;
  PublicKey key;
  std::string address;
  std::string currency;
  bool this_node = false;
};
struct ConsortiumView {
  std::string name;
  std::uint64_t version = 0;
  Hash32 id;
  std::vector<ConsortiumNodeView> nodes;  // in key order
  std::string file_text;                  // the installed file itself
};
Result<ConsortiumView> show_consortium(Node& node, const ShowConsortium& request);

}  // namespace cohours::app
