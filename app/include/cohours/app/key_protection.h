// `cohours key status | protect | unprotect`: a passphrase on the node's
// key files at rest (docs/operations.md "Protecting the keys"). One policy
// for all of a node's keys: node.key and every keyring key (custodial keys
// of members without a phone) are encrypted under one passphrase and one
// salt, so a process unlocks them all with one Argon2id derivation.
//
// These run in the process that asks, never through the daemon: they
// rewrite the files the daemon reads its keys from, so they hold the
// store's lock for their whole run and refuse while cohoursd (or another
// command) has the node open.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>

#include "cohours/app/passphrase.h"
#include "cohours/key_file.h"
#include "cohours/result.h"
#include "cohours/types.h"

namespace cohours::app {

// What is on disk, read without a passphrase.
struct KeyFilesState {
  PublicKey node_key;
  std::optional<KdfLimits> node_key_encrypted;  // the limits node.key names; nullopt: plain hex
  std::size_t keyring_plain = 0;
  std::size_t keyring_encrypted = 0;
};
Result<KeyFilesState> key_files_state(const std::filesystem::path& data_dir);

struct KeysRewritten {
  std::size_t files = 0;  // node.key and the keyring keys rewritten
  std::optional<KdfLimits> limits;  // what they are now encrypted with; nullopt: plain
};

// Encrypts node.key and every keyring key under `new_passphrase` (at least
// kMinNewPassphraseBytes) with a fresh salt and `limits`. Keys already
// encrypted are opened with the passphrase from `current` (this is how a
// passphrase is changed) or, after a change cut short, with the new one.
// Every key is read and checked before any file is written; then the
// keyring keys, and node.key last, are each replaced atomically
// (write_secret_key), and node.key is read back. Refusals change nothing:
// a key that does not open (the unlocker's messages), the node in use
// (wrong_state), no node (not_found), a short passphrase (malformed). A
// crash or a full disk midway leaves every file whole, some old and some
// new, each still readable; running the command again finishes the job.
Result<KeysRewritten> protect_keys(const std::filesystem::path& data_dir, PassphraseSource current,
                                   const GuardedBytes& new_passphrase, KdfLimits limits = kKeyFileKdfLimits);

// Writes node.key and every keyring key back as plain hex (opened with the
// passphrase from `current`), keyring first and node.key last, each
// atomically. Refusals as protect_keys'. files is 0 when none was
// encrypted (nothing is written then).
Result<KeysRewritten> unprotect_keys(const std::filesystem::path& data_dir, PassphraseSource current);

}  // namespace cohours::app
