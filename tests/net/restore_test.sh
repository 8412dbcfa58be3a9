#!/usr/bin/env bash
# A node restored from an old backup catches up on its own history from its
# peer instead of forking it (issue 16): back up a running node, write
# more, restore the old backup into a new directory, start it, and it
# fetches its own missing records back, signs again only then, converges,
# and no node holds equivocation evidence. Also: a restore refuses a
# non-empty directory; a restored node signs nothing without its peers
# until `node i-am-alone`; `sync wait` never says "In sync" for a node that
# joined no consortium.
#   restore_test.sh COHOURS COHOURSD
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
      echo "---- $log (last 30 lines)"
      tail -30 "$log"
    done
  fi
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

source "$(dirname "$0")/../lib/loopback.sh"  # free_port, node, wait_until
wait_for() { wait_until "$@" && ok; }

start() {  # start NAME [DAEMON OPTIONS...]
  local name=$1
  shift
  "$COHOURSD" --data "$WORK/$name" --log-level debug "$@" 2>>"$WORK/$name.log" &
  echo $! >"$WORK/$name.pid"
  wait_for "the daemon of $name to listen" 20 test -S "$WORK/$name/control.sock"
  wait_for "the daemon of $name to answer" 20 running "$name"
}
running() { [ "$(node "$1" --json sync status | jq -r .running)" = true ]; }
stop() {
  local pid
  pid=$(cat "$WORK/$1.pid")
  kill -TERM "$pid"
  wait "$pid"
  rm -f "$WORK/$1.pid"
}
size_of() {  # size_of NODE LOG_KEY: that log's size as NODE holds it
  node "$1" --json sync status | jq -r --arg key "$2" '.logs[] | select(.log == $key) | .size'
}
size_is() { [ "$(size_of "$1" "$2")" = "$3" ]; }
signs() { [ "$(node "$1" --json sync status | jq -r .signing_held)" = "null" ]; }
log_hours() {  # log_hours NODE: one hour from dan to sue
  expect_ok --data "$WORK/$1" hours log --as dan --to sue --minutes 60 --category befriending --date "$TODAY" --again
}

# ---- two co-ops, one consortium ---------------------------------------------
for name in a b; do expect_ok --data "$WORK/$name" init --name "Co-op $name"; done
A=$(node a consortium key)
FILE="$WORK/valley.json"
expect_ok --data "$WORK/a" consortium new "$FILE" --name valley --node-name a --address "127.0.0.1:$(free_port)"
expect_ok consortium add "$FILE" --node-name b --key "$(node b consortium key)" --address "127.0.0.1:$(free_port)"
for name in a b; do expect_ok --data "$WORK/$name" consortium sign "$FILE"; done
for name in a b; do expect_ok --data "$WORK/$name" consortium join "$FILE"; done
expect_ok --data "$WORK/a" member add dan --role volunteer
expect_ok --data "$WORK/a" member add sue --role service-user
start a
start b
log_hours a
wait_for "b to hold a's log" 20 size_is b "$A" "$(size_of a "$A")"

# A travel claim with a photo of its ticket: the receipt goes in the backup.
printf 'ticket, Leeds to Otley, 4.50\n' >"$WORK/ticket.txt"
expect_ok --data "$WORK/a" expense claim --as dan --pence 450 --category travel --date "$TODAY" --receipt "$WORK/ticket.txt"
RECEIPT=$(b2sum -l 256 "$WORK/ticket.txt" | cut -d' ' -f1)

# ---- a backup while the daemon runs, its keys sealed under a passphrase ----
printf 'backup passphrase\n' >"$WORK/pass"
chmod 600 "$WORK/pass"
expect_ok --data "$WORK/a" backup "$WORK/bk" --with-keys --passphrase-file "$WORK/pass"
OLD=$(size_of a "$A")
if [ "$(jq -r .log_size "$WORK/bk/manifest.json")" = "$OLD" ] && [ "$(jq -r .keys "$WORK/bk/manifest.json")" = true ] &&
  head -1 "$WORK/bk/keys/node.key" | grep -q '^cohours-encrypted-key'; then ok; else bad "manifest: $(cat "$WORK/bk/manifest.json")"; fi
if [ -z "$(ls "$WORK/a/scratch" 2>/dev/null)" ]; then ok; else bad "the checkpoint was left in scratch/"; fi
if [ "$(jq -r '.receipts[].path' "$WORK/bk/manifest.json")" = "$RECEIPT" ] && cmp -s "$WORK/ticket.txt" "$WORK/bk/receipts/$RECEIPT"
then ok; else bad "the receipt is not in the backup: $(jq -c .receipts "$WORK/bk/manifest.json")"; fi
run --data "$WORK/a" backup "$WORK/bk"
if [ "$status" -ne 0 ] && [[ "$err" == *"not empty"* ]]; then ok; else bad "backup into a used directory: $status $err"; fi

# ---- more entries after the backup, held by b, then a is lost ---------------
log_hours a
log_hours a
NEW=$(size_of a "$A")
wait_for "b to hold a's newer log" 20 size_is b "$A" "$NEW"
stop a

# ---- restore the old backup ---------------------------------------------------
run --data "$WORK/a" restore "$WORK/bk"
if [ "$status" -ne 0 ] && [[ "$err" == *"is not empty"* ]]; then ok; else bad "restore over a node: $status $err"; fi
expect_ok --data "$WORK/a2" restore "$WORK/bk"
if [[ "$out" == *"log size $OLD"* && "$out" == *"Signing is held"* && "$out" == *"1 receipt put back"* ]]; then ok; else bad "restore: $out"; fi
if cmp -s "$WORK/ticket.txt" "$WORK/a2/receipts/$RECEIPT" && [ "$(stat -c %a "$WORK/a2/receipts/$RECEIPT")" = 600 ]; then ok
else bad "the receipt was not put back, private: $(ls -l "$WORK/a2/receipts" 2>&1)"; fi
export COHOURS_PASSPHRASE_FILE="$WORK/pass"
# Without its peers the restored node signs nothing.
run --data "$WORK/a2" hours log --as dan --to sue --minutes 60 --category befriending --date "$TODAY" --again
if [ "$status" -ne 0 ] && [[ "$err" == *"signs nothing for now"* ]]; then ok; else bad "signing while held: $status $err"; fi
run --data "$WORK/a2" sync status
if [[ "$out" == *"signing: held"* ]]; then ok; else bad "sync status of a held node: $out"; fi

# ---- started, it fetches its own records back from b, then signs -----------
start a2
wait_for "a2 to fetch back its own records" 20 size_is a2 "$A" "$NEW"
wait_for "a2 to sign again" 20 signs a2
log_hours a2
wait_for "b to hold a's log after the restore" 20 size_is b "$A" "$((NEW + 1))"
for name in a2 b; do
  run --data "$WORK/$name" --json audit equivocations
  if [ "$status" -eq 0 ] && [ "$(echo "$out" | jq '.equivocations | length')" = 0 ]; then ok; else bad "equivocations at $name: $status $out"; fi
done
expect_ok --data "$WORK/a2" sync wait --timeout 20
if [[ "$out" == *"In sync"* ]]; then ok; else bad "sync wait: $out"; fi
expect_ok --data "$WORK/a2" audit verify
grep -q "fetched back 2 records of this node's own log" "$WORK/a2.log" && ok || bad "a2's log does not say what it fetched back"

# ---- alone: no peer answers, the admin decides ------------------------------
expect_ok --data "$WORK/a3" restore "$WORK/bk"
expect_ok --data "$WORK/a3" node i-am-alone
if [[ "$out" == *"forks the log"* ]]; then ok; else bad "i-am-alone: $out"; fi
log_hours a3
unset COHOURS_PASSPHRASE_FILE

# ---- no consortium, no "In sync" --------------------------------------------
expect_ok --data "$WORK/lone" init --name "Lone co-op"
start lone
# At once, not after the timeout: waiting cannot help a node in no consortium.
waited=$SECONDS
run --data "$WORK/lone" sync wait --timeout 60
if [ "$status" -ne 0 ] && [[ "$err" == *"waiting will not change it"*"joined no consortium"* ]]; then ok; else bad "sync wait alone: $status $out $err"; fi
[ $((SECONDS - waited)) -lt 30 ] && ok || bad "sync wait alone took $((SECONDS - waited)) s: it waited for its timeout"

stop lone
stop a2
stop b

# ---- --force over a node with a backup without keys: node.key stays ---------
export COHOURS_PASSPHRASE_FILE="$WORK/pass"
KEY_BEFORE=$(cat "$WORK/a2/node.key")
expect_ok --data "$WORK/a2" backup "$WORK/bk2"
expect_ok --data "$WORK/a2" restore "$WORK/bk2" --force
if [ "$(cat "$WORK/a2/node.key")" = "$KEY_BEFORE" ] && ls "$WORK"/a2/before-restore-*/store >/dev/null 2>&1 &&
  ! ls "$WORK"/a2/before-restore-*/node.key >/dev/null 2>&1; then ok; else bad "restore --force moved node.key"; fi
expect_ok --data "$WORK/a2" audit verify
unset COHOURS_PASSPHRASE_FILE

# ---- a damaged backup is refused, and leaves nothing behind ----------------
# A receipt changed after the backup was made (same size): refused before
# anything is copied.
cp -r "$WORK/bk" "$WORK/bk-receipt"
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[0] ^= 0x20; open(p, "wb").write(b)' "$WORK/bk-receipt/receipts/$RECEIPT"
run --data "$WORK/damaged" restore "$WORK/bk-receipt"
if [ "$status" -ne 0 ] && [[ "$err" == *"is not the file it is named by"* ]]; then ok; else bad "a changed receipt restored: $status $out $err"; fi
[ -z "$(ls -A "$WORK/damaged" 2>/dev/null)" ] && ok || bad "a refused restore left $(ls -A "$WORK/damaged")"
# A byte of a table file flipped after the backup was made (sizes still
# match the manifest): the staged copy fails its checks and is removed.
table=$(ls "$WORK"/bk2/store/*.sst | head -n 1)
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 3] ^= 0xff; open(p, "wb").write(b)' "$table"
run --data "$WORK/damaged" restore "$WORK/bk2"
if [ "$status" -ne 0 ] && [[ "$err" == *"Corruption"* || "$err" == *"corrupt"* || "$err" == *"checksum"* ]]; then ok; else bad "a damaged backup restored: $status $out $err"; fi
[ -z "$(ls -A "$WORK/damaged" 2>/dev/null)" ] && ok || bad "a refused restore left $(ls -A "$WORK/damaged")"
# A hand-edited manifest: a key taken out, then text that is not JSON. The
# refusal names the key in plain words (not nlohmann's error id).
cp -r "$WORK/bk" "$WORK/bk-manifest"
jq 'del(.store_format)' "$WORK/bk/manifest.json" >"$WORK/bk-manifest/manifest.json"
run --data "$WORK/damaged" restore "$WORK/bk-manifest"
if [ "$status" -ne 0 ] && [[ "$err" == *"is not a cohours backup manifest: key 'store_format' not found"* ]] &&
  [[ "$err" != *"json.exception"* ]]; then ok; else bad "a manifest without store_format: $status $out $err"; fi
echo "not json" >"$WORK/bk-manifest/manifest.json"
run --data "$WORK/damaged" restore "$WORK/bk-manifest"
if [ "$status" -ne 0 ] && [[ "$err" == *"is not a cohours backup manifest: parse error"* ]]; then ok
else bad "a manifest that is not JSON: $status $out $err"; fi
[ -z "$(ls -A "$WORK/damaged" 2>/dev/null)" ] && ok || bad "a refused restore left $(ls -A "$WORK/damaged")"
finish
