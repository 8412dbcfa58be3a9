// cohours: the command line of a co-op's time-credit ledger (docs/cli.md).
#include <iostream>

#include "cohours/crypto.h"
#include "commands.h"
#include "output.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    for (char& ch : message)
      if (ch == '\n') ch = ' ';
    std::cerr << "error: " << message << " (see `cohours --help` or `cohours COMMAND --help`)\n";
    return exit_usage;
  } catch (const CliError& e) {
    int code = e.exit_override >= 0 ? e.exit_override : exit_code_for(e.code);
    if (options.json)
      print_json({{"error", {{"code", cohours::code_name(e.code)}, {"message", e.message}, {"exit", code}}}});
    std::cerr << "error: " << e.message << "\n";
    return code;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return exit_operational;
  }
  return exit_ok;
}
