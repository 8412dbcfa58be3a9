// cohours: the command line of a co-op's time-credit ledger (docs/cli.md).
#include <iostream>

#include "cohours/crypto.h"
#include "commands.h"
#include "output.h"

namespace {

// Errors are one line: control characters a user typed (a newline in an
// alias, say) are shown escaped.
std::string one_line(const std::string& text) {
  std::string out;
  for (unsigned char ch : text) {
    if (ch == '\n')
      out += "\\n";
    else if (ch < 0x20 || ch == 0x7f)
      out += '?';
    else
      out += static_cast<char>(ch);
  }
  return out;
}

bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--json") return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cohours::cli;
  if (!cohours::crypto_init()) {
    std::cerr << "error: libsodium could not initialise\n";
    return exit_operational;
  }
  GlobalOptions options;
  CLI::App app{"cohours: time credits for care co-operatives"};
  app.name("cohours");
  app.require_subcommand(1);
  app.add_option("--data", options.data_dir, "The node's data directory")->capture_default_str();
  app.add_flag("--json", options.json, "Print JSON for scripts");
  add_node_commands(app, options);
  add_member_commands(app, options);
  add_exchange_commands(app, options);
  add_report_commands(app, options);
  add_audit_commands(app, options);
  add_expense_commands(app, options);
  add_export_commands(app, options);
  // An unknown command word gets its own clear error rather than CLI11's
  // "a subcommand is required".
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--data") {
      ++i;
      continue;
    }
    if (word.rfind("-", 0) == 0) continue;
    bool known = false;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
      known = known || command->get_name() == word;
    if (!known) {
      std::cerr << "error: unknown command '" << word << "' (see `cohours --help`)\n";
      return exit_usage;
    }
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (wants_json(argc, argv))
      print_json({{"error", {{"code", "usage"}, {"message", message}, {"exit", int(exit_usage)}}}});
    std::cerr << "error: " << one_line(message) << " (see `cohours --help` or `cohours COMMAND --help`)\n";
    return exit_usage;
  } catch (const CliError& e) {
    int code = e.exit_override >= 0 ? e.exit_override : exit_code_for(e.code);
    if (options.json && !e.json_printed)
      print_json({{"error", {{"code", cohours::code_name(e.code)}, {"message", e.message}, {"exit", code}}}});
    std::cerr << "error: " << one_line(e.message) << "\n";
    return code;
  } catch (const std::exception& e) {
    std::cerr << "error: " << one_line(e.what()) << "\n";
    return exit_operational;
  }
  return exit_ok;
}
