// Node commands: init (app/init.h), node rotate-key
// (app/node_key_rotation.h), policy set / show (app/policy.h); and the
// argument parsers every command shares.
#include <filesystem>
#include <sstream>

#include "client.h"
#include "cohours/app/clock_source.h"
#include "cohours/app/init.h"
#include "cohours/app/node_key_rotation.h"
#include "cohours/dates.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace fs = std::filesystem;

CLI::App* add_command(CLI::App& parent, const std::string& name, const std::string& description) {
  CLI::App* command = parent.add_subcommand(name, description);
  command->fallthrough();
  return command;
}

std::int64_t parse_whole_arg(const std::string& text, const char* option, const char* unit) {
  std::size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
  bool digits = i < text.size();
  for (std::size_t j = i; j < text.size() && digits; ++j) digits = text[j] >= '0' && text[j] <= '9';
  if (!digits)
    fail(Code::bad_amount, std::string(option) + " takes a whole number of " + unit + ", got '" + text + "'");
  // Twelve digits hold any amount the ledger accepts, with room to spare;
  // a longer number is out of range, not malformed.
  if (text.size() - i > 12)
    fail(Code::bad_amount, std::string(option) + " " + text + " is out of range (the ledger's limits are far lower)");
  return std::stoll(text);
}

// A duration as people write it (app/input.h); a leading '-' for floors.
std::int64_t parse_minutes_arg(const std::string& text, const char* option) {
  const bool negative = !text.empty() && text[0] == '-';
  const bool digits_only = text.size() > (negative ? 1u : 0u) &&
                           text.find_first_not_of("0123456789", negative ? 1 : 0) == std::string::npos;
  if (digits_only) return parse_whole_arg(text, option, "minutes");  // says "out of range" for 13+ digits
  auto minutes = app::parse_duration(std::string_view(text).substr(negative ? 1 : 0));
  if (!minutes)
    fail(Code::bad_amount, std::string(option) + " takes a duration in whole minutes such as " +
                               std::string(app::kDurationExamples) + ", got '" + text + "'");
  return negative ? -*minutes : *minutes;
}

std::int32_t parse_date_arg(const std::string& text, const char* option) {
  auto days = app::parse_day(text, days_from_ms(check(app::process_clock())->now_ms()));
  if (!days)
    fail(Code::bad_date, std::string(option) + " takes a real date as YYYY-MM-DD, today or yesterday, got '" +
                             text + "'");
  return *days;
}

app::DayRange parse_month_arg(const std::string& text, const char* option) {
  auto month = app::parse_month(text);
  if (!month) fail(Code::bad_date, std::string(option) + " takes a month as YYYY-MM, got '" + text + "'");
  return *month;
}

static void run_init(const GlobalOptions& options, const std::string& name,
                     const std::string& currency_code) {
  auto currency = Currency::parse(currency_code);
  if (!currency) fail(Code::malformed, "--currency takes a three-letter code such as GBP");
  fs::path dir = std::filesystem::path(options.data_dir);
  app::NodeCreated created = check(app::init_node(dir, name, *currency, *check(app::process_clock())));
  if (options.json) {
    print_json({{"name", name}, {"node_key", to_hex(created.node_key)}, {"data", dir.string()}});
  } else {
    out() << "Created node \"" << name << "\" in " << dir.string() << "\n"
          << "node key " << to_hex(created.node_key) << "\n"
          << "Next: add members with `cohours member add ALIAS --role ROLE`.\n";
  }
}

// Rewrites node.key under no daemon: the daemon holds the key in memory.
static void run_rotate_key(const GlobalOptions& options) {
  const fs::path dir = std::filesystem::path(options.data_dir);
  if (check(control::RemoteNode::connect(dir)))
    fail(Code::wrong_state, "the daemon is running for " + options.data_dir + "; stop it first");
  auto node = check(app::Node::open(dir, *check(app::process_clock()), passphrase_source(options)));
  app::NodeKeyRotated done = check(app::rotate_node_key(*node));
  if (options.json)
    return print_json({{"node", to_hex(done.node)},
                       {"old_key", to_hex(done.old_key)},
                       {"new_key", to_hex(done.new_key)},
                       {"seq", done.seq},
                       {"rotations", done.rotations}});
  out() << "The node now signs with key " << to_hex(done.new_key) << " (record " << done.seq << ").\n"
        << "Key " << to_hex(done.old_key) << " is retired: heads it signs after record " << done.seq
        << " are refused.\n"
        << "The node is still named by " << to_hex(done.node) << " (the consortium file is unchanged).\n"
        << "In a consortium, start cohoursd now so peers fetch the rotation: a peer that holds it refuses "
           "the retired key.\n";
}

struct PolicyArgs {
  std::string as, role, floor, pool_floor, max_entry, categories, mileage_rate, vetted, clearing_limit;
  std::vector<std::string> claim_limits, month_limits;
  bool no_pool_floor = false;
};

// "travel=2000" -> an expense limit.
static app::ExpenseLimit expense_limit(const std::string& text, const char* option) {
  auto equals = text.find('=');
  auto category = parse_expense_category(text.substr(0, equals));
  if (equals == std::string::npos || !category)
    fail(Code::unknown_category,
         std::string(option) +
             " takes CATEGORY=PENCE with a category of travel, childcare, meals, uniform or "
             "other, e.g. travel=2000 (0 removes the limit)");
  return {*category, parse_whole_arg(text.substr(equals + 1), option, "pence")};
}

// "riverside=-2000", "riverside=-33h20" or "riverside=none" -> a clearing limit.
static app::ClearingLimitChange clearing_limit_arg(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
    usage_error("--clearing-limit takes NODE=MINUTES with the other co-op's name in the consortium file and "
                "zero or a negative number of minutes (or a duration such as -33h20), or NODE=none; e.g. "
                "riverside=-2000");
  app::ClearingLimitChange change{text.substr(0, equals), std::nullopt};
  const std::string value = text.substr(equals + 1);
  if (value != "none") change.floor_minutes = parse_minutes_arg(value, "--clearing-limit");
  return change;
}

static void run_policy_set(const GlobalOptions& options, const PolicyArgs& args) {
  app::SetPolicy request;
  request.as = args.as;
  if (!args.clearing_limit.empty()) request.clearing_limit = clearing_limit_arg(args.clearing_limit);
  if (!args.role.empty() || !args.floor.empty()) {
    if (args.role.empty() || args.floor.empty()) usage_error("--role and --floor-minutes go together");
    request.role_floor = app::RoleFloor{args.role, parse_minutes_arg(args.floor, "--floor-minutes")};
  }
  if (!args.pool_floor.empty())
    request.pool_floor_minutes = parse_minutes_arg(args.pool_floor, "--pool-floor-minutes");
  request.no_pool_floor = args.no_pool_floor;
  if (!args.max_entry.empty())
    request.max_entry_minutes = parse_minutes_arg(args.max_entry, "--max-entry-minutes");
  for (const auto& limit : args.claim_limits)
    request.claim_limits.push_back(expense_limit(limit, "--expense-claim-limit"));
  for (const auto& limit : args.month_limits)
    request.month_limits.push_back(expense_limit(limit, "--expense-month-limit"));
  if (!args.mileage_rate.empty())
    request.mileage_rate_pence = parse_whole_arg(args.mileage_rate, "--mileage-rate-pence", "pence");
  if (!args.categories.empty()) {
    request.categories.emplace();
    std::stringstream list(args.categories);
    for (std::string item; std::getline(list, item, ',');) request.categories->push_back(item);
  }
  if (!args.vetted.empty()) {
    request.vetted_categories.emplace();
    std::stringstream list(args.vetted);
    if (args.vetted != "none")
      for (std::string item; std::getline(list, item, ',');) request.vetted_categories->push_back(item);
  }
  if (!request.role_floor && !request.pool_floor_minutes && !request.no_pool_floor &&
      !request.max_entry_minutes && request.claim_limits.empty() && request.month_limits.empty() &&
      !request.mileage_rate_pence && !request.categories && !request.vetted_categories &&
      !request.clearing_limit)
    usage_error(
        "nothing to set: give --role with --floor-minutes, --pool-floor-minutes, "
        "--no-pool-floor, --max-entry-minutes, --categories, --vetted-categories, --expense-claim-limit, "
        "--expense-month-limit, --mileage-rate-pence or --clearing-limit");
  Client client(options);
  app::PolicySetDone done = client.call(request);
  if (options.json) return print_json({{"id", to_hex(done.entry.id)}, {"seq", done.entry.seq}});
  if (request.clearing_limit) {
    const auto& limit = *request.clearing_limit;
    out() << (limit.floor_minutes ? limit.node + " may owe this co-op at most " +
                                        format_minutes(-*limit.floor_minutes) + " in clearing (limit " +
                                        std::to_string(*limit.floor_minutes) + " minutes)."
                                  : "No limit on what " + limit.node + " may owe this co-op in clearing.")
          << "\n"
          << "Its node refuses its members' transfers past it once it has fetched this entry from this "
             "node's log.\n"
          << to_hex(done.entry.id) << "\n";
    return;
  }
  out() << "Policy updated (" << done.settings << (done.settings == 1 ? " setting" : " settings") << ").\n"
        << to_hex(done.entry.id) << "\n";
}

static void run_policy_show(const GlobalOptions& options) {
  Client client(options);
  app::PolicyView policy = client.call(app::ShowPolicy{});
  nlohmann::json claim_limits = nlohmann::json::object(), month_limits = nlohmann::json::object();
  for (const auto& limits : policy.expense_limits) {
    claim_limits[limits.category] = limits.claim_limit_pence;
    month_limits[limits.category] = limits.month_limit_pence;
  }
  nlohmann::json floors = nlohmann::json::object();
  for (const auto& floor : policy.role_floors) floors[floor.role] = floor.minutes;
  auto minutes_or_null = [](const std::optional<std::int64_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  nlohmann::json clearing_limits = nlohmann::json::array();
  for (const auto& limit : policy.clearing_limits)
    clearing_limits.push_back({{"node", limit.node},
                               {"ours_minutes", minutes_or_null(limit.ours_minutes)},
                               {"theirs_minutes", minutes_or_null(limit.theirs_minutes)}});
  nlohmann::json json = {
      {"role_floor_minutes", floors},
      {"pool_floor_minutes",
       policy.pool_floor_minutes ? nlohmann::json(*policy.pool_floor_minutes) : nlohmann::json(nullptr)},
      {"max_entry_minutes", policy.max_entry_minutes},
      {"mileage_rate_pence", policy.mileage_rate_pence},
      {"expense_claim_limit_pence", claim_limits},
      {"expense_month_limit_pence", month_limits},
      {"categories", policy.categories},
      {"vetted_categories", policy.vetted_categories},
      {"clearing_limits", clearing_limits}};
  if (options.json) return print_json(json);
  Table table({"ROLE", "FLOOR"}, {false, true});
  for (auto& [role, floor] : floors.items()) table.add({role, format_minutes(floor.get<std::int64_t>())});
  out() << table.render() << "pool floor: "
        << (policy.pool_floor_minutes ? format_minutes(*policy.pool_floor_minutes) : std::string("none"))
        << "\n"
        << "maximum per entry: " << format_minutes(policy.max_entry_minutes) << "\n"
        << "categories: ";
  for (std::size_t i = 0; i < policy.categories.size(); ++i) out() << (i ? ", " : "") << policy.categories[i];
  out() << "\nneeds a current safeguarding check: ";
  for (std::size_t i = 0; i < policy.vetted_categories.size(); ++i)
    out() << (i ? ", " : "") << policy.vetted_categories[i];
  if (policy.vetted_categories.empty()) out() << "nothing";
  out() << "\nexpenses (" << policy.currency << "): mileage " << format_pence(policy.mileage_rate_pence)
        << " a mile\n";
  for (const auto& limits : policy.expense_limits)
    out() << "  " << limits.category << ": per claim "
          << (limits.claim_limit_pence ? format_pence(limits.claim_limit_pence) : std::string("no limit"))
          << ", per month "
          << (limits.month_limit_pence ? format_pence(limits.month_limit_pence) : std::string("no limit"))
          << "\n";
  for (const auto& limit : policy.clearing_limits)
    out() << "clearing with " << limit.node << ": it may owe this co-op "
          << (limit.ours_minutes ? "at most " + format_minutes(-*limit.ours_minutes) : std::string("any amount"))
          << "; this co-op may owe it "
          << (limit.theirs_minutes ? "at most " + format_minutes(-*limit.theirs_minutes) : std::string("any amount"))
          << "\n";
}

void add_node_commands(CLI::App& app, GlobalOptions& options) {
  auto name = std::make_shared<std::string>(), currency = std::make_shared<std::string>("GBP");
  CLI::App* init = add_command(app, "init", "Create a new node (a co-op's ledger) in --data DIR");
  init->add_option("--name", *name, "The co-op's name, e.g. \"Hilltop Care Co-op\"")->required();
  init->add_option("--currency", *currency, "Currency of expenses, a three-letter code")
      ->capture_default_str();
  init->callback([&options, name, currency] { run_init(options, *name, *currency); });

  CLI::App* node = add_command(app, "node", "The node's own key");
  node->require_subcommand(1);
  CLI::App* rotate = add_command(*node, "rotate-key",
                                 "Sign for the node with a new key from now on and retire the old one for good "
                                 "(a stolen or exposed node.key); the daemon must be stopped");
  rotate->callback([&options] { run_rotate_key(options); });

  CLI::App* policy = add_command(app, "policy", "Show or set the co-op's limits");
  policy->require_subcommand(1);
  auto args = std::make_shared<PolicyArgs>();
  CLI::App* set = add_command(*policy, "set", "Set a limit (signed by an admin)");
  set->add_option("--as", args->as, "The admin who signs")->required();
  set->add_option("--role", args->role, "Role whose balance floor to set");
  set->add_option("--floor-minutes", args->floor, "Lowest balance for the role, zero or negative minutes");
  set->add_option("--pool-floor-minutes", args->pool_floor, "Lowest balance of the co-op pool");
  set->add_flag("--no-pool-floor", args->no_pool_floor, "Remove the pool's floor");
  set->add_option("--max-entry-minutes", args->max_entry, "Maximum minutes in one entry (1-1440)");
  set->add_option("--categories", args->categories, "Comma-separated list of allowed categories");
  set->add_option("--vetted-categories", args->vetted,
                  "Comma-separated categories whose help needs a current safeguarding check (respite also "
                  "covers respite offers); none for nothing");
  set->add_option("--expense-claim-limit", args->claim_limits,
                  "CATEGORY=PENCE: most one claim may be (repeatable)");
  set->add_option("--expense-month-limit", args->month_limits,
                  "CATEGORY=PENCE: a member's monthly total above which claims are flagged (repeatable)");
  set->add_option("--mileage-rate-pence", args->mileage_rate,
                  "Pence paid per mile of travel claimed in miles");
  set->add_option("--clearing-limit", args->clearing_limit,
                  "NODE=MINUTES: how far co-op NODE may go into debt with this one in clearing, zero or "
                  "negative minutes (e.g. riverside=-2000), or NODE=none; set alone");
  set->callback([&options, args] { run_policy_set(options, *args); });
  CLI::App* show = add_command(*policy, "show", "Show the limits in force");
  show->callback([&options] { run_policy_show(options); });
  add_social_value_command(*policy, options);
}

}  // namespace cohours::cli
