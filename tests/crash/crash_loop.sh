#!/usr/bin/env bash
# The crash loop (issue 13, docs/reliability.md): node a's cohoursd is killed
# with SIGKILL at random moments while two CLI workers, a pair of phones and
# node b (sending credits that a's daemon fetches and records) submit; now
# and then the kill lands in an `audit verify` run through the daemon, and
# while a is down a `cohours reindex` is killed too. After every restart:
# every acknowledged entry is in a's log, `audit verify` passes and every
# balance equals the driver's own sums of what was acknowledged.
#   crash_loop.sh BUILD_DIR KILLS [SEED]
#   crash_loop.sh COHOURS COHOURSD CRASH_PHONE KILLS [SEED]
set -u
HERE=$(dirname "$(realpath "$0")")
source "$HERE/lib.sh"
binaries "$@"
shift $((NEXT_ARG - 1))
KILLS=${1:?how many kills}
SEED=${2:-$(( $(date +%s%N) % 1000000007 ))}
WORK=$(mktemp -d)
source "$HERE/../cli/testlib.sh"  # COHOURS_NOW, ok/bad/finish

cleanup() {
  touch "$WORK/stop"
  rm -f "$WORK/pause"
  for name in a b; do
    [ -f "$WORK/$name.pid" ] && kill -9 "$(cat "$WORK/$name.pid")" 2>/dev/null
  done
  wait
  if [ "$failed" -ne 0 ]; then
    for log in a.all.log a.log b.log cli1.err cli2.err phone.err peer.err; do
      [ -s "$WORK/$log" ] && echo "---- $log (last 20 lines)" && tail -20 "$WORK/$log"
    done
  fi
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# The kill moments come from the seed alone (a small LCG of our own, so that
# nothing else that draws $RANDOM shifts them).
rng=$SEED
draw() {  # draw N: a number in 0..N-1
  rng=$(((rng * 1103515245 + 12345) % 2147483648))
  echo $(((rng / 65536) % $1))
}

echo "crash loop: $KILLS kills, seed $SEED (again: crash_loop.sh ... $KILLS $SEED)"
started=$SECONDS
lost=0 audits_passed=0 resent_in=0 resent_refused=0 cli_in=0 cli_out=0
in_audit=0 reindex_killed=0 reindex_refused_open=0
setup_nodes || exit 1
source "$WORK/env"
: >"$WORK/acked"
start b || { bad "b did not start: $(cat "$WORK/b.log")"; exit 1; }
start_a || { bad "a did not start: $(cat "$WORK/a.log")"; exit 1; }
start_workers

for kill in $(seq 1 "$KILLS"); do
  # Load for a while, then the kill: mostly in the middle of commits and
  # sync, one time in five just after an audit through the daemon began.
  audit_pid=
  if [ "$(draw 5)" -eq 0 ]; then
    ms_sleep $((200 + $(draw 800)))
    node a audit verify >/dev/null 2>&1 &
    audit_pid=$!
    ms_sleep "$(draw 60)"
  else
    ms_sleep $((100 + $(draw 1400)))
  fi
  pid=$(cat "$WORK/a.pid")
  [ -n "$audit_pid" ] && kill -0 "$audit_pid" 2>/dev/null && in_audit=$((in_audit + 1))
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  pause_workers || break
  [ -n "$audit_pid" ] && wait "$audit_pid"  # it may have gone on alone, on the store
  # One time in six, a reindex on the stopped node, killed part way.
  if [ "$(draw 6)" -eq 0 ]; then
    node a reindex >/dev/null 2>&1 &
    reindex_pid=$!
    ms_sleep "$(draw 150)"
    kill -0 "$reindex_pid" 2>/dev/null && reindex_killed=$((reindex_killed + 1))
    kill -9 "$reindex_pid" 2>/dev/null
    wait "$reindex_pid" 2>/dev/null
  fi
  if ! start_a; then
    # docs/cli.md: after an interrupted reindex the node refuses to open
    # until `cohours reindex` is run again. Anything else is a failure.
    if grep -q "a reindex was interrupted" "$WORK/a.log" && node a reindex >/dev/null 2>"$WORK/reindex.err"; then
      reindex_refused_open=$((reindex_refused_open + 1))
      start_a || { bad "kill $kill: a does not start after reindex: $(tail -3 "$WORK/a.log")"; break; }
    else
      bad "kill $kill: a does not restart: $(tail -3 "$WORK/a.log") $(cat "$WORK/reindex.err" 2>/dev/null)"
      break
    fi
  fi
  before=$failed
  check_node_a "kill $kill"
  [ "$failed" -gt "$before" ] && break  # keep the state as it failed (KEEP_WORK=1)
  resume_workers
  [ $((kill % 10)) -eq 0 ] && echo "  $kill kills, $(wc -l <"$WORK/acked") acknowledged, $((SECONDS - started)) s"
done
stop_workers
# The last lines the workers wrote before they stopped: checked like the rest.
if [ "$failed" -eq 0 ]; then check_node_a "the end"; fi

acked=$(wc -l <"$WORK/acked")
echo "kills: $kill (of them $in_audit during an audit through the daemon; $reindex_killed reindex runs killed, $reindex_refused_open of them left the node refusing to open until reindex ran again)"
echo "acknowledged entries: $acked ($(grep -c '^ACK a' "$WORK/acked") in a's log, $(grep -c '^ACK b' "$WORK/acked") transfers from b)"
echo "outcome unknown at the kill: phones sent again $resent_in in, $resent_refused refused; CLI runs $cli_in in, $cli_out not"
echo "entries lost: $lost; audits passed: $audits_passed; a's log: $(wc -l <"$WORK/log.ids") entries; wall time $((SECONDS - started)) s; seed $SEED"
finish
