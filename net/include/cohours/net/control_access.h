// Who may use the control socket (docs/operations.md "Install from the
// package", docs/decisions.md "Group access to the control socket").
//
// Without a group the socket is 0600 and answers the daemon's own user and
// root: a node in someone's home directory stays theirs alone. With a group
// (`cohoursd --group cohours`, as the packaged unit runs it) the socket is
// 0660 owned by that group, its directory 0710 with that group, and the
// daemon also answers every member of the group, so an admin needs no sudo.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

namespace cohours::net {

// The group that may use the socket besides the daemon's user and root.
struct ControlGroup {
  std::string name;
  gid_t gid = 0;
};

// The group called `name`, or nullopt with `*why` saying why not: no such
// group, or the daemon's user is not in it (it could not hand the socket
// to a group it is not in).
std::optional<ControlGroup> find_control_group(const std::string& name, std::string* why);

// True if the user `uid` (primary group `gid`) is a member of `group`: its
// primary group, or a supplementary one in the group database.
bool user_in_group(uid_t uid, gid_t gid, gid_t group);

// Empty if a caller running as `peer_uid`/`peer_gid` may send commands,
// else the message it is refused with. `member` answers user_in_group (a
// parameter so tests need no real users).
std::string control_refusal(uid_t peer_uid, gid_t peer_gid, uid_t daemon_uid,
                            const std::optional<ControlGroup>& group, const std::string& socket_path,
                            const std::function<bool(uid_t, gid_t, gid_t)>& member);

// The message for a caller who may not use the socket at `socket_path`
// because it is not in `group_name` (also what `cohours` says when the
// directory keeps it out): which group to join and how.
std::string join_group_message(const std::string& socket_path, const std::string& group_name,
                               uid_t caller_uid);

}  // namespace cohours::net
