#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan+UBSan) and runs
# each for a fixed time over a scratch copy of its checked-in seeds, two at
# a time (the machines have 2 cores). Fails if any target crashes; the
# crashing input is kept in BUILD_DIR/fuzz-crashes/<target>/ (docs/testing.md
# "Fuzzing" says how it becomes a regression test).
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]   defaults: 60 build-asan
#   scripts/fuzz.sh --seeds [BUILD_DIR]                rewrites tests/fuzz/corpus
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitizer-flags.sh  # sanitizer_flags
root="$PWD"
if [ "${1:-}" = "--seeds" ]; then
  seeds=1
  build="${2:-build-asan}"
else
  seeds=0
  seconds="${1:-60}"
  build="${2:-build-asan}"
fi
case "$build" in /*) ;; *) build="$root/$build" ;; esac

CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$sanitizer_flags" -DCOHOURS_FUZZ=ON >/dev/null
targets=()
for source in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
cmake --build "$build" -j2 --target "${targets[@]}" make_fuzz_seeds

if [ "$seeds" = 1 ]; then
  rm -rf tests/fuzz/corpus
  "$build/tests/fuzz/make_fuzz_seeds" schemas/entry-vectors.json schemas/request-vectors.json tests/fuzz/corpus
  echo "seeds written to tests/fuzz/corpus"
  exit 0
fi

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
crashes="$build/fuzz-crashes"
rm -rf "$crashes"

# One target: fuzz a copy of its seeds (the checked-in corpus is never
# written), then keep its log line of figures in $scratch/NAME.result.
run() {
  local target="$1" name="${1#fuzz_}"
  mkdir -p "$scratch/$name/corpus" "$crashes/$name"
  cp "tests/fuzz/corpus/$name/"* "$scratch/$name/corpus/"
  local status=0 options=()
  # The API targets keep one node across inputs (remembered signatures,
  # RocksDB's caches), so every input looks like a leak to libFuzzer, which
  # then scans the heap each time: 5 inputs a second instead of 1,400.
  case "$name" in api_*) options+=(-detect_leaks=0) ;; esac
  # TMPDIR: the API targets' node directories go with the scratch copy.
  (cd "$scratch/$name" && TMPDIR="$scratch/$name" "$build/tests/fuzz/$target" -max_total_time="$seconds" "${options[@]}" \
     -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/$name/" corpus >log 2>&1) || status=$?
  local runs rate
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$name/log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch/$name/log" | tail -1)"
  echo "$target ${runs:-0} ${rate:-0} $status" >"$scratch/$name.result"
  if [ "$status" != 0 ]; then
    echo "== $target crashed (exit $status); input in $crashes/$name/" >&2
    grep -E -A30 "ERROR|runtime error|fuzz invariant|deadly signal" "$scratch/$name/log" | head -60 >&2 || true
  fi
  [ -n "$(ls -A "$crashes/$name")" ] || rmdir "$crashes/$name"
}

start=$(date +%s)
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n || true; done
  run "$target" &
done
wait

failed=0
printf '%-22s %12s %10s  %s\n' target executions exec/s result
for target in "${targets[@]}"; do
  read -r _ runs rate status <"$scratch/${target#fuzz_}.result"
  printf '%-22s %12s %10s  %s\n' "$target" "$runs" "$rate" "$([ "$status" = 0 ] && echo ok || echo CRASH)"
  [ "$status" = 0 ] || failed=1
done
echo "fuzzed ${#targets[@]} targets for ${seconds} s each in $(( $(date +%s) - start )) s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
exit "$failed"
