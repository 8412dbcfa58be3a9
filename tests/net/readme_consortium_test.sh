#!/usr/bin/env bash
# The README's "Three co-ops on one machine" must work exactly as written:
# its shell block runs in an empty directory with cohours and cohoursd on
# PATH; Alice at Riverside ends with the hour Dan sent her from Hilltop.
#   readme_consortium_test.sh PATH/TO/cohours PATH/TO/cohoursd README.md
set -u
CLI_DIR=$(dirname "$(realpath "$1")")
DAEMON_DIR=$(dirname "$(realpath "$2")")
README=$(realpath "$3")
WORK=$(mktemp -d)
cleanup() {
  pkill -f "cohoursd --data (hilltop|riverside|valley)$" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
awk '/^## Three co-ops on one machine/{q=1; next} /^## /{q=0} q && /^```sh/{b=1; next} q && /^```/{b=0} q && b' \
  "$README" >"$WORK/three.sh"
lines=$(grep -c '^cohours\|^for \|^id=' "$WORK/three.sh")
cd "$WORK"
PATH="$CLI_DIR:$DAEMON_DIR:$PATH" bash -e "$WORK/three.sh" >"$WORK/out" 2>&1
status=$?
passed=0
failed=0
check() {
  if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}
check "the README block ran ($lines commands)" '[ "$status" -eq 0 ] && [ "$lines" -ge 15 ]'
check "alice at riverside received the hour" 'grep -Eq "^alice +1h 00m" "$WORK/out"'
# The hilltop row of `audit heads` and its continuation rows (witnesses
# may still be at different heads a moment after the transfer).
witnesses=$(awk '/^LOG +HELD/{t=1; next} t && /^hilltop /{w=1; print; next} t && w && /^ /{print; next} {w=0}' "$WORK/out")
check "riverside and valley witnessed hilltop's log" '[[ "$witnesses" == *riverside* && "$witnesses" == *valley* ]]'
check "clearing nets to zero, nothing in flight" 'grep -Eq "^(riverside +hilltop|hilltop +riverside) .* 0m +0 +0m" "$WORK/out"'
# SIGTERM was sent as the block ended; closing a store takes a moment.
stopped() {
  for _ in $(seq 100); do
    pgrep -f "cohoursd --data (hilltop|riverside|valley)$" >/dev/null || return 0
    sleep 0.1
  done
  return 1
}
check "the daemons stopped on SIGTERM" stopped
check "each daemon closed its store cleanly" '[ "$(grep -c "info daemon: stopped" "$WORK"/*.log | awk -F: "{s+=\$2} END {print s}")" -eq 3 ]'
if [ "$failed" -ne 0 ]; then tail -n 25 "$WORK/out"; tail -n 5 "$WORK"/*.log; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
