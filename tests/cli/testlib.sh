# Shared by the CLI test scripts (sourced, not run): pass/fail counters, a
# runner that captures a cohours invocation, and the closing summary line.
# The caller sets COHOURS (absolute path) and WORK (a scratch directory);
# COHOURS_ARGS, if set, is put before every command (e.g. --data DIR).
passed=0
failed=0
# Commands see this instant, not the wall clock (app/clock_source.h); CTest
# sets the same for every test, so fixed dates in the scripts stay valid.
export COHOURS_NOW=${COHOURS_NOW:-2026-11-30T12:00:00Z}
COHOURS_ARGS=("${COHOURS_ARGS[@]}")

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run CMD...: runs cohours, keeps stdout in $out, stderr in $err, status in $status
run() {
  out=$("$COHOURS" "${COHOURS_ARGS[@]}" "$@" 2>"$WORK/stderr")
  status=$?
  err=$(cat "$WORK/stderr")
}

expect_ok() {
  run "$@"
  if [ "$status" -eq 0 ]; then ok; else bad "expected success: cohours $* -> $status: $err"; fi
}

# The summary line the CI reads, and the exit status.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
