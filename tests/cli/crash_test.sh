#!/usr/bin/env bash
# kill -9 while four threads append: afterwards the audit must pass and every
# acknowledged entry must be in the log. Three rounds on the same store.
# Usage: crash_test.sh PATH/TO/cohours PATH/TO/crash_writer
set -u
COHOURS=$(realpath "$1")
WRITER=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
# write_then_kill TARGET: runs the writer until the acknowledgements reach
# TARGET (polled, at most 30 s) or it stops, then kills it with SIGKILL.
write_then_kill() {
  "$WRITER" "$WORK/data" >>"$WORK/acks" 2>"$WORK/writer.err" &
  local pid=$!
  for _ in $(seq 1 600); do
    [ "$(grep -c '^ACK ' "$WORK/acks" 2>/dev/null)" -ge "$1" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
for round in 1 2 3; do
  # Until this round has acknowledged at least 300 entries.
  target=$((round * 300))
  write_then_kill "$target"
  acked=$(grep -c '^ACK ' "$WORK/acks")
  if [ "$acked" -lt "$target" ]; then
    echo "FAIL: round $round: writer acknowledged only $acked entries: $(cat "$WORK/writer.err")" >&2
    failed=$((failed + 1))
    continue
  fi
  if "$COHOURS" --data "$WORK/data" audit verify >"$WORK/audit.out" 2>&1; then
    passed=$((passed + 1))
  else
    echo "FAIL: round $round: audit failed after kill -9: $(cat "$WORK/audit.out")" >&2
    failed=$((failed + 1))
  fi
  "$COHOURS" --data "$WORK/data" log show --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | sort >"$WORK/logged"
  grep '^ACK ' "$WORK/acks" | cut -d' ' -f2 | sort >"$WORK/acked"
  missing=$(comm -23 "$WORK/acked" "$WORK/logged" | wc -l)
  if [ "$missing" -eq 0 ]; then
    passed=$((passed + 1))
  else
    echo "FAIL: round $round: $missing acknowledged entries are missing after kill -9" >&2
    failed=$((failed + 1))
  fi
  echo "round $round: $acked acknowledged, log holds $(wc -l <"$WORK/logged") entries"
done

# A fourth kill -9, then one byte of the write-ahead log flipped (a damaged
# disk): the store must refuse to open and say so, never replay up to the
# damage and reuse the sequence numbers of the acknowledged entries after it.
write_then_kill $(($(grep -c '^ACK ' "$WORK/acks") + 300))
wal=$(ls "$WORK/data/store/"*.log | sort | tail -n 1)
size=$(stat -c %s "$wal")
printf '\x5a' | dd of="$wal" bs=1 seek=$((size / 2)) conv=notrunc status=none
for command in "audit verify" "balance" "hours log --as alice --to bob --minutes 30 --category befriending --date 2026-11-20"; do
  # shellcheck disable=SC2086  # the command's words
  if "$COHOURS" --data "$WORK/data" $command >"$WORK/damaged.out" 2>&1; then
    echo "FAIL: '$command' ran on a store with a damaged write-ahead log" >&2
    failed=$((failed + 1))
  elif grep -q "is damaged" "$WORK/damaged.out"; then
    passed=$((passed + 1))
  else
    echo "FAIL: '$command' on a damaged store said: $(cat "$WORK/damaged.out")" >&2
    failed=$((failed + 1))
  fi
done
echo "damaged write-ahead log ($wal, byte $((size / 2)) of $size): refused"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
