#!/usr/bin/env bash
# How long three local nodes take to converge after N entries (issue 4).
#   bash tests/bench/sync_converge.sh [BUILD_DIR] [ENTRIES]
# Node a gets ENTRIES entries (default 10000) while its daemon is stopped;
# then the three daemons start and the clock runs until b and c both hold
# a's whole log. The figure is set against the physical limit measured in
# the same run: ed25519 verifications per second on all cores (each of b
# and c verifies every signature, both on this one machine).
set -euo pipefail
BUILD=$(realpath "${1:-build}")
ENTRIES=${2:-10000}
COHOURS=$BUILD/cli/cohours
COHOURSD=$BUILD/daemon/cohoursd
FILL=$BUILD/tests/bench_fill
WORK=$(mktemp -d)
cleanup() {
  for pidfile in "$WORK"/*.pid; do [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

source "$(dirname "$0")/../lib/loopback.sh"  # free_port, node

for name in a b c; do node "$name" init --name "Co-op $name" >/dev/null; done
FILE=$WORK/bench.json
node a consortium new "$FILE" --name bench --node-name a --address "127.0.0.1:$(free_port)" >/dev/null
for name in b c; do
  "$COHOURS" consortium add "$FILE" --node-name "$name" --key "$(node "$name" consortium key)" \
    --address "127.0.0.1:$(free_port)" >/dev/null
done
for name in a b c; do node "$name" consortium sign "$FILE" >/dev/null; done
for name in a b c; do node "$name" consortium join "$FILE" >/dev/null; done

size=$("$FILL" --data "$WORK/a" --entries "$ENTRIES")
rate=$("$FILL" --verify-rate)
key=$(node a consortium key)

held() {  # held NODE: the size of a's log at NODE
  node "$1" --json sync status | jq -r --arg key "$key" '.logs[] | select(.log == $key) | .size'
}

start_ns=$(date +%s%N)
for name in a b c; do
  "$COHOURSD" --data "$WORK/$name" --log-level warn 2>>"$WORK/$name.log" &
  echo $! >"$WORK/$name.pid"
done
for name in a b c; do
  until [ -S "$WORK/$name/control.sock" ]; do sleep 0.05; done
done
until [ "$(held b 2>/dev/null)" = "$size" ] && [ "$(held c 2>/dev/null)" = "$size" ]; do sleep 0.1; done
end_ns=$(date +%s%N)

ms=$(((end_ns - start_ns) / 1000000))
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "log of node a: $size records ($ENTRIES entries asked for)"
echo "three daemons started to b and c holding all of it: ${ms} ms (includes start-up and connecting)"
echo "records verified per second (b and c together): $((2 * size * 1000 / ms))"
echo "libsodium ed25519 verifications per second, all cores: $rate"
awk -v s="$size" -v ms="$ms" -v r="$rate" \
  'BEGIN { printf "ratio to the verify limit: %.2f (sync catch-up target >= 0.7)\n", (2 * s / (ms / 1000)) / r }'
