#!/usr/bin/env bash
# Requests per second of the client API on loopback, measured with wrk, each
# figure beside libsodium's ed25519 verifications per second on all cores
# of this machine in the same run (every request carries a signature the
# node checks; a POST /v1/entries also an entry signature and a synced
# commit). Requests are signed ahead by api_presign, so wrk spends nothing
# on signing and every request is new.
#   bash tests/bench/api_load.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
set -euo pipefail
BUILD=$(realpath "${1:-build}")
SECONDS_EACH=${2:-10}
CONNECTIONS=${3:-32}
HERE=$(dirname "$(realpath "$0")")
WORK=$(mktemp -d)
cleanup() {
  [ -n "${DAEMON:-}" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

"$BUILD/cli/cohours" --data "$WORK/node" init --name "Load Test Co-op" >/dev/null
"$BUILD/tests/api_presign" setup --data "$WORK/node" --members 500 --keys "$WORK/keys"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BUILD/daemon/cohoursd" --data "$WORK/node" --http "127.0.0.1:$PORT" --http-requests-per-minute 1000000 \
  2>"$WORK/daemon.log" &
DAEMON=$!
for _ in $(seq 1 100); do grep -q "http: serving" "$WORK/daemon.log" && break; sleep 0.1; done
NODE_KEY=$(curl -s "http://127.0.0.1:$PORT/v1/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["node_key"])')
VERIFY=$("$BUILD/tests/bench_fill" --verify-rate)

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "libsodium ed25519 verify/s, all cores: $VERIFY"
printf '%-20s %12s %10s %10s %8s  %s\n' "request" "requests/s" "p50 ms" "p99 ms" "ratio" "answers"
for kind in me entries; do
  # Enough for the whole run at well over the verify rate.
  count=$(python3 -c "print(int($VERIFY * $SECONDS_EACH * 1.2) + 1000)")
  [ "$kind" = entries ] && count=$(python3 -c "print(int($VERIFY * $SECONDS_EACH * 0.6) + 1000)")
  "$BUILD/tests/api_presign" sign --keys "$WORK/keys" --node-key "$NODE_KEY" --kind "$kind" --requests "$count" \
    --out "$WORK/$kind.txt"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "$HERE/presigned.lua" "http://127.0.0.1:$PORT" \
    -- "$WORK/$kind.txt" 2 >"$WORK/$kind.out"
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/$kind.out")
  p50=$(awk '/^p50_ms/ {print $2}' "$WORK/$kind.out")
  p99=$(awk '/^p99_ms/ {print $2}' "$WORK/$kind.out")
  answers=$(grep '^status' "$WORK/$kind.out" | awk '{a[$2]+=$3} END {for (s in a) printf "%s%s ", s, a[s]}')
  label=$([ "$kind" = me ] && echo "GET /v1/me" || echo "POST /v1/entries")
  printf '%-20s %12.0f %10s %10s %8.3f  %s\n' "$label" "$rps" "$p50" "$p99" "$(python3 -c "print($rps / $VERIFY)")" "$answers"
done
