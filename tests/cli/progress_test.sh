#!/usr/bin/env bash
# Long commands show progress on a terminal with and without a daemon
# (cli/CONTROL.md "Progress"): a 300-row timesheet and an audit, run on a
# pseudo-terminal made by script(1); through a pipe, no progress at all.
# Usage: progress_test.sh PATH/TO/cohours PATH/TO/cohoursd
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: progress_test.sh PATH/TO/cohours PATH/TO/cohoursd}")
COHOURSD=$(realpath "${2:?usage: progress_test.sh PATH/TO/cohours PATH/TO/cohoursd}")
WORK=$(mktemp -d)
DAEMON_PID=
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
COHOURS_ARGS=(--data "$WORK/node")
source "$HERE/testlib.sh"
source "$HERE/../lib/loopback.sh"  # wait_until

# What a person sees on a terminal: stdout and stderr of the command, as
# script(1) records them, with carriage returns made line ends.
on_terminal() {
  local line="$COHOURS --data $WORK/node"
  for arg in "$@"; do line+=" $(printf '%q' "$arg")"; done
  screen=$(script -qec "$line" /dev/null </dev/null 2>&1 | tr '\r' '\n')
}

expect_ok init --name "Hilltop Care Co-op"
expect_ok member add dave --role coordinator
expect_ok member add alice --role volunteer
expect_ok member add bob --role carer
sheet=$WORK/sheet.csv
{
  echo "volunteer,recipient,date,duration,category,note"
  for day in $(seq 0 299); do  # 300 different days of 2025 and 2026
    printf 'alice,bob,%d-%02d-%02d,45m,befriending,\n' $((2025 + day / 168)) $((1 + day / 14 % 12)) $((1 + day % 14))
  done
} >"$sheet"

# Without a daemon: the node opened by cohours reports to the terminal.
on_terminal hours import "$sheet" --as dave --dry-run
grep -qx "checked 300 / 300 rows" <<<"$screen" && ok || bad "no progress without a daemon: $screen"
grep -q "300 of 300 rows would be added" <<<"$screen" && ok || bad "no dry-run answer: $screen"

COHOURS_NOW=2026-11-30T12:00:00Z "$COHOURSD" --data "$WORK/node" 2>>"$WORK/daemon.log" &
DAEMON_PID=$!
wait_until "the daemon to listen" 20 test -S "$WORK/node/control.sock" && ok
wait_until "the daemon to answer" 20 "$COHOURS" --data "$WORK/node" balance && ok

# Through the daemon: the same lines, then the answer.
on_terminal hours import "$sheet" --as dave
grep -qx "checked 300 / 300 rows" <<<"$screen" && ok || bad "no progress through the daemon: $screen"
grep -q "300 of 300 rows added" <<<"$screen" && ok || bad "no import answer through the daemon: $screen"
# Every line of progress counts up to the end, none after the answer.
counts=$(grep -o '^checked [0-9]* / 300 rows$' <<<"$screen" | cut -d' ' -f2)
[ "$(sort -n <<<"$counts")" = "$counts" ] && [ "$(tail -1 <<<"$counts")" = 300 ] && ok ||
  bad "progress out of order: $counts"
[ "$(grep -c '^checked' <<<"$screen")" -le 101 ] && ok || bad "more progress lines than a hundred"
on_terminal audit verify
size=$("$COHOURS" --data "$WORK/node" log show --json | grep '"log_size"' | tr -dc '0-9')
grep -qx "verified $size / $size records" <<<"$screen" && ok || bad "no audit progress through the daemon ($size): $screen"
grep -q "audit passed" <<<"$screen" && ok || bad "the audit did not pass: $screen"

# Through a pipe (a script, cron): no progress, the same answer.
run hours import "$sheet" --as dave
[ "$status" -eq 0 ] && grep -q "Nothing new" <<<"$out" && ok || bad "the import again: $status $out $err"
grep -q "checked" <<<"$err" && bad "progress on a pipe: $err" || ok
# The daemon served all of it and goes on.
expect_ok balance bob
kill -0 "$DAEMON_PID" && ok || bad "the daemon stopped"
finish
