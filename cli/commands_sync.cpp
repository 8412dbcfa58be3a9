// The consortium and sync commands (docs/cli.md "Consortium and sync"):
// consortium new|add|sign|join|show|key, sync status, clearing,
// audit heads, audit equivocations.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "cohours/crypto.h"
#include "cohours/net/consortium.h"
#include "cohours/replicas.h"
#include "commands.h"
#include "control_client.h"
#include "host.h"
#include "output.h"

namespace cohours::cli {

namespace {

using net::Consortium;
using net::ConsortiumNode;

Consortium read_consortium_file(const std::string& path_text) {
  auto path = resolve_user_path(path_text);
  std::ifstream in(path);
  if (!in) fail(Code::not_found, "cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return check(net::parse_consortium(text.str()));
}

void write_consortium_file(const std::string& path_text, const Consortium& consortium) {
  auto path = resolve_user_path(path_text);
  std::ofstream out_file(path, std::ios::trunc);
  out_file << net::consortium_json(consortium);
  if (!out_file) fail(Code::io_error, "cannot write " + path.string());
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

std::string node_name_of(const Consortium* consortium, const PublicKey& key) {
  if (consortium)
    if (const ConsortiumNode* node = consortium->find(key)) return node->name;
  return "node-" + to_hex(key).substr(0, 8);
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
  Session session(options);
  Consortium consortium;
  consortium.name = name;
  consortium.nodes.push_back(
      make_node(node_name, session.ledger().node_key(), address, session.ledger().currency().str()));
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
  Session session(options);
  Consortium consortium = read_consortium_file(file);
  const PublicKey self = session.ledger().node_key();
  if (!consortium.find(self)) fail(Code::not_permitted, "this node is not listed in " + file);
  SecretKey secret = read_secret_key(session.dir() / "node.key");
  net::sign_consortium(consortium, self, secret);
  write_consortium_file(file, consortium);
  std::size_t missing = 0;
  for (const auto& node : consortium.nodes) {
    bool signed_by = false;
    for (const auto& s : consortium.signatures) signed_by = signed_by || s.node == node.key;
    if (!signed_by) ++missing;
  }
  out() << "Signed " << file << " as '" << consortium.find(self)->name << "'; "
        << (missing ? std::to_string(missing) + " node(s) still to sign.\n"
                    : "every node has signed: each can now `cohours consortium join` it.\n");
}

void run_consortium_join(const GlobalOptions& options, const std::string& file) {
  Session session(options);
  Consortium consortium = read_consortium_file(file);
  check(net::install_consortium(session.store(), consortium, session.ledger().node_key()));
  if (options.json) {
    print_json({{"consortium", consortium.name},
                {"version", consortium.version},
                {"id", to_hex(net::consortium_id(consortium))}});
    return;
  }
  out() << "Joined consortium '" << consortium.name << "' (version " << consortium.version << ", id "
        << to_hex(net::consortium_id(consortium)).substr(0, 16) << ") with " << consortium.nodes.size()
        << " nodes.\n"
        << (session.host() ? "Restart the daemon (cohoursd) to connect to the peers in this file.\n"
                           : "Start the daemon: cohoursd --data " + options.data_dir + "\n");
}

void run_consortium_show(const GlobalOptions& options) {
  Session session(options);
  Consortium consortium = check(net::installed_consortium(session.store()));
  if (options.json) {
    print_json(nlohmann::json::parse(net::consortium_json(consortium)));
    return;
  }
  out() << "consortium " << consortium.name << ", version " << consortium.version << ", id "
        << to_hex(net::consortium_id(consortium)) << "\n";
  Table table({"NODE", "KEY", "ADDRESS", "CURRENCY", "THIS"});
  for (const auto& node : consortium.nodes)
    table.add({node.name, to_hex(node.key).substr(0, 16), node.address, node.currency.str(),
               node.key == session.ledger().node_key() ? "yes" : ""});
  out() << table.render();
}

void run_sync_status(const GlobalOptions& options) {
  Session session(options);
  auto installed = net::installed_consortium(session.store());
  const Consortium* consortium = installed.ok() ? &installed.value() : nullptr;
  nlohmann::json status;
  if (session.host() && session.host()->query) {
    auto answer = session.host()->query("sync_status", nlohmann::json::object());
    if (answer) status = *answer;
  }
  if (status.is_null()) {
    // No daemon: what this node holds, nothing about peers.
    auto replicas = check(Replicas::open(session.store(), session.clock()));
    status["running"] = false;
    status["logs"] = nlohmann::json::array();
    for (const auto& log : check(replicas->logs()))
      status["logs"].push_back({{"log", to_hex(log.log)},
                                {"name", log.name},
                                {"own", log.own},
                                {"size", log.size},
                                {"frozen", log.frozen}});
    status["peers"] = nlohmann::json::array();
  }
  if (options.json) {
    print_json(status);
    return;
  }
  out() << "daemon: " << (status["running"].get<bool>() ? "running" : "not running (start cohoursd)");
  if (status.contains("listen") && !status["listen"].get<std::string>().empty())
    out() << ", listening on " << status["listen"].get<std::string>();
  out() << "\n";
  if (!consortium) out() << "consortium: none joined (`cohours consortium join FILE`)\n";
  Table peers({"PEER", "CONNECTED", "LAST CONTACT (UTC)", "BANNED"});
  for (const auto& peer : status["peers"])
    peers.add({peer["name"].get<std::string>(), peer["connected"].get<bool>() ? "yes" : "no",
               when(peer["last_contact_ms"].get<std::int64_t>()),
               peer["banned_until_ms"].get<std::int64_t>() ? peer["ban_reason"].get<std::string>() : ""});
  if (!status["peers"].empty()) out() << peers.render() << "\n";
  std::vector<std::string> headers{"LOG", "HERE"};
  for (const auto& peer : status["peers"]) headers.push_back(peer["name"].get<std::string>());
  headers.push_back("LAG");
  Table logs(headers, std::vector<bool>(headers.size(), true));
  for (const auto& log : status["logs"]) {
    std::string name = log["name"].get<std::string>();
    if (consortium) name = node_name_of(consortium, parse_key(log["log"].get<std::string>(), "log"));
    if (log["own"].get<bool>()) name += " (this node)";
    if (log["frozen"].get<bool>()) name += " FROZEN";
    const std::uint64_t here = log["size"].get<std::uint64_t>();
    std::vector<std::string> row{name, std::to_string(here)};
    std::uint64_t furthest = here;
    for (const auto& peer : status["peers"]) {
      const auto& sizes = peer["sizes"];
      const std::string key = log["log"].get<std::string>();
      if (sizes.contains(key)) {
        std::uint64_t there = sizes[key].get<std::uint64_t>();
        furthest = std::max(furthest, there);
        row.push_back(std::to_string(there));
      } else {
        row.push_back("-");
      }
    }
    row.push_back(std::to_string(furthest - here));
    logs.add(row);
  }
  out() << logs.render();
}

// Synced, as far as this node can tell: every peer connected, and every
// peer announcing every log at the size held here, nothing held anywhere
// further ahead. Returns what is still missing, or "" when synced.
std::string unsynced(const nlohmann::json& status) {
  if (!status.value("running", false)) return "the daemon is not running";
  for (const auto& peer : status["peers"])
    if (!peer["connected"].get<bool>()) return peer["name"].get<std::string>() + " is not connected";
  for (const auto& log : status["logs"]) {
    if (log["frozen"].get<bool>()) continue;
    const std::string key = log["log"].get<std::string>();
    const std::uint64_t here = log["size"].get<std::uint64_t>();
    for (const auto& peer : status["peers"]) {
      const auto& sizes = peer["sizes"];
      if (log["own"].get<bool>() && here == 0) continue;
      std::uint64_t there = sizes.contains(key) ? sizes[key].get<std::uint64_t>() : 0;
      if (there != here)
        return peer["name"].get<std::string>() + " holds " + std::to_string(there) + " records of " +
               log["name"].get<std::string>() + ", this node " + std::to_string(here);
    }
  }
  return "";
}

void run_sync_wait(const GlobalOptions& options, int timeout_seconds) {
  if (current_host()) usage_error("`cohours sync wait` runs in the client, not inside the daemon");
  std::error_code ec;
  const std::string cwd = std::filesystem::current_path(ec).string();
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(timeout_seconds);
  std::string missing;
  for (;;) {
    auto response =
        send_to_daemon(options.data_dir, {"--data", options.data_dir, "--json", "sync", "status"}, cwd);
    // A daemon started a moment ago may not listen yet: give it 10 s.
    if (!response && std::chrono::steady_clock::now() - start > std::chrono::seconds(10))
      fail(Code::io_error, "no daemon is running for " + options.data_dir + " (start cohoursd --data " +
                               options.data_dir + ")");
    nlohmann::json status =
        response ? nlohmann::json::parse(response->out, nullptr, false) : nlohmann::json();
    missing = !response               ? "waiting for the daemon to answer"
              : status.is_discarded() ? "the daemon's answer was not JSON"
                                      : unsynced(status);
    if (missing.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline)
      fail(Code::io_error, "not synced after " + std::to_string(timeout_seconds) + " s: " + missing);
    // Asking again after a short pause: the condition is the peers' state.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (options.json)
    print_json({{"synced", true}});
  else
    out() << "In sync: every peer is connected and holds every log at the size held here.\n";
}

void run_clearing(const GlobalOptions& options) {
  Session session(options);
  auto installed = net::installed_consortium(session.store());
  const Consortium* consortium = installed.ok() ? &installed.value() : nullptr;
  auto replicas = check(Replicas::open(session.store(), session.clock()));
  auto logs = check(replicas->logs());
  nlohmann::json rows = nlohmann::json::array();
  Table table({"BETWEEN", "AND", "FIRST HOLDS", "SECOND HOLDS", "NET", "IN FLIGHT", "MINUTES IN FLIGHT"},
              {false, false, true, true, true, true, true});
  for (std::size_t i = 0; i < logs.size(); ++i)
    for (std::size_t j = i + 1; j < logs.size(); ++j) {
      const PublicKey a = logs[i].log, b = logs[j].log;
      auto a_copy = check(Ledger::open_copy(session.store(), a, session.clock()));
      auto b_copy = check(Ledger::open_copy(session.store(), b, session.clock()));
      const std::int64_t a_holds = check(a_copy->balance(AccountId::clearing(b))).balance_minutes;
      const std::int64_t b_holds = check(b_copy->balance(AccountId::clearing(a))).balance_minutes;
      auto ab = check(replicas->in_flight(a, b));
      auto ba = check(replicas->in_flight(b, a));
      std::int64_t flight_minutes = 0;
      for (const auto& t : ab) flight_minutes += t.minutes;
      for (const auto& t : ba) flight_minutes -= t.minutes;
      if (a_holds == 0 && b_holds == 0 && ab.empty() && ba.empty()) continue;
      const std::string an = node_name_of(consortium, a), bn = node_name_of(consortium, b);
      rows.push_back({{"first", an},
                      {"second", bn},
                      {"first_holds_minutes", a_holds},
                      {"second_holds_minutes", b_holds},
                      {"net_minutes", a_holds + b_holds},
                      {"in_flight", ab.size() + ba.size()},
                      {"in_flight_minutes_first_to_second", flight_minutes}});
      table.add({an, bn, format_minutes(a_holds), format_minutes(b_holds), format_minutes(a_holds + b_holds),
                 std::to_string(ab.size() + ba.size()), format_minutes(flight_minutes)});
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
}

void run_audit_heads(const GlobalOptions& options) {
  Session session(options);
  auto installed = net::installed_consortium(session.store());
  const Consortium* consortium = installed.ok() ? &installed.value() : nullptr;
  auto replicas = check(Replicas::open(session.store(), session.clock()));
  nlohmann::json rows = nlohmann::json::array();
  Table table({"LOG", "HELD", "ROOT", "WITNESSED AT", "BY"}, {false, true});
  for (const auto& log : check(replicas->logs())) {
    std::map<std::pair<std::uint64_t, std::string>, std::vector<std::string>> witnessed;
    for (const auto& c : check(replicas->cosignatures(log.log)))
      witnessed[{c.head.size, to_hex(c.head.root)}].push_back(node_name_of(consortium, c.witness));
    std::string name =
        node_name_of(consortium, log.log) + (log.own ? " (this node)" : "") + (log.frozen ? " FROZEN" : "");
    std::string root = log.head ? to_hex(log.head->head.root).substr(0, 16) : "-";
    nlohmann::json witnesses = nlohmann::json::array();
    if (witnessed.empty()) table.add({name, std::to_string(log.size), root, "-", "nobody yet"});
    bool first = true;
    for (const auto& [head, by] : witnessed) {
      std::string names;
      for (const auto& n : by) names += (names.empty() ? "" : ", ") + n;
      table.add({first ? name : "", first ? std::to_string(log.size) : "", first ? root : "",
                 std::to_string(head.first) + " " + head.second.substr(0, 16),
                 std::to_string(by.size()) + ": " + names});
      witnesses.push_back({{"size", head.first}, {"root", head.second}, {"witnesses", by}});
      first = false;
    }
    rows.push_back({{"log", to_hex(log.log)},
                    {"name", node_name_of(consortium, log.log)},
                    {"size", log.size},
                    {"root", log.head ? to_hex(log.head->head.root) : ""},
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
  Session session(options);
  auto installed = net::installed_consortium(session.store());
  const Consortium* consortium = installed.ok() ? &installed.value() : nullptr;
  auto replicas = check(Replicas::open(session.store(), session.clock()));
  auto evidence = check(replicas->evidence());
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : evidence)
    rows.push_back({{"log", to_hex(e.first.head.log)},
                    {"name", node_name_of(consortium, e.first.head.log)},
                    {"size", e.first.head.size},
                    {"first", to_hex(encode_signed_tree_head(e.first))},
                    {"second", to_hex(encode_signed_tree_head(e.second))}});
  if (options.json) {
    print_json({{"equivocations", rows}});
  } else if (evidence.empty()) {
    out() << "No equivocation: no node was caught signing two different heads of its log.\n";
  } else {
    for (const auto& e : evidence)
      out() << "EQUIVOCATION: node " << node_name_of(consortium, e.first.head.log)
            << " signed two heads of size " << e.first.head.size << " with different roots ("
            << to_hex(e.first.head.root).substr(0, 16) << " and " << to_hex(e.second.head.root).substr(0, 16)
            << "). Its log is frozen on this node.\n";
  }
  if (!evidence.empty())
    throw CliError{Code::corruption, "equivocation evidence is held", exit_audit_failed, true};
}

}  // namespace

std::optional<RemoteMember> resolve_remote_member(Session& session, const std::string& text) {
  auto at = text.rfind('@');
  if (at == std::string::npos) return std::nullopt;
  const std::string alias = text.substr(0, at), node_name = text.substr(at + 1);
  auto consortium = net::installed_consortium(session.store());
  if (!consortium.ok())
    fail(Code::unknown_member,
         "'" + text + "' names a member of another node, but this node has joined no consortium");
  const ConsortiumNode* node = consortium->find_name(node_name);
  if (!node)
    fail(Code::unknown_member, "no node named '" + node_name + "' in consortium '" + consortium->name +
                                   "' (see `cohours consortium show`)");
  if (node->key == session.ledger().node_key()) return std::nullopt;
  if (alias.size() == 64 && from_hex(alias))
    return RemoteMember{parse_key(alias, "the member key"), node->key, node->name};
  const HostedNode* host = session.host();
  if (!host || !host->query)
    fail(Code::unknown_member,
         "looking up '" + text + "' asks node " + node_name +
             ", which needs this node's daemon running; or give the member's key as KEY@" + node_name);
  auto answer = host->query("resolve_alias", {{"node", node_name}, {"alias", alias}});
  if (!answer || !answer->contains("key") || (*answer)["key"].is_null())
    fail(Code::unknown_member, "node " + node_name + " has no member '" + alias +
                                   "', or could not be asked (see `cohours sync status`)");
  return RemoteMember{parse_key((*answer)["key"].get<std::string>(), "the member key"), node->key,
                      node->name};
}

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

  CLI::App* key = add_command(*consortium, "key", "Print this node's key, to put in a consortium file");
  key->callback([&options] {
    Session session(options);
    if (options.json)
      print_json({{"node_key", to_hex(session.ledger().node_key())},
                  {"name", session.ledger().node_name()},
                  {"currency", session.ledger().currency().str()}});
    else
      out() << to_hex(session.ledger().node_key()) << "\n";
  });

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
