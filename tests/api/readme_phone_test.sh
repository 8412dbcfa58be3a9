#!/usr/bin/env bash
# The README's "A phone on a local node" must work as written: its shell
# block runs in an empty directory with cohours and cohoursd on PATH (on a
# free port instead of 8080, so a busy machine cannot fail it), then the
# link `member invite` printed is opened in headless Chromium and erin joins.
#   readme_phone_test.sh COHOURS COHOURSD README.md WEB_DIR NODE OUT_DIR
set -u
CLI_DIR=$(dirname "$(realpath "$1")")
DAEMON_DIR=$(dirname "$(realpath "$2")")
README=$(realpath "$3")
WEB=$(realpath "$4")
NODE=$5
OUT=$6
WORK=$(mktemp -d)
cleanup() {
  [ -n "${daemon_pid:-}" ] && kill "$daemon_pid" 2>/dev/null
  pkill -f "cohoursd --data phones --http 127.0.0.1:$port$" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
# The phone signs with the real clock, and the node refuses requests more
# than 120 s from its own: no COHOURS_NOW here (docs/testing.md).
unset COHOURS_NOW
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
awk '/^## A phone on a local node/{q=1; next} /^## /{q=0} q && /^```sh/{b=1; next} q && /^```/{b=0} q && b' \
  "$README" | sed "s/127\.0\.0\.1:8080/127.0.0.1:$port/g" >"$WORK/phone.sh"
lines=$(grep -c '^cohours' "$WORK/phone.sh")
cd "$WORK"
# The block leaves cohoursd running in the background; its pid is kept to stop it.
echo 'echo "$!" > daemon.pid' >>"$WORK/phone.sh"
PATH="$CLI_DIR:$DAEMON_DIR:$PATH" bash -e "$WORK/phone.sh" >"$WORK/out" 2>&1
status=$?
daemon_pid=$(cat daemon.pid 2>/dev/null)
passed=0
failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; fi
}
check "the README block ran ($lines commands)" '[ "$status" -eq 0 ] && [ "$lines" -ge 4 ]'
link=$(grep -o "http://127.0.0.1:$port/#enrol=[A-Z0-9]*" "$WORK/out" | head -1)
check "member invite printed the joining link" '[ -n "$link" ]'
# The daemon is up when its HTTP listener answers (a deadline, no fixed sleep).
up=1
for _ in $(seq 200); do
  grep -q "http: serving" phones.log 2>/dev/null && { up=0; break; }
  kill -0 "$daemon_pid" 2>/dev/null || break
  sleep 0.05
done
check "cohoursd serves the API and the app" '[ "$up" -eq 0 ]'
if [ -n "$link" ] && [ "$up" -eq 0 ]; then
  (cd "$WEB" && "$NODE" test/browser/join_link.mjs --link "$link" --alias erin --out "$OUT")
  joined=$?
  check "erin joined from the link in Chromium (screenshot: $OUT/home.png)" '[ "$joined" -eq 0 ]'
  members=$(PATH="$CLI_DIR:$PATH" cohours --data phones member list 2>&1)
  check "the node lists erin as a member" 'grep -Eq "^erin " <<<"$members"'
fi
[ "$failed" -eq 0 ] || { echo "--- block output"; cat "$WORK/out"; echo "--- phones.log"; cat phones.log; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
