#!/usr/bin/env bash
# How long `cohours balance` takes through the daemon, alone and beside an
# `audit verify` (cli/CONTROL.md "Calls at once"). Not part of ctest: the
# store takes a minute or so to fill.
#   balance_beside_audit.sh BUILD_DIR [RECORDS]   (default 60000)
set -eu
BUILD=$1
RECORDS=${2:-60000}
WORK=$(mktemp -d)
trap 'kill "$DAEMON" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
CLI=$BUILD/cli/cohours
"$CLI" --data "$WORK/node" init --name Bench --currency GBP >/dev/null
"$BUILD/tests/bench_fill" --data "$WORK/node" --entries "$RECORDS" >/dev/null
"$BUILD/daemon/cohoursd" --data "$WORK/node" 2>"$WORK/daemon.log" &
DAEMON=$!
until grep -q "running; log size" "$WORK/daemon.log"; do sleep 0.1; done
MEMBER=$("$CLI" --data "$WORK/node" member list | awk 'NR == 2 {print $1}')
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
echo "balance alone: $(ms "$CLI" --data "$WORK/node" balance "$MEMBER") ms"
START=$(date +%s%N)
("$CLI" --data "$WORK/node" audit verify >/dev/null 2>&1
 echo "audit verify of $RECORDS records: $((($(date +%s%N) - START) / 1000000)) ms") &
AUDIT=$!
# Wait until the daemon is into the audit (its call is running) before asking.
sleep 0.5
echo "balance started 0.5 s into the audit: $(ms "$CLI" --data "$WORK/node" balance "$MEMBER") ms"
wait "$AUDIT"
