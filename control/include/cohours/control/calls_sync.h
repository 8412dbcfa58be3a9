// Calls and their JSON: the consortium file's node-side steps, sync,
// clearing, witnessed heads and equivocations (app/consortium.h,
// app/sync.h).
#pragma once

#include "cohours/app/consortium.h"
#include "cohours/app/names.h"
#include "cohours/app/sync.h"
#include "cohours/control/call.h"
#include "cohours/control/json_basics.h"

namespace cohours::app {
COHOURS_JSON_EMPTY(DescribeNode)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NodeInfo, node_key, name, currency)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SignConsortium, file_text, file)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConsortiumSigned, file_text, node_name, still_to_sign)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(JoinConsortium, file_text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConsortiumJoined, name, version, id, nodes, daemon_running)
COHOURS_JSON_EMPTY(ShowConsortium)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConsortiumNodeView, name, key, address, currency, this_node)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ConsortiumView, name, version, id, nodes, file_text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ForgetRemoteNames, node_name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RemoteNamesForgotten, erased, node_name)

COHOURS_JSON_EMPTY(ShowSyncStatus)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogSyncView, log, name, node_name, own, size, frozen, broken)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PeerState::LogSize, log, size)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PeerState, name, key, connected, last_contact_ms, banned_until_ms,
                                   ban_reason, sizes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SyncStatusView, running, consortium_joined, consortium, listen, logs,
                                   peers, own_log_unconfirmed)
COHOURS_JSON_EMPTY(ShowClearing)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ClearingPair, first, second, first_holds_minutes, second_holds_minutes,
                                   net_minutes, in_flight, in_flight_minutes_first_to_second, first_limit_minutes,
                                   second_may_send_minutes, first_limit_recorded, second_limit_minutes,
                                   first_may_send_minutes, second_limit_recorded)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ClearingView, pairs)
COHOURS_JSON_EMPTY(ListHeads)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(WitnessedHead, size, root, witnesses)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogHeads, log, name, own, frozen, size, root, witnessed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(HeadsView, logs)
COHOURS_JSON_EMPTY(ListEquivocations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EquivocationView, log, name, size, first_root, second_root, first_head,
                                   second_head)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EquivocationList, equivocations)
}  // namespace cohours::app

COHOURS_CALL(cohours::app::DescribeNode, cohours::app::NodeInfo, "node.describe", cohours::app::describe_node)
COHOURS_CALL(cohours::app::SignConsortium, cohours::app::ConsortiumSigned, "consortium.sign",
             cohours::app::sign_consortium)
COHOURS_CALL(cohours::app::JoinConsortium, cohours::app::ConsortiumJoined, "consortium.join",
             cohours::app::join_consortium)
COHOURS_CALL(cohours::app::ShowConsortium, cohours::app::ConsortiumView, "consortium.show",
             cohours::app::show_consortium)
COHOURS_CALL(cohours::app::ForgetRemoteNames, cohours::app::RemoteNamesForgotten, "consortium.forget_names",
             cohours::app::forget_remote_names)
COHOURS_CALL(cohours::app::ShowSyncStatus, cohours::app::SyncStatusView, "sync.status",
             cohours::app::sync_status)
COHOURS_CALL(cohours::app::ShowClearing, cohours::app::ClearingView, "clearing", cohours::app::clearing)
COHOURS_CALL(cohours::app::ListHeads, cohours::app::HeadsView, "audit.heads", cohours::app::list_heads)
COHOURS_CALL(cohours::app::ListEquivocations, cohours::app::EquivocationList, "audit.equivocations",
             cohours::app::list_equivocations)

namespace cohours::control {
using SyncCalls = CallList<app::DescribeNode, app::SignConsortium, app::JoinConsortium, app::ShowConsortium,
                           app::ForgetRemoteNames, app::ShowSyncStatus, app::ShowClearing, app::ListHeads, app::ListEquivocations>;
}  // namespace cohours::control
