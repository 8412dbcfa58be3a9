// Who may use the control socket (net/src/control_access.cpp): the daemon's
// user and root always; a group's members only when the daemon was given
// that group (`cohoursd --group`); everyone else is told which group to join.
#include "cohours/net/control_access.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <set>
#include <utility>

using namespace cohours::net;

namespace {

// Group membership without real users: (uid, group) pairs.
struct FakeGroups {
  std::set<std::pair<uid_t, gid_t>> members;
  bool operator()(uid_t uid, gid_t gid, gid_t group) const { return gid == group || members.count({uid, group}) > 0; }
};

const std::string kSocket = "/var/lib/cohours/control.sock";

}  // namespace

TEST_CASE("without a group only the daemon's user and root may use the control socket") {
  FakeGroups groups;
  groups.members.insert({1001, 997});
  CHECK(control_refusal(998, 998, 998, std::nullopt, kSocket, groups).empty());
  CHECK(control_refusal(0, 0, 998, std::nullopt, kSocket, groups).empty());
  // Being in the daemon's group counts for nothing without --group.
  CHECK(control_refusal(1001, 997, 998, std::nullopt, kSocket, groups) ==
        "the daemon runs as user 998, not as user 1001; run cohours as the daemon's user");
}

TEST_CASE("with a group its members get in by primary or supplementary group, others are told to join it") {
  FakeGroups groups;
  groups.members.insert({1001, 997});  // alice: cohours as a supplementary group
  const ControlGroup cohours{"cohours", 997};
  CHECK(control_refusal(998, 997, 998, cohours, kSocket, groups).empty());   // the daemon's user
  CHECK(control_refusal(0, 0, 998, cohours, kSocket, groups).empty());       // root
  CHECK(control_refusal(1001, 1001, 998, cohours, kSocket, groups).empty()); // supplementary
  CHECK(control_refusal(1003, 997, 998, cohours, kSocket, groups).empty());  // primary
  std::string refused = control_refusal(1002, 1002, 998, cohours, kSocket, groups);
  CHECK(refused.rfind("permission denied on /var/lib/cohours/control.sock: join the group 'cohours' (sudo adduser ", 0) == 0);
  CHECK(refused.find(" cohours) and log in again") != std::string::npos);
}

TEST_CASE("group membership is read from the group database") {
  // A process's own primary group.
  CHECK(user_in_group(::geteuid(), ::getegid(), ::getegid()));
  // root found in the database by uid: its primary group 0 though it runs as another.
  CHECK(user_in_group(0, 12345, 0));
  // A user the database does not know is in no group but its own.
  CHECK_FALSE(user_in_group(4'000'000'000u, 4'000'000'001u, 4'000'000'002u));
}

TEST_CASE("a group the daemon cannot use is refused with the reason") {
  std::string why;
  CHECK_FALSE(find_control_group("no-such-group-cohours-test", &why));
  CHECK(why == "there is no group 'no-such-group-cohours-test' (make it with `addgroup --system "
               "no-such-group-cohours-test`)");
}
