// Where the passphrase of encrypted key files comes from
// (docs/operations.md "Protecting the keys"), in this order: a file the
// front end names (COHOURS_PASSPHRASE_FILE or --passphrase-file: systemd's
// LoadCredential gives the daemon one), else a person at a terminal, else a
// refusal that says how to give it. A passphrase only ever lives in
// GuardedBytes and never enters a message.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "cohours/crypto.h"
#include "cohours/result.h"

namespace cohours::app {

// How to give a passphrase, for refusals (both front ends take these).
inline constexpr const char* kPassphraseHint =
    "name a file holding the passphrase with COHOURS_PASSPHRASE_FILE (or --passphrase-file FILE), or run "
    "the command on a terminal to be asked";
// Passphrases are at most this long (a file or a typed line).
inline constexpr std::size_t kMaxPassphraseBytes = 1024;
// A new passphrase is at least this long.
inline constexpr std::size_t kMinNewPassphraseBytes = 8;

// Asks a person for a passphrase with `prompt`, without echo; nullopt if
// they gave none (end of input).
using AskPassphrase = std::function<std::optional<GuardedBytes>(const std::string& prompt)>;

struct PassphraseSource {
  std::filesystem::path file;  // empty: none named
  AskPassphrase ask;           // empty: nobody to ask
};

// The passphrase in `path`: the file's bytes without one trailing newline
// ("\n" or "\r\n"). Refused: a file that is missing, not a regular file or
// a pipe, readable or writable by others than its owner and group, empty,
// or over kMaxPassphraseBytes. `-` is standard input, read to its end.
// Messages name the file, never its contents.
Result<GuardedBytes> read_passphrase_file(const std::filesystem::path& path);

// Asks on the terminal (the prompt on stderr, the answer read from stdin
// with echo off), or empty when stdin is not a terminal.
AskPassphrase terminal_asker();

// malformed unless `passphrase` has at least kMinNewPassphraseBytes bytes.
Status check_new_passphrase(const GuardedBytes& passphrase);

}  // namespace cohours::app
