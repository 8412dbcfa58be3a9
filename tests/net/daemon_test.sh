#!/usr/bin/env bash
# Real daemons on loopback (issue 4): three co-ops join one consortium and
# sync; a node stopped while the others work catches up on restart; credits
# move between co-ops; a key outside the consortium is refused; forged
# records, broken hash links and records out of order are refused and none
# of it is stored; a flood of one head is refused at once as malformed; a
# node that signs two different heads of one size is caught by every honest
# node.
#   daemon_test.sh COHOURS COHOURSD PEER_PROBE
set -u
COHOURS=$(realpath "$1")
COHOURSD=$(realpath "$2")
PROBE=$(realpath "$3")
# The day the daemons and commands see (CTest sets COHOURS_NOW): hours are
# dated by it, never by the wall clock.
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
      echo "---- $log (last 30 lines)"
      tail -30 "$log"
    done
  fi
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

source "$(dirname "$0")/../lib/loopback.sh"  # free_port, node, wait_until

# wait_for DESCRIPTION SECONDS COMMAND...: wait_until, counted as a check.
wait_for() { wait_until "$@" && ok; }

start() {
  local name=$1
  local http=()
  # a serves the client API too, for its /metrics (docs/operations.md "Monitoring").
  [ "$name" = a ] && http=(--http "127.0.0.1:$HTTP_A")
  "$COHOURSD" --data "$WORK/$name" --log-level debug --ban-seconds 2 "${http[@]}" 2>>"$WORK/$name.log" &
  echo $! >"$WORK/$name.pid"
  wait_for "the daemon of $name to listen" 20 test -S "$WORK/$name/control.sock"
  wait_for "the daemon of $name to answer" 20 node "$name" consortium show
}

stop() {
  local name=$1 pid
  pid=$(cat "$WORK/$name.pid")
  kill -TERM "$pid"
  wait "$pid"
  local code=$?
  rm -f "$WORK/$name.pid"
  if [ "$code" -eq 0 ]; then ok; else bad "cohoursd $name exited $code on SIGTERM"; fi
  if [ -S "$WORK/$name/control.sock" ]; then bad "$name left its control socket behind"; else ok; fi
}

# size_of NODE LOG_NODE: the size of LOG_NODE's log as held by NODE.
size_of() {
  node "$1" --json sync status | jq -r --arg key "$(cat "$WORK/$2.key")" '.logs[] | select(.log == $key) | .size'
}

# converged: every node holds every log at its owner's size.
converged() {
  local owner holder want have
  for owner in a b c; do
    want=$(size_of "$owner" "$owner")
    for holder in a b c; do
      have=$(size_of "$holder" "$owner")
      [ "$have" = "$want" ] || return 1
    done
  done
}

balance_of() {  # balance_of NODE ALIAS -> minutes
  node "$1" --json balance "$2" | jq -r '.accounts[0].balance_minutes'
}
# Conditions for wait_for, evaluated anew at every poll (a "$(...)" in
# wait_for's arguments would be evaluated once, before the first).
balance_is() {  # balance_is NODE ALIAS MINUTES
  [ "$(balance_of "$1" "$2")" = "$3" ]
}
logged_more() {  # logged_more FILE PATTERN COUNT: more than COUNT lines match
  [ "$(grep -c "$2" "$1")" -gt "$3" ]
}

# ---- three nodes, one consortium ------------------------------------------
for name in a b c; do
  expect_ok --data "$WORK/$name" init --name "Co-op $name"
  node "$name" consortium key >"$WORK/$name.key"
done
PA=$(free_port)
PB=$(free_port)
PC=$(free_port)
HTTP_A=$(free_port)
FILE="$WORK/valley.json"
expect_ok --data "$WORK/a" consortium new "$FILE" --name valley --node-name a --address "127.0.0.1:$PA"
expect_ok consortium add "$FILE" --node-name b --key "$(cat "$WORK/b.key")" --address "127.0.0.1:$PB"
expect_ok consortium add "$FILE" --node-name c --key "$(cat "$WORK/c.key")" --address "127.0.0.1:$PC"
# Joining before everyone signed is refused.
run --data "$WORK/a" consortium join "$FILE"
if [ "$status" -eq 5 ] && [[ "$err" == *"has not signed"* ]]; then ok; else bad "unsigned join: $status $err"; fi
for name in a b c; do expect_ok --data "$WORK/$name" consortium sign "$FILE"; done
for name in a b c; do expect_ok --data "$WORK/$name" consortium join "$FILE"; done
# A file changed after signing is refused.
sed 's/"address": "127.0.0.1:'"$PC"'"/"address": "127.0.0.1:1"/' "$FILE" >"$WORK/tampered.json"
run --data "$WORK/a" consortium join "$WORK/tampered.json"
if [ "$status" -ne 0 ] && [[ "$err" == *"does not match the file"* ]]; then ok; else bad "tampered join: $status $err"; fi

expect_ok --data "$WORK/a" member add dan --role volunteer
expect_ok --data "$WORK/a" member add sue --role service-user
expect_ok --data "$WORK/b" member add alice --role volunteer
expect_ok --data "$WORK/c" member add bob --role volunteer
expect_ok --data "$WORK/c" member add tom --role service-user

for name in a b c; do start "$name"; done

# ---- entries on each node converge everywhere ------------------------------
for i in 1 2 3; do
  expect_ok --data "$WORK/a" --json hours log --as dan --to sue --minutes 60 --category befriending --date "$TODAY" --again
  logged=$(echo "$out" | jq -r .id)
  expect_ok --data "$WORK/c" hours log --as bob --to tom --minutes 30 --category shopping --date "$TODAY" --again
done
expect_ok --data "$WORK/b" member add eve --role carer
wait_for "three nodes to converge" 30 converged
# a's /metrics: both peers connected, every log caught up, each copy's size.
metric() {  # metric NAME_AND_LABELS -> its value at a
  curl -s "http://127.0.0.1:$HTTP_A/metrics" | awk -v series="$1" '$1 == series {print $2}'
}
if [ "$(metric cohours_peers)" = 2 ] && [ "$(metric cohours_peers_connected)" = 2 ]; then ok
else bad "a's metrics on peers: $(curl -s "http://127.0.0.1:$HTTP_A/metrics" | grep peers)"; fi
for owner in b c; do
  key=$(cat "$WORK/$owner.key")
  held=$(metric "cohours_log_records{node=\"$owner\",log=\"$key\",own=\"false\"}")
  behind=$(metric "cohours_sync_behind_records{node=\"$owner\",log=\"$key\"}")
  if [ "$held" = "$(size_of a "$owner")" ] && [ "$behind" = 0 ]; then ok
  else bad "a's metrics for $owner's log: held $held, behind $behind"; fi
done

# ---- a cross-co-op transfer -------------------------------------------------
expect_ok --data "$WORK/a" hours confirm "$logged" --as sue
expect_ok --data "$WORK/a" transfer --as dan --to alice@b --minutes 45
if [[ "$out" == *"alice@b"* ]]; then ok; else bad "transfer output: $out"; fi
wait_for "alice at b to receive 45 minutes" 30 balance_is b alice 45
# Both statements name the person at the other end, not a clearing account:
# b asks a for the sender's alias over the peer link (MemberAliasQuery).
expect_ok --data "$WORK/b" statement alice
if [[ "$out" == *"dan@a gave you 45 minutes of credit"* ]]; then ok; else bad "statement at b: $out"; fi
expect_ok --data "$WORK/a" statement dan
if [[ "$out" == *"you gave alice@b 45 minutes of credit"* ]]; then ok; else bad "statement at a: $out"; fi
wait_for "the transfer.in to reach every node" 30 converged
run --data "$WORK/c" --json clearing
if [ "$(echo "$out" | jq '[.pairs[] | .net_minutes] | add')" = "0" ] &&
  [ "$(echo "$out" | jq '[.pairs[] | .in_flight] | add')" = "0" ]; then ok; else bad "clearing: $out"; fi
# ---- hours given across co-ops ------------------------------------------------
# Dan (of a) helps Tom (of c); c's coordinator enters the timesheet, Tom
# confirms, c pays a's clearing account and a credits Dan.
expect_ok --data "$WORK/c" member add cora --role coordinator
before=$(balance_of a dan)
expect_ok --data "$WORK/c" --json hours log --as cora --on-behalf-of dan@a --to tom --minutes 30 --category shopping --date "$TODAY"
remote=$(echo "$out" | jq -r .id)
run --data "$WORK/c" hours log --as cora --on-behalf-of nobody@a --to tom --minutes 30 --category shopping --date "$TODAY"
if [ "$status" -eq 3 ]; then ok; else bad "unknown visiting volunteer: $status $err"; fi
expect_ok --data "$WORK/c" hours confirm "$remote" --as tom
wait_for "dan at a to be credited for his help at c" 30 balance_is a dan "$((before + 30))"
expect_ok --data "$WORK/a" statement dan
if [[ "$out" == *"tom@c gave you 30 minutes of credit"* ]]; then ok; else bad "statement of hours at a: $out"; fi
expect_ok --data "$WORK/c" statement pool
if [[ "$out" == *"dan@a gave tom 30 minutes of shopping"* ]]; then ok; else bad "statement of hours at c: $out"; fi
expect_ok --data "$WORK/b" consortium forget-names --node a
if [[ "$out" == "Forgot 1 name learnt of a's members"* ]]; then ok; else bad "forget-names: $out"; fi

# Any co-op audits another from the copy it holds.
expect_ok --data "$WORK/c" audit verify --node a
if [[ "$out" == *"audit passed"* ]]; then ok; else bad "audit of a's copy at c: $out"; fi
run --data "$WORK/c" audit verify --node nowhere
if [ "$status" -eq 3 ]; then ok; else bad "audit of an unknown node: $status $err"; fi
# An alias nobody has at the other node is a clear error; so is an unknown node.
run --data "$WORK/a" transfer --as dan --to nobody@b --minutes 5
if [ "$status" -eq 3 ]; then ok; else bad "unknown remote alias: $status $err"; fi
run --data "$WORK/a" transfer --as dan --to alice@nowhere --minutes 5
if [ "$status" -eq 3 ]; then ok; else bad "unknown node: $status $err"; fi

# ---- witnesses ---------------------------------------------------------------
wait_for "b's head to be witnessed by a and c" 30 bash -c \
  "'$COHOURS' --data '$WORK/a' --json audit heads | jq -e '.logs[] | select(.name == \"b\") | .witnessed[] | select(.witnesses | length == 2)'"

# ---- a node stopped, work elsewhere, restart, catch-up ----------------------
stop c
for i in 1 2 3 4; do
  expect_ok --data "$WORK/a" hours log --as dan --to sue --minutes 15 --category befriending --date "$TODAY" --again
done
expect_ok --data "$WORK/b" member add fay --role volunteer
expect_ok --data "$WORK/c" hours log --as bob --to tom --minutes 20 --category shopping --date "$TODAY"  # offline
start c
wait_for "c to catch up after its restart" 30 converged

# ---- a node rotates its key (its node.key was exposed) ----------------------
# c stops, rotates, works offline and starts again: the others fetch the
# rotation and follow c under its new key; the old key, as a thief would use
# it, is refused at the handshake by a node that holds the rotation.
stop c
cp "$WORK/c/node.key" "$WORK/c.retired.key"
run --data "$WORK/c" --json node rotate-key
if [ "$status" -eq 0 ] && [ "$(echo "$out" | jq -r .node)" = "$(cat "$WORK/c.key")" ]; then ok; else bad "rotate-key: $status $out $err"; fi
if cmp -s "$WORK/c/node.key" "$WORK/c.retired.key"; then bad "node.key did not change"; else ok; fi
expect_ok --data "$WORK/c" hours log --as bob --to tom --minutes 25 --category shopping --date "$TODAY"
start c
wait_for "a and b to follow c past its rotation" 30 converged
for name in a b; do
  run --data "$WORK/$name" audit verify --node c
  if [ "$status" -eq 0 ]; then ok; else bad "$name's audit of c after the rotation: $status $err"; fi
done
expect_ok --data "$WORK/a" hours log --as dan --to sue --minutes 10 --category befriending --date "$TODAY"
wait_for "c (new key) and a to converge again" 30 converged
"$PROBE" unknown-key --consortium "$FILE" --connect "127.0.0.1:$PA" --key "$WORK/c.retired.key" >"$WORK/probe.out" 2>&1
if grep -q "handshake refused" "$WORK/probe.out"; then ok; else bad "retired key: $(cat "$WORK/probe.out")"; fi
wait_for "a to log why it refused c's retired key" 10 grep -q "refused a connection.*retired it" "$WORK/a.log"
if grep -q "banning c" "$WORK/a.log" "$WORK/b.log"; then bad "a peer banned c after its rotation"; else ok; fi

# ---- a peer outside the consortium is refused --------------------------------
expect_ok --data "$WORK/x" init --name "Stranger"
"$PROBE" unknown-key --consortium "$FILE" --connect "127.0.0.1:$PA" --key "$WORK/x/node.key" >"$WORK/probe.out" 2>&1
if grep -q "handshake refused" "$WORK/probe.out"; then ok; else bad "unknown key: $(cat "$WORK/probe.out")"; fi
wait_for "a to log the refusal" 10 grep -q "refused a connection.*not in" "$WORK/a.log"

# ---- forged, broken, out-of-order records are refused, nothing stored -------
stop b
for i in 1 2 3; do expect_ok --data "$WORK/b" member add "new$i" --role volunteer; done  # b ahead, offline
held=$(size_of a b)
ban_lifted() {  # the sender's ban (--ban-seconds 2) ran out
  node a --json sync status | jq -e '.peers[] | select(.name == "b") | .banned_until_ms == 0'
}
for mode in forged broken-link out-of-order; do
  bans=$(grep -c "banning b" "$WORK/a.log")
  "$PROBE" "$mode" --consortium "$FILE" --connect "127.0.0.1:$PA" --key "$WORK/b/node.key" \
    --store "$WORK/b/store" --log "$(cat "$WORK/b.key")" --from "$held" >"$WORK/probe.out" 2>&1
  if grep -q "sent records" "$WORK/probe.out"; then ok; else bad "$mode probe: $(cat "$WORK/probe.out")"; fi
  wait_for "a to ban the sender of $mode records" 10 logged_more "$WORK/a.log" "banning b" "$bans"
  if [ "$(size_of a b)" = "$held" ]; then ok; else bad "$mode records were stored"; fi
  wait_for "the ban on b to run out" 10 ban_lifted
done
# One Heads message with 55,000 copies of one head (once 12 s of signature
# checks) is refused as malformed when its count is read: the link is
# dropped at once, and the sender is not banned for it.
"$PROBE" flood --consortium "$FILE" --connect "127.0.0.1:$PA" --key "$WORK/b/node.key" \
  --store "$WORK/b/store" --log "$(cat "$WORK/b.key")" >"$WORK/probe.out" 2>&1
if grep -q "sent heads" "$WORK/probe.out" && grep -q "link closed after .*the peer closed the connection" "$WORK/probe.out"; then
  ok
else
  bad "flood probe: $(cat "$WORK/probe.out")"
fi
wait_for "a to refuse the flood as malformed" 10 grep -q "b sent a malformed message (.*heads count 55000 is over the cap of 3" "$WORK/a.log"
if [ "$(node a --json sync status | jq -r '.peers[] | select(.name == "b") | .banned_until_ms')" = 0 ]; then ok; else bad "b was banned for the flood"; fi
run --data "$WORK/a" audit verify
if [ "$status" -eq 0 ]; then ok; else bad "a's audit after the probes: $err"; fi
start b
wait_for "the honest b to be synced again" 30 converged

# ---- equivocation -----------------------------------------------------------
stop b
"$PROBE" equivocate --consortium "$FILE" --connect "127.0.0.1:$PA" --key "$WORK/b/node.key" \
  --store "$WORK/b/store" --log "$(cat "$WORK/b.key")" >"$WORK/probe.out" 2>&1
if grep -q "sent heads" "$WORK/probe.out"; then ok; else bad "equivocate probe: $(cat "$WORK/probe.out")"; fi
for name in a c; do
  wait_for "$name to hold the evidence" 15 bash -c "! '$COHOURS' --data '$WORK/$name' audit equivocations"
  run --data "$WORK/$name" audit equivocations
  if [ "$status" -eq 7 ] && [[ "$out" == *"EQUIVOCATION: node b"* ]]; then ok; else bad "$name evidence: $status $out"; fi
  run --data "$WORK/$name" --json sync status
  if [ "$(echo "$out" | jq -r '.logs[] | select(.name == "b") | .frozen')" = "true" ]; then ok; else bad "$name did not freeze b"; fi
  run --data "$WORK/$name" audit verify --node b
  if [ "$status" -eq 7 ] && [[ "$err" == *equivocation* ]]; then ok; else bad "$name audit of b: $status $err"; fi
done

# ---- clean shutdown ----------------------------------------------------------
stop a
stop c
run --data "$WORK/a" audit verify  # the store is free again once the daemon is gone
if [ "$status" -eq 7 ] || [ "$status" -eq 0 ]; then ok; else bad "audit after stop: $status $err"; fi
finish
