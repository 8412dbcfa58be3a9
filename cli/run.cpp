#include "run.h"

#include <filesystem>

#include "cohours/crypto.h"
#include "cohours/version.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

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

int run(int argc, char** argv) {
  if (!cohours::crypto_init()) {
    err() << "error: libsodium could not initialise\n";
    return exit_operational;
  }
  GlobalOptions options;
  CLI::App app{"cohours: time credits for care co-operatives"};
  app.set_version_flag("--version", "cohours " + version_text());
  app.name("cohours");
  app.require_subcommand(1);
  // COHOURS_DATA: an installed node's admins set it once (operations.md,
  // "Install from the package") instead of typing --data on every command.
  app.add_option("--data", options.data_dir, "The node's data directory")
      ->capture_default_str()
      ->envname("COHOURS_DATA");
  app.add_flag("--json", options.json, "Print JSON for scripts");
  app.add_option("--passphrase-file", options.passphrase_file,
                 "A file holding the passphrase of the node's encrypted key files (docs/operations.md)")
      ->envname("COHOURS_PASSPHRASE_FILE");
  add_node_commands(app, options);
  add_member_commands(app, options);
  add_exchange_commands(app, options);
  add_report_commands(app, options);
  add_audit_commands(app, options);
  add_expense_commands(app, options);
  add_vetting_commands(app, options);
  add_thanks_commands(app, options);
  add_offers_commands(app, options);
  add_export_commands(app, options);
  add_sync_commands(app, options);
  add_key_commands(app, options);
  add_backup_commands(app, options);
  // An unknown command word gets its own clear error rather than CLI11's
  // "a subcommand is required".
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word == "--data" || word == "--passphrase-file") {
      ++i;
      continue;
    }
    if (word.rfind("-", 0) == 0) continue;
    bool known = false;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
      known = known || command->get_name() == word;
    if (!known) {
      err() << "error: unknown command '" << word << "' (see `cohours --help`)\n";
      return exit_usage;
    }
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out(), err());
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out(), err());
  } catch (const CLI::CallForVersion&) {
    out() << "cohours " << version_text() << "\n";
    return exit_ok;
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    if (wants_json(argc, argv))
      print_json({{"error", {{"code", "usage"}, {"message", message}, {"exit", int(exit_usage)}}}});
    err() << "error: " << one_line(message) << " (see `cohours --help` or `cohours COMMAND --help`)\n";
    return exit_usage;
  } catch (const CliError& e) {
    int code = e.exit_override >= 0 ? e.exit_override : exit_code_for(e.code);
    if (options.json && !e.json_printed)
      print_json({{"error", {{"code", cohours::code_name(e.code)}, {"message", e.message}, {"exit", code}}}});
    err() << "error: " << one_line(e.message) << "\n";
    return code;
  } catch (const std::exception& e) {
    err() << "error: " << one_line(e.what()) << "\n";
    return exit_operational;
  }
  return exit_ok;
}

}  // namespace

int run_cli(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Printing an error can itself fail (e.g. JSON of bytes that are not UTF-8).
    err() << "error: " << one_line(e.what()) << "\n";
  } catch (...) {
    err() << "error: unexpected failure\n";
  }
  return exit_operational;
}

int run_cli(const std::vector<std::string>& args) {
  // CLI11 reads a C argv; the strings outlive the call.
  std::vector<std::string> words;
  words.reserve(args.size() + 1);
  words.push_back("cohours");
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  return run_cli(static_cast<int>(words.size()), argv.data());
}

}  // namespace cohours::cli
