#!/usr/bin/env bash
# A seed replays byte for byte: two runs of one seed print the same lines,
# the digest of every delivery and every piece of engine work in order
# included. The work handed out by each SyncNode runs on a simulated worker
# after seeded delays, so this also shows that nothing in it depends on
# real threads or time.
#   sync_sim_replay.sh SYNC_SIM
set -eu
first=$("$1" --seed 7 --nodes 5 --seconds 15)
second=$("$1" --seed 7 --nodes 5 --seconds 15)
if [ "$first" != "$second" ]; then
  echo "FAIL: seed 7 did not replay the same"
  diff <(echo "$first") <(echo "$second") || true
  exit 1
fi
echo "$first" | grep -E "trace digest|converged|FAILED"
echo "$first" | grep -q "^converged"
