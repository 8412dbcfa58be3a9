// Key commands: key status, key protect, key unprotect
// (app/key_protection.h). They run in this process, never through the
// daemon: they rewrite the files it reads its keys from.
#include <cstring>
#include <filesystem>

#include "client.h"
#include "cohours/app/key_protection.h"
#include "commands.h"
#include "output.h"

namespace cohours::cli {

namespace fs = std::filesystem;

namespace {

std::string describe(const KdfLimits& limits) {
  return "Argon2id, " + std::to_string(limits.ops) + " passes over " + std::to_string(limits.mem_bytes >> 20) +
         " MiB";
}

nlohmann::json limits_json(const std::optional<KdfLimits>& limits) {
  if (!limits) return nullptr;
  return {{"kdf", "argon2id13"}, {"ops", limits->ops}, {"mem_bytes", limits->mem_bytes}};
}

// The new passphrase: from --new-passphrase-file, or typed twice on a terminal.
GuardedBytes new_passphrase(const std::string& file, const std::string& data_dir) {
  if (!file.empty()) return check(app::read_passphrase_file(file));
  app::AskPassphrase ask = app::terminal_asker();
  if (!ask)
    usage_error("key protect needs the new passphrase: --new-passphrase-file FILE, or run it on a terminal "
                "to type it");
  auto first = ask("New passphrase for the keys in " + data_dir + ": ");
  if (!first) fail(Code::malformed, "no passphrase was typed; nothing was changed");
  check(app::check_new_passphrase(*first));
  auto again = ask("The same passphrase again: ");
  if (!again || again->size() != first->size() ||
      std::memcmp(again->data(), first->data(), first->size()) != 0)
    fail(Code::malformed, "the two passphrases typed differ; nothing was changed");
  return std::move(*first);
}

void run_status(const GlobalOptions& options) {
  app::KeyFilesState state = check(app::key_files_state(fs::path(options.data_dir)));
  if (options.json)
    return print_json({{"node_key", to_hex(state.node_key)},
                       {"node_key_encrypted", limits_json(state.node_key_encrypted)},
                       {"keyring_plain", state.keyring_plain},
                       {"keyring_encrypted", state.keyring_encrypted}});
  // The key in node.key: the node's own key, or its newest after a rotation.
  out() << "signs as  " << to_hex(state.node_key) << "\n"
        << "node.key  "
        << (state.node_key_encrypted ? "encrypted with a passphrase (" + describe(*state.node_key_encrypted) + ")"
                                     : std::string("plain hex (no passphrase)"))
        << "\n"
        << "keyring   " << state.keyring_encrypted << " encrypted, " << state.keyring_plain << " plain\n";
  if (!state.node_key_encrypted && state.keyring_encrypted > 0)
    out() << "Some keyring keys are encrypted and node.key is not: a `key protect` or `key unprotect` was cut "
             "short; run it again.\n";
  else if (state.node_key_encrypted && state.keyring_plain > 0)
    out() << "Some keyring keys are plain and node.key is encrypted: run `cohours key protect` again.\n";
}

void run_protect(const GlobalOptions& options, const std::string& new_file) {
  const fs::path dir(options.data_dir);
  GuardedBytes passphrase = new_passphrase(new_file, options.data_dir);
  app::KeysRewritten done = check(app::protect_keys(dir, passphrase_source(options), passphrase));
  if (options.json)
    return print_json({{"files", done.files}, {"encrypted", limits_json(done.limits)}});
  out() << "encrypted node.key and " << done.files - 1 << " keyring key" << (done.files == 2 ? "" : "s")
        << " with the passphrase (" << describe(*done.limits) << ")\n"
        << "Commands run without the daemon, and cohoursd when it starts, now need the passphrase: "
           "COHOURS_PASSPHRASE_FILE=FILE, or a terminal to type it (docs/operations.md).\n";
}

void run_unprotect(const GlobalOptions& options) {
  app::KeysRewritten done = check(app::unprotect_keys(fs::path(options.data_dir), passphrase_source(options)));
  if (options.json) return print_json({{"files", done.files}, {"encrypted", nullptr}});
  if (done.files == 0)
    out() << "the keys were not encrypted; nothing changed\n";
  else
    out() << "wrote node.key and " << done.files - 1 << " keyring key" << (done.files == 2 ? "" : "s")
          << " back as plain hex (no passphrase)\n";
}

}  // namespace

void add_key_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* key = add_command(app, "key", "The node's key files: a passphrase on them at rest");
  key->require_subcommand(1);
  CLI::App* status = add_command(*key, "status", "Show whether node.key and the keyring are encrypted");
  status->callback([&options] { run_status(options); });

  auto new_file = std::make_shared<std::string>();
  CLI::App* protect = add_command(
      *key, "protect", "Encrypt node.key and the keyring with a new passphrase (or change it); daemon stopped");
  protect->add_option("--new-passphrase-file", *new_file,
                      "A file holding the new passphrase (default: type it twice on the terminal)");
  protect->callback([&options, new_file] { run_protect(options, *new_file); });

  CLI::App* unprotect =
      add_command(*key, "unprotect", "Write node.key and the keyring back as plain hex; daemon stopped");
  unprotect->callback([&options] { run_unprotect(options); });
}

}  // namespace cohours::cli
