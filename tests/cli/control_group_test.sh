#!/usr/bin/env bash
# Who may use a running daemon's control socket (docs/operations.md "Install
# from the package", docs/decisions.md "Group access to the control socket"):
# without --group the node is its user's alone, as before (socket 0600,
# directory 0700) and root may use it; with --group G the group's members
# run commands without sudo, files named on their commands are written as
# them, and anyone else is told which group to join.
# Runs processes as other users with setpriv, so it needs root; skipped
# (exit 77) otherwise. The users need no accounts: the daemon's user is
# nobody (group nogroup); a member is uid 61001 with nogroup as its group;
# an outsider is uid 61002.
# Usage: control_group_test.sh PATH/TO/cohours PATH/TO/cohoursd
set -u
COHOURS=$(realpath "$1")
COHOURSD=$(realpath "$2")
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
  echo "SKIP: needs root and setpriv to run commands as other users"
  exit 77
fi
WORK=$(mktemp -d)
chmod 0755 "$WORK"
daemon=""
trap '[ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon"; rm -rf "$WORK"' EXIT
. "$(dirname "$0")/testlib.sh"

NODE=$WORK/node
as() {
  local uid=$1 gid=$2
  shift 2
  setpriv --reuid "$uid" --regid "$gid" --clear-groups -- "$@"
}
# run_as UID GID ARGS...: like testlib's run, as that user.
run_as() {
  local uid=$1 gid=$2
  shift 2
  out=$(cd "$WORK" && as "$uid" "$gid" "$COHOURS" --data "$NODE" "$@" 2>"$WORK/stderr")
  status=$?
  err=$(cat "$WORK/stderr")
}
expect() {  # expect WHAT STATUS PATTERN: the last run's exit status and stderr
  if [ "$status" -eq "$2" ] && [[ $err =~ $3 ]]; then ok; else bad "$1: exit $status, stderr: $err"; fi
}
mode_of() { stat -c '%a %G' "$1"; }
start_daemon() {
  # setpriv execs the daemon, so $! is the daemon itself.
  setpriv --reuid 65534 --regid 65534 --clear-groups -- "$COHOURSD" --data "$NODE" "$@" >"$WORK/daemon.log" 2>&1 &
  daemon=$!
  local deadline=$((SECONDS + 20))
  until [ -S "$NODE/control.sock" ] && "$COHOURS" --data "$NODE" balance >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$daemon" 2>/dev/null; then
      bad "cohoursd $* did not start: $(cat "$WORK/daemon.log")"
      return 1
    fi
    sleep 0.1
  done
}
stop_daemon() {
  kill "$daemon" && wait "$daemon"
  daemon=""
}

mkdir "$NODE" && chown 65534:65534 "$NODE"
run_as 65534 65534 init --name "Hilltop Care Co-op"
expect "init as the node's user" 0 ''
run_as 65534 65534 member add alice --role volunteer
run_as 65534 65534 member add bob --role service-user
expect "member add as the node's user" 0 ''

# --- one user's node, as before: nobody else gets in, root does ---
start_daemon
[ "$(mode_of "$NODE/control.sock")" = "600 nogroup" ] && ok || bad "socket without --group: $(mode_of "$NODE/control.sock")"
[ "$(mode_of "$NODE")" = "700 nogroup" ] && ok || bad "data directory without --group: $(mode_of "$NODE")"
run_as 61001 65534 balance
expect "a group member without --group" 5 "permission denied on $NODE/control.sock: only the node's user may use it"
run_as 0 0 balance
expect "root through the daemon" 0 ''
stop_daemon

# --- --group: the group's members get in ---
start_daemon --group nogroup
[ "$(mode_of "$NODE/control.sock")" = "660 nogroup" ] && ok || bad "socket with --group: $(mode_of "$NODE/control.sock")"
[ "$(mode_of "$NODE")" = "710 nogroup" ] && ok || bad "data directory with --group: $(mode_of "$NODE")"
[ "$(stat -c %a "$NODE/node.key")" = "600" ] && ok || bad "node.key is not the daemon user's alone"
run_as 61001 65534 hours log --as alice --to bob --minutes 90 --category befriending --date 2026-11-20
expect "hours log by a member of the group" 0 ''
entry=$(echo "$out" | tail -n 1)
run_as 61001 65534 hours confirm "$entry" --as bob
expect "hours confirm by a member of the group" 0 ''
run_as 61001 65534 balance alice
expect "balance by a member of the group" 0 ''
[[ $out == *"alice"*"1h 30m"* ]] && ok || bad "alice's balance after 90 minutes: $out"
# COHOURS_DATA instead of --data on every command.
out=$(cd "$WORK" && COHOURS_DATA=$NODE as 61001 65534 "$COHOURS" balance alice 2>&1)
[[ $out == *"alice"*"1h 30m"* ]] && ok || bad "balance with COHOURS_DATA: $out"
# A file named on the command is written by the caller, as the caller.
mkdir "$WORK/exports" && chown 61001:65534 "$WORK/exports"
run_as 61001 65534 export --format csv "$WORK/exports/month"
expect "export by a member of the group" 0 ''
owner=$(stat -c %u "$WORK/exports/month/records.csv" 2>/dev/null)
[ "$owner" = 61001 ] && ok || bad "the export's files belong to '$owner', not to the caller 61001"
# Outsiders: the directory keeps them out, and cohours says which group to join.
run_as 61002 61002 balance
expect "an outsider" 5 "permission denied on $NODE/control.sock: join the group 'nogroup' \(sudo adduser 61002 nogroup\) and log in again"
# With the modes opened by mistake, the daemon itself still refuses them.
chmod 0711 "$NODE" && chmod 0666 "$NODE/control.sock"
run_as 61002 61002 balance
expect "an outsider past the modes" 5 "join the group 'nogroup'"
grep -q "control: refused a connection: permission denied on $NODE/control.sock: join the group 'nogroup'" \
  "$WORK/daemon.log" && ok || bad "the daemon's log does not say why it refused: $(tail -n 3 "$WORK/daemon.log")"
chmod 0710 "$NODE"
stop_daemon

# Without the daemon only the node's user may open the node.
run_as 61001 65534 balance
expect "a member with the daemon stopped" 1 "the daemon of the node at $NODE is not running, and only its user, nobody, may use the node without it"
# A group the daemon cannot use stops it at start.
as 65534 65534 "$COHOURSD" --data "$NODE" --group no-such-group-cohours >"$WORK/bad.log" 2>&1
status=$?
err=$(cat "$WORK/bad.log")
expect "--group of no such group" 1 "--group no-such-group-cohours: there is no group 'no-such-group-cohours'"
as 65534 65534 "$COHOURSD" --data "$NODE" --group root >"$WORK/bad.log" 2>&1
status=$?
err=$(cat "$WORK/bad.log")
expect "--group the daemon's user is not in" 1 "the daemon's user nobody is not in the group 'root'"
finish
