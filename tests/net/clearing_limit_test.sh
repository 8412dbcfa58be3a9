#!/usr/bin/env bash
# Trade limits between co-ops (docs/decisions.md "Trade limits between
# co-ops"), with two real daemons: riverside lets hilltop owe it at most
# 1h30; once hilltop's daemon has recorded that from its copy of riverside's
# log, a transfer past it is refused at hilltop with what is left, and
# `clearing` shows the limit both ways (table and --json). Bad input changes
# nothing.
#   clearing_limit_test.sh COHOURS COHOURSD
set -u
COHOURS=$(realpath "$1")
COHOURSD=$(realpath "$2")
export COHOURS_NOW=${COHOURS_NOW:-2026-11-30T12:00:00Z}
TODAY=${COHOURS_NOW%%T*}
WORK=$(mktemp -d)
source "$(dirname "$0")/../cli/testlib.sh"

cleanup() {
  for pidfile in "$WORK"/*.pid; do
    [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
  done
  if [ "$failed" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      echo "---- $log (last 20 lines)"
      tail -20 "$log"
    done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
source "$(dirname "$0")/../lib/loopback.sh"  # free_port, node, wait_until

start() {
  "$COHOURSD" --data "$WORK/$1" 2>>"$WORK/$1.log" &
  echo $! >"$WORK/$1.pid"
  wait_until "the daemon of $1 to answer" 20 node "$1" consortium show && ok
}
# recorded: hilltop's log holds riverside's newest limit on it.
recorded() {
  [ "$(node hilltop --json clearing | jq -r '.pairs[0] | (.first_limit_recorded or .second_limit_recorded)')" = true ]
}

PH=$(free_port)
PR=$(free_port)
for name in hilltop riverside; do expect_ok --data "$WORK/$name" init --name "$name co-op"; done
FILE="$WORK/county.json"
expect_ok --data "$WORK/hilltop" consortium new "$FILE" --name county --node-name hilltop --address "127.0.0.1:$PH"
expect_ok consortium add "$FILE" --node-name riverside --key "$(node riverside consortium key)" \
  --address "127.0.0.1:$PR"
for name in hilltop riverside; do expect_ok --data "$WORK/$name" consortium sign "$FILE"; done
for name in hilltop riverside; do expect_ok --data "$WORK/$name" consortium join "$FILE"; done
expect_ok --data "$WORK/hilltop" member add dan --role volunteer
expect_ok --data "$WORK/hilltop" member add sue --role service-user
expect_ok --data "$WORK/riverside" member add alice --role volunteer
expect_ok --data "$WORK/riverside" member add ada --role admin

# Bad input, before any daemon: refused with a reason, nothing stored.
size_before=$(node riverside --json log show | jq '.log_size')
run --data "$WORK/riverside" policy set --clearing-limit hilltop=+90 --as ada
[ "$status" -ne 0 ] && [[ "$err" == *"--clearing-limit"* ]] && ok || bad "a positive limit: $status $err"
run --data "$WORK/riverside" policy set --clearing-limit hilltop=90 --as ada
[ "$status" -eq 4 ] && [[ "$err" == *"a floor is zero or a negative number of minutes"* ]] && ok ||
  bad "a limit above zero: $status $err"
run --data "$WORK/riverside" policy set --clearing-limit nowhere=-90 --as ada
[ "$status" -ne 0 ] && [[ "$err" == *"no node named 'nowhere'"* ]] && ok || bad "an unknown node: $status $err"
run --data "$WORK/riverside" policy set --clearing-limit riverside=-90 --as ada
[ "$status" -ne 0 ] && [[ "$err" == *"is this co-op"* ]] && ok || bad "its own name: $status $err"
run --data "$WORK/riverside" policy set --clearing-limit hilltop=-90 --pool-floor-minutes -60 --as ada
[ "$status" -ne 0 ] && [[ "$err" == *"command of its own"* ]] && ok || bad "with another setting: $status $err"
run --data "$WORK/riverside" policy set --clearing-limit hilltop --as ada
[ "$status" -ne 0 ] && [[ "$err" == *"NODE=MINUTES"* ]] && ok || bad "no value: $status $err"
run --data "$WORK/riverside" policy set --clearing-limit hilltop=-90 --as alice
[ "$status" -ne 0 ] && [[ "$err" == *"only an admin"* ]] && ok || bad "not an admin: $status $err"
[ "$size_before" -gt 0 ] && [ "$(node riverside --json log show | jq '.log_size')" = "$size_before" ] && ok ||
  bad "a refused limit was stored"

# Riverside lets hilltop owe it at most 1h30 (a duration works as minutes do).
run --data "$WORK/riverside" policy set --clearing-limit hilltop=-1h30 --as ada
[ "$status" -eq 0 ] && [[ "$out" == *"hilltop may owe this co-op at most 1h 30m in clearing"* ]] && ok ||
  bad "policy set --clearing-limit: $status $out $err"
run --data "$WORK/riverside" --json policy show
[ "$(jq -c '.clearing_limits' <<<"$out")" = '[{"node":"hilltop","ours_minutes":-90,"theirs_minutes":null}]' ] &&
  ok || bad "policy show --json: $out"

start hilltop
start riverside
wait_until "hilltop to record riverside's limit" 30 recorded && ok

# Dan earns two hours, sends one; the second would pass the limit.
id=$(node hilltop hours log --as dan --to sue --minutes 120 --category befriending --date "$TODAY" | tail -1)
expect_ok --data "$WORK/hilltop" hours confirm "$id" --as sue
expect_ok --data "$WORK/hilltop" transfer --as dan --to alice@riverside --minutes 60
size_before=$(node hilltop --json log show | jq '.log_size')
run --data "$WORK/hilltop" transfer --as dan --to alice@riverside --minutes 45
[ "$status" -eq 6 ] && ok || bad "a transfer past the limit exits 6, got $status"
[[ "$err" == *"lets this co-op owe it at most 90 minutes in clearing"* &&
  "$err" == *"owes it 60 now, so 30 minutes are left"* ]] && ok || bad "the refusal says why: $err"
[ "$size_before" -gt 0 ] && [ "$(node hilltop --json log show | jq '.log_size')" = "$size_before" ] && ok ||
  bad "the refused transfer was stored"
expect_ok --data "$WORK/hilltop" transfer --as dan --to alice@riverside --minutes 30

# clearing, as hilltop sees it: riverside may owe any amount; hilltop 1h30, none left.
run --data "$WORK/hilltop" clearing
[ "$status" -eq 0 ] && [[ "$out" == *"Trade limits"* ]] && ok || bad "clearing shows the limits: $out"
grep -Eq '^hilltop +riverside +1h 30m +0m +yes' <<<"$out" && ok || bad "the limit row: $out"
run --data "$WORK/hilltop" --json clearing
pair=$(jq -c '.pairs[0]' <<<"$out")
if [ "$(jq -r '.first' <<<"$pair")" = hilltop ]; then
  want='{"limit":-90,"left":0,"recorded":true,"other":null}'
  got=$(jq -c '{limit: .second_limit_minutes, left: .first_may_send_minutes, recorded: .second_limit_recorded, other: .first_limit_minutes}' <<<"$pair")
else
  want='{"limit":-90,"left":0,"recorded":true,"other":null}'
  got=$(jq -c '{limit: .first_limit_minutes, left: .second_may_send_minutes, recorded: .first_limit_recorded, other: .second_limit_minutes}' <<<"$pair")
fi
[ "$got" = "$want" ] && ok || bad "clearing --json: $pair"
# The log names the recorded limit for people.
node hilltop log show | grep -q "riverside lets this co-op owe it at most 1h 30m in clearing" && ok ||
  bad "the log summary of clearing.limit.peer"

finish
