#!/usr/bin/env bash
# The test suite under sanitizers (docs/testing.md "Sanitizers"):
#   asan  every C++ CTest entry under ASan+UBSan, in build-asan (clang; the
#         same build as scripts/fuzz.sh, whose targets' seed replays run too)
#   tsan  the entries that run threads, under TSan, in build-tsan
#   all   both (the default)
# Reports go to files as well as failing the process (a test that expects a
# command to fail could otherwise pass on a sanitizer's exit); any report
# file fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitizer-flags.sh  # sanitizer_flags
root="$PWD"
what="${1:-all}"
case "$what" in asan|tsan|all) ;; *) echo "usage: sanitize.sh [asan|tsan|all]" >&2; exit 2 ;; esac

# JavaScript and nginx, not C++: the phone app's own tests and screens, and
# the entries that drive cohoursd only through a browser or a proxy
# (api_http runs the same daemon code under the sanitizer).
not_cxx='^(web_unit|web_screens|web_browser|readme_phone|api_proxy)$'
# The entries with threads of their own: parallel signature checks and
# replicas (engine_tests), the peer service's io thread and worker
# (net_tests), reads beside commits (api_tests), the control socket server
# (cli_control), and real daemons (api_http, daemons_loopback, crash_kill9).
tsan_tests='^(engine_tests|net_tests|api_tests|cli_control|api_http|daemons_loopback|crash_kill9)$'
tsan_targets=(engine_tests net_tests api_tests control_test http_daemon_test cohours cohoursd peer_probe crash_writer)

# Runs ctest in build dir $1 with ctest arguments after it; reports in $1/sanitizer-reports.
run_ctest() {
  local build="$1"
  shift
  local reports="$root/$build/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  local status=0 start
  start=$(date +%s)
  COHOURS_SANITIZER="$(basename "$build")" \
  ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1" \
  LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="log_path=$reports/ubsan:halt_on_error=1:print_stacktrace=1" \
  TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp" \
    ctest --test-dir "$build" --output-on-failure -j2 "$@" || status=$?
  echo "$build: ctest took $(( $(date +%s) - start )) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ -n "$(ls -A "$reports")" ]; then
    for report in "$reports"/*; do echo "== $report"; head -80 "$report"; done
    status=1
  fi
  return "$status"
}

status=0
if [ "$what" = asan ] || [ "$what" = all ]; then
  CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$sanitizer_flags" -DCOHOURS_FUZZ=ON >/dev/null
  cmake --build build-asan -j2
  run_ctest build-asan -E "$not_cxx" || status=1
fi
if [ "$what" = tsan ] || [ "$what" = all ]; then
  CXX=clang++ cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$sanitizer_flags" -DCOHOURS_SANITIZE=thread >/dev/null
  cmake --build build-tsan -j2 --target "${tsan_targets[@]}"
  run_ctest build-tsan -R "$tsan_tests" || status=1
fi
exit "$status"
