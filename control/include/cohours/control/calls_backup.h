// Calls and their JSON: a backup made by the daemon that holds the store,
// read back in pieces by `cohours`, which writes the files itself; the keys
// sealed under the person's passphrase; and `node i-am-alone`
// (app/backup.h). A restore is no call: it runs only where no daemon holds
// the node.
#pragma once

#include "cohours/app/backup.h"
#include "cohours/control/call.h"
#include "cohours/control/json_basics.h"

namespace cohours::app {
COHOURS_JSON_EMPTY(StartBackup)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BackupFile, path, bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BackupManifest, format, store_format, version, node, name, log_size, head_root,
                                   made_ms, files, receipts, keys)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BackupStarted, id, manifest)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReadBackupFile, id, part, path, offset)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BackupChunk, bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EndBackup, id)
COHOURS_JSON_EMPTY(BackupEnded)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SealKeys, passphrase)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SealedKey, file, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SealedKeys, keys)
COHOURS_JSON_EMPTY(IAmAlone)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SigningReleased, was_held)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::StartBackup, cohours::app::BackupStarted, "backup.start", cohours::app::start_backup)
COHOURS_CALL(cohours::app::ReadBackupFile, cohours::app::BackupChunk, "backup.read", cohours::app::read_backup_file)
COHOURS_CALL(cohours::app::EndBackup, cohours::app::BackupEnded, "backup.end", cohours::app::end_backup)
COHOURS_CALL(cohours::app::SealKeys, cohours::app::SealedKeys, "backup.seal_keys", cohours::app::seal_keys)
COHOURS_CALL(cohours::app::IAmAlone, cohours::app::SigningReleased, "node.i_am_alone", cohours::app::i_am_alone)

namespace cohours::control {
using BackupCalls = CallList<app::StartBackup, app::ReadBackupFile, app::EndBackup, app::SealKeys, app::IAmAlone>;
}  // namespace cohours::control
