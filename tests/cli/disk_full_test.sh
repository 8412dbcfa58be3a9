#!/usr/bin/env bash
# A full disk, with and without the daemon: every command refuses cleanly
# (no crash, nothing half written), nothing acknowledged is lost, and writes
# work again once space is freed, without restarting cohoursd.
# The node lives on a 16 MiB tmpfs mounted in a private mount namespace
# (unshare -m: the mount goes when the test ends, whatever happens), so the
# test needs root; it is skipped (exit 77) where mounting is not allowed.
# Usage: disk_full_test.sh PATH/TO/cohours PATH/TO/cohoursd
set -u
COHOURS=$(realpath "$1")
COHOURSD=$(realpath "$2")
if [ -z "${COHOURS_IN_NAMESPACE:-}" ]; then
  if ! unshare -m --propagation private true 2>/dev/null; then
    echo "SKIP: cannot make a private mount namespace here (needs root)"
    exit 77
  fi
  COHOURS_IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0" "$@"
fi
DISK=$(mktemp -d)
mount -t tmpfs -o size=16m tmpfs "$DISK" || { echo "SKIP: cannot mount a tmpfs"; exit 77; }
SCRATCH=$(mktemp -d)
trap 'pkill -KILL -f "cohoursd --data $DISK" 2>/dev/null; umount "$DISK"; rm -rf "$DISK" "$SCRATCH"' EXIT
WORK=$SCRATCH  # testlib keeps each command's stderr here, off the full disk
. "$(dirname "$0")/testlib.sh"

log_hours() { run --data "$1" hours log --as alice --to bob --minutes 30 --category befriending --date 2026-11-20 --again; }

# Fills the disk but for 100 KB, then logs hours until the disk refuses one.
# Keeps the id of every acknowledged entry in $SCRATCH/acked.
fill_until_refused() {
  local data=$1 free
  free=$(df --output=avail -k "$DISK" | tail -n 1)
  dd if=/dev/zero of="$DISK/filler" bs=1k count=$((free - 100)) status=none 2>/dev/null
  for _ in $(seq 1 3000); do
    log_hours "$data"
    [ "$status" -eq 0 ] || break
    echo "$out" | tail -n 1 >>"$SCRATCH/acked"
  done
}

# Every acknowledged id is in the log, and the audit passes.
check_nothing_lost() {
  local data=$1 label=$2 missing
  run --data "$data" audit verify
  if [ "$status" -eq 0 ]; then ok; else bad "$label: audit verify -> $status: $err"; fi
  "$COHOURS" --data "$data" log show --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | sort >"$SCRATCH/logged"
  sort "$SCRATCH/acked" >"$SCRATCH/acked.sorted"
  missing=$(comm -23 "$SCRATCH/acked.sorted" "$SCRATCH/logged" | wc -l)
  if [ "$missing" -eq 0 ]; then ok; else bad "$label: $missing acknowledged entries missing"; fi
}

# A refusal, not a crash: a status under 128 and a message naming the full disk.
expect_clean_refusal() {
  local label=$1
  if [ "$status" -ne 0 ] && [ "$status" -lt 128 ] && [[ "$err" == *"disk is full"* ]]; then ok
  else bad "$label: expected a clean 'disk is full' refusal, got $status: $err"; fi
}

# --- without the daemon: every command opens the store itself ---
NODE=$DISK/solo
expect_ok --data "$NODE" init --name "Full Disk Co-op"
expect_ok --data "$NODE" member add alice --role volunteer
expect_ok --data "$NODE" member add bob --role service-user
: >"$SCRATCH/acked"
fill_until_refused "$NODE"
expect_clean_refusal "hours log on a full disk"
acked_solo=$(wc -l <"$SCRATCH/acked")
for command in "balance" "audit verify" "statement alice"; do
  # shellcheck disable=SC2086  # the command's words
  run --data "$NODE" $command
  if [ "$status" -lt 128 ]; then ok; else bad "'$command' on a full disk crashed: $status: $err"; fi
  if [ "$status" -ne 0 ]; then expect_clean_refusal "$command on a full disk"; fi
done
rm -f "$DISK/filler"
log_hours "$NODE"
if [ "$status" -eq 0 ]; then ok; echo "$out" | tail -n 1 >>"$SCRATCH/acked"
else bad "hours log after space was freed -> $status: $err"; fi
check_nothing_lost "$NODE" "without the daemon"
echo "without the daemon: $acked_solo entries acknowledged before the disk filled, then refused cleanly"
rm -rf "$NODE"

# --- with the daemon: commands go through its control socket ---
NODE=$DISK/served
expect_ok --data "$NODE" init --name "Full Disk Co-op"
expect_ok --data "$NODE" member add alice --role volunteer
expect_ok --data "$NODE" member add bob --role service-user
"$COHOURSD" --data "$NODE" >"$SCRATCH/daemon.log" 2>&1 &
daemon=$!
deadline=$((SECONDS + 20))
until [ -S "$NODE/control.sock" ] && "$COHOURS" --data "$NODE" balance >/dev/null 2>&1; do
  [ "$SECONDS" -lt "$deadline" ] || { bad "cohoursd did not start: $(cat "$SCRATCH/daemon.log")"; break; }
  sleep 0.1
done
: >"$SCRATCH/acked"
fill_until_refused "$NODE"
expect_clean_refusal "hours log through the daemon on a full disk"
log_hours "$NODE"
expect_clean_refusal "a second hours log through the daemon on a full disk"
run --data "$NODE" balance
if [ "$status" -eq 0 ]; then ok; else bad "balance through the daemon on a full disk -> $status: $err"; fi
if kill -0 "$daemon" 2>/dev/null; then ok; else bad "cohoursd died on a full disk: $(tail -n 5 "$SCRATCH/daemon.log")"; fi
if grep -q "warn store: .*No space left on device" "$SCRATCH/daemon.log"; then ok
else bad "the daemon's log does not say the disk is full: $(tail -n 5 "$SCRATCH/daemon.log")"; fi
rm -f "$DISK/filler"
# RocksDB looks for free space every 5 s: allow a few rounds.
deadline=$((SECONDS + 30))
while :; do
  log_hours "$NODE"
  [ "$status" -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then bad "writes did not resume after space was freed: $err"; break; fi
  sleep 0.2
done
if [ "$status" -eq 0 ]; then ok; echo "$out" | tail -n 1 >>"$SCRATCH/acked"; fi
check_nothing_lost "$NODE" "with the daemon"
kill -TERM "$daemon"
wait "$daemon"
code=$?
if [ "$code" -eq 0 ]; then ok; else bad "cohoursd exited $code on SIGTERM"; fi
echo "with the daemon: $(wc -l <"$SCRATCH/acked") entries acknowledged, writes resumed without a restart"
finish
