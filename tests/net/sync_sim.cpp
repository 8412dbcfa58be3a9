// Deterministic simulation of a consortium (STYLE.md "Tests", after
// tigerbeetle's VOPR): several nodes in one process, each with an in-memory
// store, its own ledger, replicas and SyncNode, over a simulated network
// that drops, delays, duplicates and reorders messages and partitions the
// nodes, on a simulated clock. As in the daemon, each SyncNode hands its
// engine work out (EngineWork::as_actions); a simulated worker runs each
// lane's work in order, each piece taking a seeded while (now and then a
// slow commit), so outcomes arrive late and interleaved with messages. Members log hours, confirm them,
// transfer credits inside their co-op and to members of other co-ops, and help members of other co-ops (hours
// paid across through clearing).
//
// After the chaos the network heals and the run must converge: every node
// holds the same signed head and the same derived state for every log, the
// clearing accounts of every pair of nodes net to zero, nothing is left to
// receive, and no honest node banned another.
//
//   sync_sim [--seed N] [--nodes N] [--seconds N] [--quiet]
// Every run prints its seed; the same seed replays the same run, which the
// trace digest printed at the end (of every delivery and every piece of
// work, in order) shows.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "cohours/crypto.h"
#include "cohours/ledger.h"
#include "cohours/net/logger.h"
#include "cohours/net/messages.h"
#include "cohours/net/sync_node.h"
#include "cohours/replicas.h"

using namespace cohours;
using namespace cohours::net;

namespace {

struct Options {
  std::uint64_t seed = 0;
  int nodes = 5;
  int chaos_seconds = 30;
  bool quiet = false;
};

struct SimNode {
  std::string name;
  KeyPair node;
  std::unique_ptr<Store> store = make_memory_store();
  std::unique_ptr<Ledger> ledger;
  std::unique_ptr<Replicas> replicas;
  std::unique_ptr<SyncNode> sync;
  std::vector<KeyPair> volunteers;
  std::vector<KeyPair> service_users;
  std::vector<EntryId> pending;           // hours logged, not yet confirmed
  int group = 0;                          // partition group
  std::int64_t lane_free_ms[2] = {0, 0};  // when each WorkLane of its worker is next free
};

struct Packet {
  std::int64_t deliver_ms;
  std::uint64_t order;  // ties broken by send order: fully deterministic
  int from, to;
  Bytes bytes;
  bool operator>(const Packet& other) const {
    return deliver_ms != other.deliver_ms ? deliver_ms > other.deliver_ms : order > other.order;
  }
};

// A node's engine work, done at done_ms.
struct Job {
  std::int64_t done_ms;
  std::uint64_t order;  // shares the packets' counter: ties between the two are deterministic too
  int node;
  std::shared_ptr<SyncWork> work;
  bool operator>(const Job& other) const {
    return done_ms != other.done_ms ? done_ms > other.done_ms : order > other.order;
  }
};

class Simulation {
 public:
  explicit Simulation(const Options& options) : options_(options), rng_(options.seed) {}

  int run();

 private:
  void build();
  void connect_all();
  void apply(int from, std::vector<Action> actions);
  void send(int from, int to, const Message& message);
  void deliver(const Packet& packet);
  void schedule(int node, std::shared_ptr<SyncWork> work);
  void complete(const Job& job);
  void random_entry();
  void maybe_partition();
  void heal();
  bool link_up(int a, int b) const { return !down_.count({std::min(a, b), std::max(a, b)}); }
  void set_link(int a, int b, bool up);
  void tick_all();
  void step(std::int64_t ms);
  std::string converged();
  // An entry for the log of `node`, signed by `author`.
  Bytes sign(const SimNode& node, const KeyPair& author, EntryBody body);
  int index_of(const PublicKey& key) const;

  Options options_;
  std::mt19937_64 rng_;
  FakeClock clock_{1'795'000'000'000};
  std::vector<SimNode> nodes_;
  std::priority_queue<Packet, std::vector<Packet>, std::greater<>> network_;
  std::priority_queue<Job, std::vector<Job>, std::greater<>> jobs_;
  std::uint64_t order_ = 0;
  Blake2bStream trace_;
  std::set<std::pair<int, int>> down_;
  std::int64_t partition_until_ = 0;
  bool chaos_ = true;
  std::map<std::string, std::uint64_t> counts_;
  std::vector<std::pair<std::int64_t, std::pair<int, int>>> reconnects_;
};

KeyPair generate_keypair_from(std::mt19937_64& rng) {
  FixedBytes<32> seed;
  for (auto& b : seed.bytes) b = static_cast<std::uint8_t>(rng());
  return keypair_from_seed(seed);
}

std::uint64_t below(std::mt19937_64& rng, std::uint64_t n) {
  return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng);
}

Bytes Simulation::sign(const SimNode& node, const KeyPair& author, EntryBody body) {
  Entry entry{kEntryFormatVersion, node.node.public_key, author.public_key, {}, clock_.now_ms(), rng_(),
              std::move(body)};
  return sign_entry(entry, author.secret_key).bytes;
}

int Simulation::index_of(const PublicKey& key) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].node.public_key == key) return static_cast<int>(i);
  return -1;
}

void Simulation::build() {
  std::vector<PeerInfo> consortium;
  for (int i = 0; i < options_.nodes; ++i) {
    SimNode node;
    node.name = "coop" + std::to_string(i);
    node.node = generate_keypair_from(rng_);
    consortium.push_back({node.node.public_key, node.name});
    nodes_.push_back(std::move(node));
  }
  for (auto& node : nodes_) {
    NodeIdentity identity{node.node.public_key, node.node.secret_key.copy()};
    if (!Ledger::initialise(*node.store, identity, node.name, clock_).ok()) std::abort();
    node.ledger = Ledger::open(*node.store, identity, clock_).value();
    node.replicas = Replicas::open(*node.store, clock_).value();
    for (const auto& peer : consortium)
      if (peer.key != node.node.public_key &&
          !node.replicas->follow(peer.key, peer.name, *Currency::parse("GBP")).ok())
        std::abort();
    for (int m = 0; m < 3; ++m) node.volunteers.push_back(generate_keypair_from(rng_));
    for (int m = 0; m < 2; ++m) node.service_users.push_back(generate_keypair_from(rng_));
    std::vector<Bytes> joins;
    for (const auto& v : node.volunteers)
      joins.push_back(sign(node, node.node, MemberJoin{v.public_key, role_volunteer, node.node.public_key}));
    for (const auto& s : node.service_users)
      joins.push_back(
          sign(node, node.node, MemberJoin{s.public_key, role_service_user, node.node.public_key}));
    for (const auto& r : node.ledger->submit(joins))
      if (!r.ok()) std::abort();
    // Made after the joins: a SyncNode reads the logs it holds when made.
    LocalNode local;
    Ledger* ledger = node.ledger.get();
    local.submit = [ledger](std::span<const Bytes> entries) { return ledger->submit(entries); };
    SyncConfig config;
    config.batch_records = 64;  // small batches: many rounds, many chances to go wrong
    config.request_timeout_ms = 2'000;
    config.anti_entropy_ms = 1'000;
    config.engine_work = EngineWork::as_actions;
    node.sync = std::make_unique<SyncNode>(*node.replicas, identity, clock_, local, consortium, config);
  }
}

void Simulation::set_link(int a, int b, bool up) {
  auto key = std::make_pair(std::min(a, b), std::max(a, b));
  if (up == !down_.count(key)) return;
  if (up) {
    down_.erase(key);
    apply(a, nodes_[a].sync->on_connected(nodes_[b].node.public_key));
    apply(b, nodes_[b].sync->on_connected(nodes_[a].node.public_key));
  } else {
    down_.insert(key);
    apply(a, nodes_[a].sync->on_disconnected(nodes_[b].node.public_key));
    apply(b, nodes_[b].sync->on_disconnected(nodes_[a].node.public_key));
  }
}

void Simulation::connect_all() {
  for (int a = 0; a < options_.nodes; ++a)
    for (int b = a + 1; b < options_.nodes; ++b) down_.insert({a, b});
  for (int a = 0; a < options_.nodes; ++a)
    for (int b = a + 1; b < options_.nodes; ++b) set_link(a, b, true);
}

void Simulation::apply(int from, std::vector<Action> actions) {
  for (auto& action : actions) {
    if (action.kind == Action::Kind::work) {
      schedule(from, std::move(action.work));
      continue;
    }
    int to = index_of(action.peer);
    if (to < 0) std::abort();
    if (action.kind == Action::Kind::send) {
      send(from, to, action.message);
    } else {
      // The transport drops the link; it comes back after a backoff.
      ++counts_["disconnects"];
      if (link_up(from, to)) {
        set_link(from, to, false);
        reconnects_.push_back({clock_.now_ms() + 1'000, {from, to}});
      }
    }
  }
}

void Simulation::send(int from, int to, const Message& message) {
  if (!link_up(from, to)) return;
  Packet packet{clock_.now_ms() + 1 + static_cast<std::int64_t>(below(rng_, 50)), order_++, from, to,
                encode_message(message)};
  ++counts_["sent"];
  if (chaos_) {
    if (below(rng_, 100) < 5) {  // 5% dropped
      ++counts_["dropped"];
      return;
    }
    if (below(rng_, 100) < 3) {  // 3% duplicated, arriving later
      Packet copy = packet;
      copy.deliver_ms += static_cast<std::int64_t>(below(rng_, 200));
      copy.order = order_++;
      network_.push(copy);
      ++counts_["duplicated"];
    }
    if (below(rng_, 100) < 5) packet.deliver_ms += static_cast<std::int64_t>(below(rng_, 500));  // late
  }
  network_.push(std::move(packet));
}

// Each lane of a node's worker does one piece at a time, in the order given.
// Storing a batch or recording transfers (a commit) takes a few ms, and one
// in a hundred hits a slow disk for 100-300 ms; reads, checks and small
// writes take under 2 ms.
void Simulation::schedule(int node, std::shared_ptr<SyncWork> work) {
  const int lane = work->lane() == WorkLane::write ? 1 : 0;
  const std::string name = work->name();
  std::int64_t takes = static_cast<std::int64_t>(below(rng_, 2));
  if (name == "append" || name == "receive_transfers") {
    takes = 1 + static_cast<std::int64_t>(below(rng_, 10));
    if (below(rng_, 100) == 0) {
      takes += 100 + static_cast<std::int64_t>(below(rng_, 200));
      ++counts_["slow commits"];
    }
  }
  std::int64_t& free_ms = nodes_[node].lane_free_ms[lane];
  free_ms = std::max(free_ms, clock_.now_ms()) + takes;
  jobs_.push({free_ms, order_++, node, std::move(work)});
  ++counts_["engine work"];
}

void Simulation::complete(const Job& job) {
  const std::string what =
      std::to_string(job.done_ms) + " " + std::to_string(job.node) + " " + job.work->name();
  trace_.update(what);
  job.work->run();
  apply(job.node, nodes_[job.node].sync->on_work_done(*job.work));
}

void Simulation::deliver(const Packet& packet) {
  // A link that went down in the meantime loses what was on it.
  if (!link_up(packet.from, packet.to)) return;
  const std::string what =
      std::to_string(packet.deliver_ms) + " " + std::to_string(packet.from) + ">" + std::to_string(packet.to);
  trace_.update(what);
  trace_.update(packet.bytes);
  auto message = decode_message(packet.bytes, nodes_[packet.to].sync->message_limits());
  if (!message.ok()) {
    std::fprintf(stderr, "a message did not decode: %s\n", message.status().message().c_str());
    std::abort();
  }
  ++counts_["delivered"];
  apply(packet.to, nodes_[packet.to].sync->on_message(nodes_[packet.from].node.public_key, message.value()));
}

void Simulation::random_entry() {
  SimNode& node = nodes_[below(rng_, nodes_.size())];
  Bytes entry;
  std::uint64_t choice = below(rng_, 10);
  const KeyPair& volunteer = node.volunteers[below(rng_, node.volunteers.size())];
  if (choice < 4) {  // help to a service user, paid by the pool
    HoursLog log;
    log.recipient = node.service_users[below(rng_, node.service_users.size())].public_key;
    log.payer = Payer::pool;
    log.minutes = 15 * static_cast<std::int64_t>(1 + below(rng_, 8));
    log.category = "befriending";
    log.date_days = static_cast<std::int32_t>(clock_.now_ms() / 86'400'000);
    entry = sign(node, volunteer, log);
  } else if (choice < 7 && !node.pending.empty()) {  // the service user confirms
    std::size_t at = below(rng_, node.pending.size());
    EntryId target = node.pending[at];
    node.pending.erase(node.pending.begin() + static_cast<std::ptrdiff_t>(at));
    auto movement = node.ledger->movement(target);
    if (!movement.ok()) return;
    for (const auto& s : node.service_users)
      if (s.public_key == movement->recipient) entry = sign(node, s, HoursConfirm{target});
    if (entry.empty()) return;
  } else if (choice < 8) {  // a transfer inside the co-op
    const KeyPair& to = node.volunteers[below(rng_, node.volunteers.size())];
    if (to.public_key == volunteer.public_key) return;
    entry = sign(node, volunteer, Transfer{to.public_key, 15, {}});
  } else if (choice < 9) {  // a volunteer of another co-op helps one of ours, signing here
    std::size_t other = below(rng_, nodes_.size());
    if (nodes_[other].node.public_key == node.node.public_key) return;
    const KeyPair& visitor = nodes_[other].volunteers[below(rng_, nodes_[other].volunteers.size())];
    HoursLog log;
    log.recipient = node.service_users[below(rng_, node.service_users.size())].public_key;
    log.payer = Payer::pool;
    log.minutes = 15 * static_cast<std::int64_t>(1 + below(rng_, 8));
    log.category = "befriending";
    log.date_days = static_cast<std::int32_t>(clock_.now_ms() / 86'400'000);
    entry = sign(node, visitor, RemoteHoursLog{visitor.public_key, nodes_[other].node.public_key, log});
  } else {  // a transfer to a member of another co-op
    std::size_t other = below(rng_, nodes_.size());
    if (nodes_[other].node.public_key == node.node.public_key) return;
    const KeyPair& to = nodes_[other].volunteers[below(rng_, nodes_[other].volunteers.size())];
    entry = sign(node, volunteer,
                 TransferOut{to.public_key,
                             nodes_[other].node.public_key,
                             15 * static_cast<std::int64_t>(1 + below(rng_, 4)),
                             {}});
  }
  SubmitResult result = node.ledger->submit_one(entry);
  if (!result.ok()) {
    ++counts_["refused entries"];
    return;
  }
  ++counts_["entries"];
  auto decoded = decode_entry(entry);
  if (decoded->entry.kind() == EntryKind::hours_log || decoded->entry.kind() == EntryKind::hours_log_remote)
    node.pending.push_back(result.id);
  if (decoded->entry.kind() == EntryKind::hours_log_remote) ++counts_["cross-node hours"];
  if (decoded->entry.kind() == EntryKind::transfer_out) ++counts_["cross-node transfers"];
  apply(static_cast<int>(&node - nodes_.data()), node.sync->on_local_append());
}

void Simulation::maybe_partition() {
  if (clock_.now_ms() < partition_until_) return;
  if (!down_.empty() && partition_until_ != 0) heal();
  partition_until_ = 0;
  if (below(rng_, 1000) >= 3) return;  // about one partition every 3 s of chaos
  for (auto& node : nodes_) node.group = static_cast<int>(below(rng_, 2));
  for (int a = 0; a < options_.nodes; ++a)
    for (int b = a + 1; b < options_.nodes; ++b)
      if (nodes_[a].group != nodes_[b].group) set_link(a, b, false);
  partition_until_ = clock_.now_ms() + 1'000 + static_cast<std::int64_t>(below(rng_, 4'000));
  ++counts_["partitions"];
}

void Simulation::heal() {
  reconnects_.clear();
  for (int a = 0; a < options_.nodes; ++a)
    for (int b = a + 1; b < options_.nodes; ++b) set_link(a, b, true);
}

void Simulation::tick_all() {
  for (std::size_t i = 0; i < nodes_.size(); ++i) apply(static_cast<int>(i), nodes_[i].sync->on_tick());
}

void Simulation::step(std::int64_t ms) {
  const std::int64_t until = clock_.now_ms() + ms;
  for (;;) {
    const bool packet_due = !network_.empty() && network_.top().deliver_ms <= until;
    const bool job_due = !jobs_.empty() && jobs_.top().done_ms <= until;
    if (!packet_due && !job_due) break;
    const bool job_first =
        job_due && (!packet_due || std::make_pair(jobs_.top().done_ms, jobs_.top().order) <
                                       std::make_pair(network_.top().deliver_ms, network_.top().order));
    if (job_first) {
      Job job = jobs_.top();
      jobs_.pop();
      if (job.done_ms > clock_.now_ms()) clock_.set_ms(job.done_ms);
      complete(job);
      continue;
    }
    Packet packet = network_.top();
    network_.pop();
    if (packet.deliver_ms > clock_.now_ms()) clock_.set_ms(packet.deliver_ms);
    deliver(packet);
  }
  clock_.set_ms(until);
  for (auto it = reconnects_.begin(); it != reconnects_.end();) {
    if (it->first <= clock_.now_ms() &&
        (partition_until_ == 0 || nodes_[it->second.first].group == nodes_[it->second.second].group)) {
      auto [a, b] = it->second;
      it = reconnects_.erase(it);
      set_link(a, b, true);
    } else {
      ++it;
    }
  }
}

std::string Simulation::converged() {
  for (const auto& owner : nodes_) {
    const PublicKey& log = owner.node.public_key;
    auto reference = owner.replicas->log_state(log);
    auto digest = state_digest(*owner.store, log);
    if (!reference.ok() || !digest.ok()) return "cannot read " + owner.name;
    for (const auto& node : nodes_) {
      auto state = node.replicas->log_state(log);
      if (!state.ok()) return node.name + " holds no copy of " + owner.name;
      if (state->size != reference->size || !state->head ||
          state->head->head.root != reference->head->head.root)
        return node.name + " holds " + std::to_string(state->size) + " records of " + owner.name + " (of " +
               std::to_string(reference->size) + ")";
      if (state_digest(*node.store, log).value() != digest.value())
        return node.name + "'s copy of " + owner.name + " differs in derived state";
      if (node.node.public_key != log && !node.replicas->pending_inbound(log, 0).value().empty())
        return node.name + " has transfers from " + owner.name + " still to record";
    }
  }
  for (std::size_t a = 0; a < nodes_.size(); ++a)
    for (std::size_t b = a + 1; b < nodes_.size(); ++b) {
      auto ab = nodes_[a].ledger->balance(AccountId::clearing(nodes_[b].node.public_key)).value();
      auto ba = nodes_[b].ledger->balance(AccountId::clearing(nodes_[a].node.public_key)).value();
      if (ab.balance_minutes + ba.balance_minutes != 0)
        return "clearing " + nodes_[a].name + "/" + nodes_[b].name + " is " +
               std::to_string(ab.balance_minutes + ba.balance_minutes) + " minutes off";
    }
  return "";
}

int Simulation::run() {
  std::printf("sync_sim --seed %llu --nodes %d --seconds %d\n",
              static_cast<unsigned long long>(options_.seed), options_.nodes, options_.chaos_seconds);
  build();
  connect_all();
  const std::int64_t chaos_end = clock_.now_ms() + options_.chaos_seconds * 1000LL;
  std::int64_t next_tick = clock_.now_ms();
  while (clock_.now_ms() < chaos_end) {
    if (below(rng_, 100) < 30) random_entry();
    maybe_partition();
    if (clock_.now_ms() >= next_tick) {
      tick_all();
      next_tick = clock_.now_ms() + 100;
    }
    step(10);
  }
  // Heal: no more faults or entries; everything must settle.
  chaos_ = false;
  partition_until_ = 0;
  heal();
  const std::int64_t settle_start = clock_.now_ms();
  std::string problem = converged();
  while (!problem.empty() && clock_.now_ms() - settle_start < 300'000) {
    tick_all();
    step(100);
    if ((clock_.now_ms() - settle_start) % 1'000 == 0) problem = converged();
  }
  problem = converged();
  for (const auto& node : nodes_) {
    for (const auto& peer : node.sync->status())
      if (peer.banned_until_ms != 0 && problem.empty())
        problem = node.name + " banned " + peer.name + ": " + peer.ban_reason;
    std::int64_t sum = 0;
    for (const auto& [account, balance] : node.ledger->balances().value())
      if (account.unit() == Unit::minutes) sum += balance.balance_minutes;
    if (sum != 0 && problem.empty()) problem = node.name + "'s credits sum to " + std::to_string(sum);
  }
  if (!options_.quiet) {
    for (const auto& [name, count] : counts_)
      std::printf("  %-22s %llu\n", name.c_str(), (unsigned long long)count);
    std::printf("  %-22s %lld ms\n", "settled after", static_cast<long long>(clock_.now_ms() - settle_start));
    for (const auto& node : nodes_)
      std::printf("  %-8s log size %llu\n", node.name.c_str(),
                  static_cast<unsigned long long>(node.ledger->log_size()));
  }
  const Hash32 trace = trace_.finish();
  std::printf("  trace digest %s\n", to_hex(trace.data(), trace.size()).c_str());
  if (!problem.empty()) {
    std::printf("FAILED (seed %llu): %s\n", static_cast<unsigned long long>(options_.seed), problem.c_str());
    return 1;
  }
  std::printf("converged: every node holds the same heads and state for all %d logs; clearing nets to zero\n",
              options_.nodes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!crypto_init()) return 1;
  Options options;
  options.seed = random_u64();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seed")
      options.seed = std::stoull(value());
    else if (arg == "--nodes")
      options.nodes = std::stoi(value());
    else if (arg == "--seconds")
      options.chaos_seconds = std::stoi(value());
    else if (arg == "--quiet")
      options.quiet = true;
    else {
      std::fprintf(stderr, "usage: sync_sim [--seed N] [--nodes N] [--seconds N] [--quiet]\n");
      return 2;
    }
  }
  if (options.nodes < 2) {
    std::fprintf(stderr, "--nodes must be at least 2\n");
    return 2;
  }
  set_log_level(LogLevel::error);
  return Simulation(options).run();
}
