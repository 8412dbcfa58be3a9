// The consortium and sync commands (docs/cli.md "Consortium and sync"):
// consortium new|add|remove|sign|join|show|key, sync status|wait,
// clearing, audit heads, audit equivocations. The consortium file is the
// user's: it is read and written here, in the cohours process; what needs
// the node (its key, its store, the daemon's peers) is a use case
// (app/consortium.h, app/sync.h).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client.h"
#include "cohours/app/sync.h"
#include "cohours/crypto.h"
#include "cohours/net/consortium.h"
#include "commands.h"
#include "output.h"
#include "output_paths.h"

namespace cohours::cli {

namespace {

using net::Consortium;
using net::ConsortiumNode;

// The consortium file as the user named it (relative to where they ran
// `cohours`: the file is read by this process, never by the daemon).
std::string read_file_text(const std::string& path_text) {
  auto path = std::filesystem::path(path_text);
  std::ifstream in(path);
  if (!in) fail(Code::not_found, "cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file_text(const std::string& path_text, const std::string& text) {
  auto path = std::filesystem::path(path_text);
  std::ofstream out_file(path, std::ios::trunc);
  out_file << text;
  if (!out_file) fail(Code::io_error, "cannot write " + path.string());
}

Consortium read_consortium_file(const std::string& path_text) {
  return check(net::parse_consortium(read_file_text(path_text)));
}

void write_consortium_file(const std::string& path_text, const Consortium& consortium) {
  write_file_text(path_text, net::consortium_json(consortium));
}

PublicKey parse_key(const std::string& hex, const char* what) {
  auto raw = from_hex(hex);
  if (!raw || raw->size() != PublicKey::size())
    fail(Code::malformed, std::string(what) + " must be 64 hex digits, got '" + hex + "'");
  PublicKey key;
  std::copy(raw->begin(), raw->end(), key.bytes.begin());
  return key;
}

ConsortiumNode make_node(const std::string& name, const PublicKey& key, const std::string& address,
                         const std::string& currency_code) {
  ConsortiumNode node{name, key, address, {}};
  auto currency = Currency::parse(currency_code);
  if (!currency) fail(Code::malformed, "--currency takes a three-letter code such as GBP");
  node.currency = *currency;
  if (!net::split_address(address)) fail(Code::malformed, "--address takes host:port, got '" + address + "'");
  return node;
}

// The file changes: the old signatures no longer cover it, and a signed
// file's successor gets the next version.
void changed(Consortium& consortium) {
  if (!consortium.signatures.empty()) ++consortium.version;
  consortium.signatures.clear();
  // Round-trip through the parser: the same checks as when it is read.
  consortium = check(net::parse_consortium(net::consortium_json(consortium)));
}

std::string when(std::int64_t ms) {
  if (ms <= 0) return "never";
  std::int64_t seconds = ms / 1000;
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &utc);
  return text;
}

void run_consortium_new(const GlobalOptions& options, const std::string& file, const std::string& name,
                        const std::string& node_name, const std::string& address) {
  refuse_inside_data_dir(options, file);
  Client client(options);
  app::NodeInfo self = client.call(app::DescribeNode{});
  Consortium consortium;
  consortium.name = name;
  consortium.nodes.push_back(make_node(node_name, self.node_key, address, self.currency));
  changed(consortium);
  write_consortium_file(file, consortium);
  out() << "Wrote " << file << ": consortium '" << name << "' with this node as '" << node_name << "' at "
        << address << ".\nAdd the other nodes with `cohours consortium add`, then each node signs it.\n";
}

void run_consortium_add(const std::string& file, const std::string& node_name, const std::string& key_hex,
                        const std::string& address, const std::string& currency) {
  Consortium consortium = read_consortium_file(file);
  PublicKey key = parse_key(key_hex, "--key");
  if (consortium.find(key)) fail(Code::already_exists, "that node key is already in the file");
  if (consortium.find_name(node_name))
    fail(Code::already_exists, "a node named '" + node_name + "' is already in the file");
  consortium.nodes.push_back(make_node(node_name, key, address, currency));
  changed(consortium);
  write_consortium_file(file, consortium);
  out() << "Added '" << node_name << "'; the file is now version " << consortium.version << " with "
        << consortium.nodes.size() << " nodes and no signatures.\n";
}

void run_consortium_remove(const std::string& file, const std::string& node_name) {
  Consortium consortium = read_consortium_file(file);
  const ConsortiumNode* node = consortium.find_name(node_name);
  if (!node) fail(Code::unknown_member, "no node named '" + node_name + "' in the file");
  consortium.nodes.erase(consortium.nodes.begin() + (node - consortium.nodes.data()));
  if (consortium.nodes.empty()) fail(Code::malformed, "a consortium needs at least one node");
  changed(consortium);
  write_consortium_file(file, consortium);
  out() << "Removed '" << node_name << "'; the file is now version " << consortium.version
        << " and needs every node's signature again.\n";
}

void run_consortium_sign(const GlobalOptions& options, const std::string& file) {
  Client client(options);
  app::ConsortiumSigned done = client.call(app::SignConsortium{read_file_text(file), file});
  write_file_text(file, done.file_text);
  out() << "Signed " << file << " as '" << done.node_name << "'; "
        << (done.still_to_sign ? std::to_string(done.still_to_sign) + " node(s) still to sign.\n"
                               : "every node has signed: each can now `cohours consortium join` it.\n");
}

void run_consortium_join(const GlobalOptions& options, const std::string& file) {
  Client client(options);
  app::ConsortiumJoined joined = client.call(app::JoinConsortium{read_file_text(file)});
  if (options.json) {
    print_json({{"consortium", joined.name}, {"version", joined.version}, {"id", to_hex(joined.id)}});
    return;
  }
  out() << "Joined consortium '" << joined.name << "' (version " << joined.version << ", id "
        << to_hex(joined.id).substr(0, 16) << ") with " << joined.nodes << " nodes.\n"
        << (joined.daemon_running ? "Restart the daemon (cohoursd) to connect to the peers in this file.\n"
                                  : "Start the daemon: cohoursd --data " + options.data_dir + "\n");
}

void run_consortium_show(const GlobalOptions& options) {
  Client client(options);
  app::ConsortiumView consortium = client.call(app::ShowConsortium{});
  if (options.json) {
    print_json(nlohmann::json::parse(consortium.file_text));
    return;
  }
  out() << "consortium " << consortium.name << ", version " << consortium.version << ", id "
        << to_hex(consortium.id) << "\n";
  Table table({"NODE", "KEY", "ADDRESS", "CURRENCY", "THIS"});
  for (const auto& node : consortium.nodes)
    table.add({node.name, to_hex(node.key).substr(0, 16), node.address, node.currency,
               node.this_node ? "yes" : ""});
  out() << table.render();
}

void run_consortium_forget_names(const GlobalOptions& options, const std::string& node_name) {
  Client client(options);
  app::RemoteNamesForgotten done = client.call(app::ForgetRemoteNames{node_name});
  if (options.json) {
    nlohmann::json node = nullptr;
    if (!done.node_name.empty()) node = done.node_name;
    print_json({{"erased", done.erased}, {"node", node}});
    return;
  }
  const std::string names = done.erased == 1 ? "1 name" : std::to_string(done.erased) + " names";
  out() << "Forgot " << names << " learnt of "
        << (done.node_name.empty() ? "other nodes' members" : done.node_name + "'s members")
        << "; statements name them member-KEY@NODE until a transfer or a statement shown through the daemon "
           "learns them again.\n";
}

void run_consortium_key(const GlobalOptions& options) {
  Client client(options);
  app::NodeInfo self = client.call(app::DescribeNode{});
  if (options.json)
    print_json({{"node_key", to_hex(self.node_key)}, {"name", self.name}, {"currency", self.currency}});
  else
    out() << to_hex(self.node_key) << "\n";
}

nlohmann::json status_json(const app::SyncStatusView& status) {
  nlohmann::json json;
  json["running"] = status.running;
  if (status.running) {
    // Only a daemon knows these.
    json["consortium"] = status.consortium ? nlohmann::json(*status.consortium) : nlohmann::json();
    json["listen"] = status.listen;
  }
  // Never "in sync" for a node with no daemon, no consortium, a frozen log
  // or signing held: `why_not` says which.
  const std::string missing = app::unsynced(status);
  json["in_sync"] = missing.empty();
  if (!missing.empty()) json["why_not"] = missing;
  json["signing_held"] = status.own_log_unconfirmed ? nlohmann::json(*status.own_log_unconfirmed) : nlohmann::json();
  json["logs"] = nlohmann::json::array();
  for (const auto& log : status.logs) {
    nlohmann::json row{{"log", to_hex(log.log)},
                       {"name", log.name},
                       {"own", log.own},
                       {"size", log.size},
                       {"frozen", log.frozen}};
    if (log.broken) row["broken"] = *log.broken;
    json["logs"].push_back(row);
  }
  json["peers"] = nlohmann::json::array();
  for (const auto& peer : status.peers) {
    nlohmann::json sizes = nlohmann::json::object();
    for (const auto& announced : peer.sizes) sizes[to_hex(announced.log)] = announced.size;
    json["peers"].push_back({{"name", peer.name},
                             {"key", to_hex(peer.key)},
                             {"connected", peer.connected},
                             {"last_contact_ms", peer.last_contact_ms},
                             {"banned_until_ms", peer.banned_until_ms},
                             {"ban_reason", peer.ban_reason},
                             {"sizes", sizes}});
  }
  return json;
}

void run_sync_status(const GlobalOptions& options) {
  Client client(options);
  app::SyncStatusView status = client.call(app::ShowSyncStatus{});
  if (options.json) {
    print_json(status_json(status));
    return;
  }
  out() << "daemon: " << (status.running ? "running" : "not running (start cohoursd)");
  if (status.running && !status.listen.empty()) out() << ", listening on " << status.listen;
  out() << "\n";
  if (!status.consortium_joined) out() << "consortium: none joined (`cohours consortium join FILE`)\n";
  if (status.own_log_unconfirmed) out() << "signing: held: " << *status.own_log_unconfirmed << "\n";
  const std::string missing = app::unsynced(status);
  out() << "state: " << (missing.empty() ? std::string("in sync") : "not in sync: " + missing) << "\n";
  Table peers({"PEER", "CONNECTED", "LAST CONTACT (UTC)", "BANNED"});
  for (const auto& peer : status.peers)
    peers.add({peer.name, peer.connected ? "yes" : "no", when(peer.last_contact_ms),
               peer.banned_until_ms ? peer.ban_reason : ""});
  if (!status.peers.empty()) out() << peers.render() << "\n";
  std::vector<std::string> headers{"LOG", "HERE"};
  for (const auto& peer : status.peers) headers.push_back(peer.name);
  headers.push_back("LAG");
  Table logs(headers, std::vector<bool>(headers.size(), true));
  for (const auto& log : status.logs) {
    std::string name = log.node_name;
    if (log.own) name += " (this node)";
    if (log.frozen) name += " FROZEN";
    std::vector<std::string> row{name, std::to_string(log.size)};
    std::uint64_t furthest = log.size;
    for (const auto& peer : status.peers) {
      std::optional<std::uint64_t> there;
      for (const auto& announced : peer.sizes)
        if (announced.log == log.log) there = announced.size;
      if (there) furthest = std::max(furthest, *there);
      row.push_back(there ? std::to_string(*there) : "-");
    }
    row.push_back(std::to_string(furthest - log.size));
    logs.add(row);
  }
  out() << logs.render();
}

void run_sync_wait(const GlobalOptions& options, int timeout_seconds) {
  const std::filesystem::path dir = std::filesystem::path(options.data_dir);
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(timeout_seconds);
  std::string missing;
  for (;;) {
    // The daemon's own sync status, asked afresh each time: the condition
    // is the peers' state, which only the daemon knows.
    auto daemon = control::RemoteNode::connect(dir);
    const bool answered_connect = daemon.ok() && daemon.value().has_value();
    // A daemon started a moment ago may not listen yet: give it 10 s.
    if (daemon.ok() && !answered_connect &&
        std::chrono::steady_clock::now() - start > std::chrono::seconds(10))
      fail(Code::io_error, "no daemon is running for " + options.data_dir + " (start cohoursd --data " +
                               options.data_dir + ")");
    if (!daemon.ok()) {
      missing = daemon.status().message();
    } else if (!answered_connect) {
      missing = "waiting for the daemon to answer";
    } else {
      auto status = daemon.value()->call(app::ShowSyncStatus{});
      missing = status.ok() ? app::unsynced(status.value()) : status.status().message();
      if (status.ok() && app::never_syncs(status.value()))
        fail(Code::io_error, "not in sync, and waiting will not change it: " + missing);
    }
    if (missing.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline)
      fail(Code::io_error, "not synced after " + std::to_string(timeout_seconds) + " s: " + missing);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (options.json)
    print_json({{"synced", true}});
  else
    out() << "In sync: every peer is connected and holds every log at the size held here.\n";
}

void run_clearing(const GlobalOptions& options) {
  Client client(options);
  app::ClearingView clearing = client.call(app::ShowClearing{});
  nlohmann::json rows = nlohmann::json::array();
  Table table({"BETWEEN", "AND", "FIRST HOLDS", "SECOND HOLDS", "NET", "IN FLIGHT", "MINUTES IN FLIGHT"},
              {false, false, true, true, true, true, true});
  // Trade limits, one row per direction with a limit: who may owe whom how much.
  Table limits({"CO-OP", "MAY OWE", "AT MOST", "LEFT", "CHECKED BY IT"}, {false, false, true, true, false});
  auto add_limit = [&limits](const std::string& debtor, const std::string& creditor,
                             const std::optional<std::int64_t>& limit, const std::optional<std::int64_t>& left,
                             bool recorded) {
    if (!limit || !left) return;
    limits.add({debtor, creditor, format_minutes(-*limit), *left < 0 ? "over by " + format_minutes(-*left)
                                                                      : format_minutes(*left),
                recorded ? "yes" : "not yet"});
  };
  auto or_null = [](const std::optional<std::int64_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  for (const auto& pair : clearing.pairs) {
    rows.push_back({{"first", pair.first},
                    {"second", pair.second},
                    {"first_holds_minutes", pair.first_holds_minutes},
                    {"second_holds_minutes", pair.second_holds_minutes},
                    {"net_minutes", pair.net_minutes},
                    {"in_flight", pair.in_flight},
                    {"in_flight_minutes_first_to_second", pair.in_flight_minutes_first_to_second},
                    {"first_limit_minutes", or_null(pair.first_limit_minutes)},
                    {"second_may_send_minutes", or_null(pair.second_may_send_minutes)},
                    {"first_limit_recorded", pair.first_limit_recorded},
                    {"second_limit_minutes", or_null(pair.second_limit_minutes)},
                    {"first_may_send_minutes", or_null(pair.first_may_send_minutes)},
                    {"second_limit_recorded", pair.second_limit_recorded}});
    add_limit(pair.second, pair.first, pair.first_limit_minutes, pair.second_may_send_minutes,
              pair.first_limit_recorded);
    add_limit(pair.first, pair.second, pair.second_limit_minutes, pair.first_may_send_minutes,
              pair.second_limit_recorded);
    table.add({pair.first, pair.second, format_minutes(pair.first_holds_minutes),
               format_minutes(pair.second_holds_minutes), format_minutes(pair.net_minutes),
               std::to_string(pair.in_flight), format_minutes(pair.in_flight_minutes_first_to_second)});
  }
  if (options.json) {
    print_json({{"pairs", rows}});
    return;
  }
  if (rows.empty()) {
    out() << "No credits have moved between co-ops (as far as the logs held here show).\n";
    return;
  }
  out() << table.render()
        << "Each side's clearing account holds what it sent (+) or received (-); NET is 0 once every\n"
           "transfer has arrived. IN FLIGHT: sent, not yet recorded by the receiving node (as far as\n"
           "this node has seen).\n";
  if (limits.empty()) return;
  out() << "\nTrade limits (`cohours policy set --clearing-limit`):\n"
        << limits.render()
        << "AT MOST: set by the co-op owed. LEFT: what the co-op may still send under it, by its own log.\n"
           "CHECKED BY IT: its node has recorded the limit and refuses transfers past it.\n";
}

void run_audit_heads(const GlobalOptions& options) {
  Client client(options);
  app::HeadsView heads = client.call(app::ListHeads{});
  nlohmann::json rows = nlohmann::json::array();
  Table table({"LOG", "HELD", "ROOT", "WITNESSED AT", "BY"}, {false, true});
  for (const auto& log : heads.logs) {
    std::string name = log.name + (log.own ? " (this node)" : "") + (log.frozen ? " FROZEN" : "");
    std::string root = log.root ? to_hex(*log.root).substr(0, 16) : "-";
    nlohmann::json witnesses = nlohmann::json::array();
    if (log.witnessed.empty()) table.add({name, std::to_string(log.size), root, "-", "nobody yet"});
    bool first = true;
    for (const auto& head : log.witnessed) {
      std::string names;
      for (const auto& n : head.witnesses) names += (names.empty() ? "" : ", ") + n;
      const std::string head_root = to_hex(head.root);
      table.add({first ? name : "", first ? std::to_string(log.size) : "", first ? root : "",
                 std::to_string(head.size) + " " + head_root.substr(0, 16),
                 std::to_string(head.witnesses.size()) + ": " + names});
      witnesses.push_back({{"size", head.size}, {"root", head_root}, {"witnesses", head.witnesses}});
      first = false;
    }
    rows.push_back({{"log", to_hex(log.log)},
                    {"name", log.name},
                    {"size", log.size},
                    {"root", log.root ? to_hex(*log.root) : ""},
                    {"frozen", log.frozen},
                    {"witnessed", witnesses}});
  }
  if (options.json) {
    print_json({{"logs", rows}});
    return;
  }
  out()
      << table.render()
      << "A witness co-signed that it verified the log up to that head, consistent with all it saw before.\n";
}

void run_audit_equivocations(const GlobalOptions& options) {
  Client client(options);
  app::EquivocationList list = client.call(app::ListEquivocations{});
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : list.equivocations)
    rows.push_back({{"log", to_hex(e.log)},
                    {"name", e.name},
                    {"size", e.size},
                    {"first", e.first_head},
                    {"second", e.second_head}});
  if (options.json) {
    print_json({{"equivocations", rows}});
  } else if (list.equivocations.empty()) {
    out() << "No equivocation: no node was caught signing two different heads of its log.\n";
  } else {
    for (const auto& e : list.equivocations)
      out() << "EQUIVOCATION: node " << e.name << " signed two heads of size " << e.size
            << " with different roots (" << to_hex(e.first_root).substr(0, 16) << " and "
            << to_hex(e.second_root).substr(0, 16) << "). Its log is frozen on this node.\n";
  }
  if (!list.equivocations.empty())
    throw CliError{Code::corruption, "equivocation evidence is held", exit_audit_failed, true};
}

}  // namespace

void add_sync_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* consortium = add_command(app, "consortium", "Create, sign and join a consortium file");
  consortium->require_subcommand(1);

  // One set of option values per app: the daemon builds an app per command.
  struct Args {
    std::string file, name, node_name, address, key_hex, currency = "GBP";
  };
  auto a = std::make_shared<Args>();
  std::string& file = a->file;
  std::string& name = a->name;
  std::string& node_name = a->node_name;
  std::string& address = a->address;
  std::string& key_hex = a->key_hex;
  std::string& currency = a->currency;
  CLI::App* create = add_command(*consortium, "new", "Start a consortium file listing this node");
  create->add_option("FILE", file, "The file to write")->required();
  create->add_option("--name", name, "The consortium's short name (a-z, 0-9, -)")->required();
  create->add_option("--node-name", node_name, "This node's short name in it: members are alias@NAME")
      ->required();
  create->add_option("--address", address, "host:port where this node's daemon listens for peers")
      ->required();
  create->callback(
      [&options, a] { run_consortium_new(options, a->file, a->name, a->node_name, a->address); });

  CLI::App* add = add_command(*consortium, "add", "Add another node to a consortium file");
  add->add_option("FILE", file, "The consortium file")->required();
  add->add_option("--node-name", node_name, "The node's short name")->required();
  add->add_option("--key", key_hex, "The node's key (`cohours consortium key` on that node)")->required();
  add->add_option("--address", address, "host:port where its daemon listens")->required();
  add->add_option("--currency", currency, "Its cash currency")->capture_default_str();
  add->callback([a] { run_consortium_add(a->file, a->node_name, a->key_hex, a->address, a->currency); });

  CLI::App* remove = add_command(*consortium, "remove", "Take a node out of a consortium file");
  remove->add_option("FILE", file, "The consortium file")->required();
  remove->add_option("--node-name", node_name, "The node's short name")->required();
  remove->callback([a] { run_consortium_remove(a->file, a->node_name); });

  CLI::App* sign_cmd = add_command(*consortium, "sign", "Sign a consortium file with this node's key");
  sign_cmd->add_option("FILE", file, "The consortium file")->required();
  sign_cmd->callback([&options, a] { run_consortium_sign(options, a->file); });

  CLI::App* join = add_command(*consortium, "join", "Install a consortium file every node has signed");
  join->add_option("FILE", file, "The consortium file")->required();
  join->callback([&options, a] { run_consortium_join(options, a->file); });

  CLI::App* show = add_command(*consortium, "show", "Show the consortium this node joined");
  show->callback([&options] { run_consortium_show(options); });

  CLI::App* forget = add_command(*consortium, "forget-names",
                                 "Erase the names learnt of other nodes' members (alice@riverside)");
  forget->add_option("--node", node_name, "Only those of this node (default: every node)");
  forget->callback([&options, a] { run_consortium_forget_names(options, a->node_name); });

  CLI::App* key = add_command(*consortium, "key", "Print this node's key, to put in a consortium file");
  key->callback([&options] { run_consortium_key(options); });

  CLI::App* sync = add_command(app, "sync", "Watch the node's sync with its peers");
  sync->require_subcommand(1);
  add_command(*sync, "status", "Peers, last contact, each log's size here and there, lag")
      ->callback([&options] { run_sync_status(options); });

  auto timeout = std::make_shared<int>(60);
  CLI::App* wait = add_command(*sync, "wait", "Wait until every peer is connected and every log is in step");
  wait->add_option("--timeout", *timeout, "Give up after this many seconds (exit 1)")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 3600));
  wait->callback([&options, timeout] { run_sync_wait(options, *timeout); });

  add_command(app, "clearing", "Credits between co-ops: clearing positions and transfers in flight")
      ->callback([&options] { run_clearing(options); });
}

void add_audit_sync_commands(CLI::App& audit, GlobalOptions& options) {
  add_command(audit, "heads", "For each log, which nodes witnessed which head")->callback([&options] {
    run_audit_heads(options);
  });
  add_command(audit, "equivocations", "Evidence of nodes that signed two different heads")
      ->callback([&options] { run_audit_equivocations(options); });
}

}  // namespace cohours::cli
