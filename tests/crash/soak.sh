#!/usr/bin/env bash
# The soak (issue 13, docs/reliability.md): node a under mixed load for a
# while, never killed: CLI transfers, phones logging and confirming hours,
# node b sending credits that a fetches, and readers (balance, statement,
# the period report, a phone's GET /v1/me). Every 5 s it samples a's
# cohoursd: resident memory (VmRSS) and open file descriptors, into a CSV.
# At the end every acknowledged entry must be in a's log, the audit pass and
# the balances equal the driver's sums, and after the warm-up (the first
# 60 s) memory may grow by at most 64 MiB and descriptors by at most 16.
#   soak.sh BUILD_DIR SECONDS [CSV]
#   soak.sh COHOURS COHOURSD CRASH_PHONE SECONDS [CSV]
set -u
HERE=$(dirname "$(realpath "$0")")
source "$HERE/lib.sh"
binaries "$@"
shift $((NEXT_ARG - 1))
DURATION=${1:?seconds}
CSV=$(realpath -m "${2:-soak.csv}")
WARMUP=60
RSS_BOUND_KIB=$((64 * 1024))
FD_BOUND=16
WORK=$(mktemp -d)
source "$HERE/../cli/testlib.sh"

cleanup() {
  touch "$WORK/stop"
  rm -f "$WORK/pause"
  for name in a b; do
    [ -f "$WORK/$name.pid" ] && kill -TERM "$(cat "$WORK/$name.pid")" 2>/dev/null
  done
  wait
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# Reads of every kind beside the writes; what they answer is not checked
# here (other tests do), only that they answer.
reader_worker() {
  local turn=0
  while worker_turn reader; do
    turn=$((turn + 1))
    case $((turn % 4)) in
      0) node a balance ;;
      1) node a statement vol1 ;;
      2) node a --json audit report --from 2026-11-01 --to 2026-11-30 ;;
      3) "$PHONE" me "$HTTP_PORT" "$WORK/p1.seed" ;;
    esac >/dev/null 2>>"$WORK/reader.err" || echo "FAIL reader turn $turn: $(tail -1 "$WORK/reader.err")" >>"$WORK/out.reader"
  done
}

sample() {  # sample SECONDS PID: one CSV line
  local rss fds size
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$2/status")
  fds=$(ls "/proc/$2/fd" | wc -l)
  size=$(node a --json log head | jq -r .size)
  echo "$1,$rss,$fds,$size" | tee -a "$CSV"
}

echo "soak: $DURATION s of mixed load; samples in $CSV"
started=$SECONDS
lost=0 audits_passed=0 resent_in=0 resent_refused=0 cli_in=0 cli_out=0
setup_nodes || exit 1
source "$WORK/env"
: >"$WORK/acked"
if [ "${SOAK_PRELOAD:-0}" -gt 0 ]; then
  fill=${BENCH_FILL:-$(dirname "$COHOURSD")/../tests/bench_fill}
  filled=$("$fill" --data "$WORK/a" --entries "$SOAK_PRELOAD") || { bad "preload with $fill"; exit 1; }
  echo "preload: a's log holds $filled records"
  # Their balances as the driver's starting point (fields 4 on of an ACK line).
  echo "ACK preload - $(node a --json balance |
    jq -r '.accounts[] | select(.balance_minutes != 0) | "\(.account):\(.balance_minutes)"' | tr '\n' ' ')" >>"$WORK/acked"
fi
start b || { bad "b did not start: $(cat "$WORK/b.log")"; exit 1; }
start_a || { bad "a did not start: $(cat "$WORK/a.log")"; exit 1; }
pid=$(cat "$WORK/a.pid")
echo "seconds,rss_kib,fds,log_size" >"$CSV"
start_workers
WORKERS+=(reader)
reader_worker &
WORKER_PIDS+=($!)

t0=$SECONDS
first=$(sample 0 "$pid")
warm=
while [ $((SECONDS - t0)) -lt "$DURATION" ]; do
  sleep 5  # the sampling interval, not a wait for anything
  kill -0 "$pid" 2>/dev/null || { bad "cohoursd a died: $(tail -3 "$WORK/a.log")"; break; }
  line=$(sample $((SECONDS - t0)) "$pid")
  [ -z "$warm" ] && [ $((SECONDS - t0)) -ge "$WARMUP" ] && warm=$line
done
last=$(sample $((SECONDS - t0)) "$pid")
pause_workers
check_node_a "the end of the soak"
stop_workers
[ -z "$warm" ] && warm=$first

field() { echo "$1" | cut -d, -f"$2"; }
echo "start:   rss $(field "$first" 2) KiB, $(field "$first" 3) fds, log $(field "$first" 4)"
echo "warm-up: rss $(field "$warm" 2) KiB, $(field "$warm" 3) fds, log $(field "$warm" 4) (at $(field "$warm" 1) s)"
echo "end:     rss $(field "$last" 2) KiB, $(field "$last" 3) fds, log $(field "$last" 4) (at $(field "$last" 1) s)"
echo "peak rss $(tail -n +2 "$CSV" | cut -d, -f2 | sort -n | tail -1) KiB, peak fds $(tail -n +2 "$CSV" | cut -d, -f3 | sort -n | tail -1)"
grown_rss=$(($(field "$last" 2) - $(field "$warm" 2)))
grown_fds=$(($(field "$last" 3) - $(field "$warm" 3)))
if [ "$grown_rss" -le "$RSS_BOUND_KIB" ]; then ok; else bad "rss grew by $grown_rss KiB after the warm-up (bound $RSS_BOUND_KIB)"; fi
if [ "$grown_fds" -le "$FD_BOUND" ]; then ok; else bad "fds grew by $grown_fds after the warm-up (bound $FD_BOUND)"; fi
echo "acknowledged entries: $(wc -l <"$WORK/acked"), lost $lost, audit passed: $audits_passed; wall time $((SECONDS - started)) s"
finish
