# The steps of tests/bench/run (sourced, not run). The caller sets WORK,
# RESULTS, COHOURS, COHOURSD, BENCH, FILL, PRESIGN, LATENCY_RUNS,
# SECONDS_EACH and sources tests/lib/loopback.sh. Every figure goes into
# RESULTS as one `name value` line.

record() {  # record NAME VALUE
  echo "$1 $2" | tee -a "$RESULTS"
}

median_of() {  # median_of FIELD FILE...: the median of FIELD over the files
  local field=$1
  shift
  awk -v f="$field" '$1 == f {print $2}' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'
}

percentile_of() {  # percentile_of P FILE: the P-th percentile of the numbers in FILE
  sort -g "$2" | awk -v p="$1" '{v[NR] = $1} END {i = int(p / 100 * NR + 0.999); if (i < 1) i = 1; print v[i]}'
}

now_ns() { date +%s%N; }

log_size() {  # log_size NODE: the node's own log size (its daemon stopped or running)
  node "$1" --json log head | jq -r '.size'
}

start_daemon() {  # start_daemon NODE [ARGS...]: starts it and waits for its control socket
  local name=$1
  shift
  rm -f "$WORK/$name/control.sock"
  "$COHOURSD" --data "$WORK/$name" --log-level warn "$@" 2>>"$WORK/$name.log" &
  echo $! >"$WORK/$name.pid"
  local deadline=$((SECONDS + 60))
  until [ -S "$WORK/$name/control.sock" ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "run: $name's daemon did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
    sleep 0.05
  done
}

peak_rss_kb() {  # peak_rss_kb NODE: the daemon's peak resident memory so far
  awk '/^VmHWM/ {print $2}' "/proc/$(cat "$WORK/$1.pid")/status"
}

stop_daemon() {  # stop_daemon NODE
  local pid
  pid=$(cat "$WORK/$1.pid")
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  rm -f "$WORK/$1.pid"
}

# Node a holds the log that grows; one fresh receiver per size (r<SIZE>)
# catches up with it. alice and bob are a's members with keys in its
# keyring, for the CLI's latency.
bench_consortium() {
  node a init --name "Bench Co-op" >/dev/null
  node a member add alice --role volunteer >/dev/null
  node a member add bob --role service-user >/dev/null
  local file=$WORK/consortium.json size
  node a consortium new "$file" --name bench --node-name a --address "127.0.0.1:$(free_port)" >/dev/null
  for size in $1; do
    node "r$size" init --name "Receiver $size" >/dev/null
    "$COHOURS" consortium add "$file" --node-name "r$size" --key "$(node "r$size" consortium key)" \
      --address "127.0.0.1:$(free_port)" >/dev/null
  done
  for name in a $(printf 'r%s ' $1); do node "$name" consortium sign "$file" >/dev/null; done
  for name in a $(printf 'r%s ' $1); do node "$name" consortium join "$file" >/dev/null; done
}

grow_a_to() {  # grow_a_to SIZE: appends entries to a until its log holds SIZE records
  local size=$1 before after start ms
  before=$(log_size a)
  [ "$before" -lt "$size" ] || return 0
  start=$(now_ns)
  after=$("$FILL" --data "$WORK/a" --entries $((size - before)))
  ms=$((($(now_ns) - start) / 1000000))
  record "fill_rate_$size" $(((after - before) * 1000 / (ms > 0 ? ms : 1)))
}

measure_store() {  # the store's bytes on disk, and the records' own bytes
  record "store_bytes_written_$1" "$(du -sb "$WORK/a/store" | cut -f1)"
  "$BENCH" record-bytes --data "$WORK/a" | while read -r name value; do record "${name}_$1" "$value"; done
  # Opening it again settles what the writer left (its write-ahead log).
  record "store_bytes_$1" "$(du -sb "$WORK/a/store" | cut -f1)"
}

measure_audit() {  # `audit verify` over a's whole log: seconds and peak RSS
  local size=$1
  /usr/bin/time -f "%e %M" -o "$WORK/audit.time" "$COHOURS" --data "$WORK/a" audit verify >"$WORK/audit.out" ||
    { echo "run: audit verify failed at $size" >&2; cat "$WORK/audit.out" >&2; exit 1; }
  record "audit_records_$size" "$(log_size a)"
  record "audit_seconds_$size" "$(cut -d' ' -f1 "$WORK/audit.time")"
  record "audit_rss_kb_$size" "$(cut -d' ' -f2 "$WORK/audit.time")"
}

measure_reads() {  # balance look-ups in-process
  "$BENCH" reads --data "$WORK/a" --seconds "$SECONDS_EACH" | while read -r name value; do
    record "${name}_$1" "$value"
  done
}

time_hours_log() {  # time_hours_log NAME: LATENCY_RUNS × `hours log` on a, p50 and p99 as NAME_p50_us…
  local i start
  : >"$WORK/latency.us"
  for i in $(seq 1 "$LATENCY_RUNS"); do
    start=$(now_ns)
    # A different length or day each time, across every call: each is new
    # help, and the look-up for a possible duplicate runs every time.
    HOURS_LOGGED=$((${HOURS_LOGGED:-0} + 1))
    node a hours log --as alice --to bob --minutes $((1 + HOURS_LOGGED % 700)) --category befriending \
      --date "2026-11-$((10 + HOURS_LOGGED / 700))" >/dev/null
    echo $((($(now_ns) - start) / 1000)) >>"$WORK/latency.us"
  done
  record "${1}_p50_us" "$(percentile_of 50 "$WORK/latency.us")"
  record "${1}_p99_us" "$(percentile_of 99 "$WORK/latency.us")"
}

measure_cli_latency() {  # `hours log` through the CLI, no daemon
  time_hours_log "cli_$1"
}

measure_catch_up() {  # a fresh receiver fetches and verifies a's whole log
  local size=$1 receiver=r$1 target start ms key
  target=$(log_size a)
  key=$(node a consortium key)
  start=$(now_ns)
  start_daemon a
  start_daemon "$receiver"
  until [ "$(node "$receiver" --json sync status 2>/dev/null | jq -r --arg key "$key" \
    '.logs[] | select(.log == $key) | .size')" = "$target" ]; do
    sleep 0.2
  done
  ms=$((($(now_ns) - start) / 1000000))
  record "sync_records_$size" "$target"
  record "sync_ms_$size" "$ms"
  record "cohoursd_rss_kb_$size" "$(peak_rss_kb "$receiver")"
  record "cohoursd_sender_rss_kb_$size" "$(peak_rss_kb a)"
  stop_daemon "$receiver"
  stop_daemon a
  rm -rf "${WORK:?}/$receiver"
}

wrk_run() {  # wrk_run NAME CONNECTIONS SECONDS REQUESTS_FILE: into $WORK/NAME.out
  wrk -t"$(($2 < 2 ? 1 : 2))" -c"$2" -d"${3}s" --latency -s "$(dirname "${BASH_SOURCE[0]}")/presigned.lua" \
    "http://127.0.0.1:$HTTP_PORT" -- "$4" "$(($2 < 2 ? 1 : 2))" >"$WORK/$1.out"
  if grep '^status' "$WORK/$1.out" | grep -qv '^status 200'; then
    echo "run: $1: answers other than 200:" >&2
    grep '^status' "$WORK/$1.out" >&2
    exit 1
  fi
}

# One submission at a time through the CLI (via the daemon's control
# socket) and the HTTP API, while GET /v1/me load runs; and GET /v1/me on
# its own. Requests are signed ahead by api_presign.
measure_daemon_latency() {
  local verify key count
  "$PRESIGN" setup --data "$WORK/a" --members 200 --keys "$WORK/keys"
  HTTP_PORT=$(free_port)
  start_daemon a --http "127.0.0.1:$HTTP_PORT" --http-requests-per-minute 1000000
  key=$(node a consortium key)
  verify=$(awk '$1 == "verify_all" {print $2}' "$RESULTS")
  count=$((verify * SECONDS_EACH * 3 + 1000))
  # One file split in two: two signings in the same second would make the
  # same requests, and the second use of each is refused as a replay.
  "$PRESIGN" sign --keys "$WORK/keys" --node-key "$key" --kind me --requests $((2 * count)) --out "$WORK/me.all"
  head -n "$count" "$WORK/me.all" >"$WORK/me.txt"
  tail -n +"$((count + 1))" "$WORK/me.all" >"$WORK/me2.txt"
  "$PRESIGN" sign --keys "$WORK/keys" --node-key "$key" --kind entries --requests "$((verify * SECONDS_EACH + 1000))" \
    --out "$WORK/entries.txt"
  wrk_run me 32 "$SECONDS_EACH" "$WORK/me.txt"
  record api_me_rps "$(awk '/^Requests\/sec/ {print $2}' "$WORK/me.out")"
  record api_me_p50_ms "$(awk '/^p50_ms/ {print $2}' "$WORK/me.out")"
  record api_me_p99_ms "$(awk '/^p99_ms/ {print $2}' "$WORK/me.out")"
  # Reads run in the background (8 connections) while one client submits.
  wrk_run me_background 8 $((SECONDS_EACH * 3)) "$WORK/me2.txt" &
  local background=$!
  wrk_run entries 1 "$SECONDS_EACH" "$WORK/entries.txt"
  record api_submit_p50_ms "$(awk '/^p50_ms/ {print $2}' "$WORK/entries.out")"
  record api_submit_p99_ms "$(awk '/^p99_ms/ {print $2}' "$WORK/entries.out")"
  time_hours_log daemon_cli
  wait "$background"
  record daemon_rss_kb "$(peak_rss_kb a)"
  stop_daemon a
}

measure_peers() {  # PostgreSQL and Hypercore, as ../shared/peers/README.md runs them
  local peers=$1 line
  line=$(DURATION=10 VARIANTS="c2" bash "$peers/pg_ledger.sh" 2>"$WORK/pg.err" | tail -n 1)
  record peer_pg_c2_tps "$(sed -n 's/.*c2=\([0-9]*\).*/\1/p' <<<"$line")"
  line=$(BLOCKS=200000 bash "$peers/hypercore.sh" 2>"$WORK/hc.err" | tail -n 1)
  record peer_hc_single_appends "$(jq -r .single_appends_per_s <<<"$line")"
  record peer_hc_batched_appends "$(jq -r .batched_appends_per_s <<<"$line")"
  record peer_hc_replicated "$(jq -r .replicated_blocks_per_s <<<"$line")"
}
