#include "cohours/net/control_access.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace cohours::net {

namespace {

// The user's name, or its number when the password database has none.
std::string access_user_name(uid_t uid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) return found->pw_name;
  return std::to_string(uid);
}

}  // namespace

std::optional<ControlGroup> find_control_group(const std::string& name, std::string* why) {
  std::vector<char> buffer(65536);
  group entry{};
  group* found = nullptr;
  if (::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    *why = "there is no group '" + name + "' (make it with `addgroup --system " + name + "`)";
    return std::nullopt;
  }
  ControlGroup result{found->gr_name, found->gr_gid};
  if (!user_in_group(::geteuid(), ::getegid(), result.gid)) {
    *why = "the daemon's user " + access_user_name(::geteuid()) + " is not in the group '" + name +
           "' (adduser " + access_user_name(::geteuid()) + " " + name + ")";
    return std::nullopt;
  }
  return result;
}

bool user_in_group(uid_t uid, gid_t gid, gid_t group) {
  if (gid == group) return true;
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || !found) return false;
  int count = 64;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  if (::getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));  // count now holds the number needed
    if (::getgrouplist(found->pw_name, found->pw_gid, groups.data(), &count) < 0) return false;
  }
  for (int i = 0; i < count; ++i)
    if (groups[static_cast<std::size_t>(i)] == group) return true;
  return false;
}

std::string control_refusal(uid_t peer_uid, gid_t peer_gid, uid_t daemon_uid,
                            const std::optional<ControlGroup>& group, const std::string& socket_path,
                            const std::function<bool(uid_t, gid_t, gid_t)>& member) {
  if (peer_uid == daemon_uid || peer_uid == 0) return {};
  if (!group)
    return "the daemon runs as user " + std::to_string(daemon_uid) + ", not as user " +
           std::to_string(peer_uid) + "; run cohours as the daemon's user";
  if (member(peer_uid, peer_gid, group->gid)) return {};
  return join_group_message(socket_path, group->name, peer_uid);
}

std::string join_group_message(const std::string& socket_path, const std::string& group_name,
                               uid_t caller_uid) {
  return "permission denied on " + socket_path + ": join the group '" + group_name + "' (sudo adduser " +
         access_user_name(caller_uid) + " " + group_name + ") and log in again";
}

}  // namespace cohours::net
