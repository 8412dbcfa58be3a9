# Shared by crash_loop.sh and soak.sh (sourced): two nodes in one consortium
# on loopback, the load that runs against node a (CLI, phones, and node b
# sending credits to a's members), and the check that every acknowledged
# entry is there and every balance equals the driver's own sums.
#
# Every submission is written by its worker to $WORK/out.NAME as one line:
#   ACK NODE ID EFFECTS...           acknowledged (exit 0, or "stored"/"duplicate")
#   UNK CLI AUTHOR MINUTES EFFECTS... a CLI run that failed: in or not, unknown
#   UNK API ENTRY_FILE SEED EFFECTS...  a phone without an answer: sent again later
#   FAIL TEXT                        an outcome that must not happen
# EFFECTS are ACCOUNT:MINUTES, what the entry does to balances once in.
# The caller sets COHOURS, COHOURSD, PHONE, WORK and sources ../cli/testlib.sh.

# Binaries from a build directory or given one by one (CTest gives paths).
binaries() {  # binaries BUILD_DIR | binaries COHOURS COHOURSD PHONE; sets NEXT_ARG
  if [ -d "$1" ]; then
    COHOURS=$(realpath "$1/cli/cohours")
    COHOURSD=$(realpath "$1/daemon/cohoursd")
    PHONE=$(realpath "$1/tests/crash_phone")
    NEXT_ARG=2
  else
    COHOURS=$(realpath "$1")
    COHOURSD=$(realpath "$2")
    PHONE=$(realpath "$3")
    NEXT_ARG=4
  fi
}

source "$(dirname "${BASH_SOURCE[0]}")/../lib/loopback.sh"  # free_port, node, wait_until
wait_for() { wait_until "$@"; }

ms_sleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# ---- the two nodes ----------------------------------------------------------
setup_nodes() {
  local name port_a port_b file="$WORK/county.json"
  for name in a b; do
    node "$name" init --name "Co-op $name" >/dev/null || { bad "init $name"; return 1; }
  done
  port_a=$(free_port)
  port_b=$(free_port)
  HTTP_PORT=$(free_port)
  node a consortium new "$file" --name county --node-name a --address "127.0.0.1:$port_a" >/dev/null &&
    "$COHOURS" consortium add "$file" --node-name b --key "$(node b consortium key)" \
      --address "127.0.0.1:$port_b" >/dev/null &&
    node a consortium sign "$file" >/dev/null && node b consortium sign "$file" >/dev/null &&
    node a consortium join "$file" >/dev/null && node b consortium join "$file" >/dev/null ||
    { bad "consortium"; return 1; }
  # No floor worth the name for volunteers: the driver's transfers never
  # meet one, so every refusal is a failure and no outcome is a judgement.
  for name in a b; do
    node "$name" member add admin --role coordinator --role admin >/dev/null &&
      node "$name" policy set --role volunteer --floor-minutes -50000000 --as admin >/dev/null ||
      { bad "members of $name"; return 1; }
  done
  node a member add vol1 --role volunteer >/dev/null &&
    node a member add vol2 --role volunteer >/dev/null &&
    node a member add p1 --role volunteer --key "$("$PHONE" key "$WORK/p1.seed")" >/dev/null &&
    node a member add p2 --role service-user --key "$("$PHONE" key "$WORK/p2.seed")" >/dev/null &&
    node b member add bvol --role volunteer >/dev/null || { bad "members"; return 1; }
  VOL1=$(node a --json member show vol1 | jq -r .key)
  VOL2=$(node a --json member show vol2 | jq -r .key)
  P2=$("$PHONE" key "$WORK/p2.seed")
  declare -p HTTP_PORT VOL1 VOL2 P2 >"$WORK/env"
}

# start NAME [ARGS...]: starts that node's daemon and waits until it runs.
# Returns 1 if it exited instead (its log says why, in $WORK/NAME.log).
start() {
  local name=$1 pid
  shift
  [ -f "$WORK/$name.log" ] && cat "$WORK/$name.log" >>"$WORK/$name.all.log"
  : >"$WORK/$name.log"
  "$COHOURSD" --data "$WORK/$name" --log-level info "$@" 2>"$WORK/$name.log" &
  pid=$!
  echo "$pid" >"$WORK/$name.pid"
  local deadline=$((SECONDS + 30))
  until grep -q ") running; log size" "$WORK/$name.log"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      bad "cohoursd $name did not start within 30 s"
      return 1
    fi
    sleep 0.05
  done
}
start_a() { start a --http "127.0.0.1:$HTTP_PORT" --http-requests-per-minute 1000000; }

# ---- the load -----------------------------------------------------------------
# Workers run until $WORK/stop exists. While $WORK/pause exists they do
# nothing and say so by copying its generation into $WORK/paused.NAME.
worker_turn() {
  local name=$1
  while [ -e "$WORK/pause" ] && [ ! -e "$WORK/stop" ]; do
    cp "$WORK/pause" "$WORK/paused.$name.tmp" 2>/dev/null && mv "$WORK/paused.$name.tmp" "$WORK/paused.$name"
    sleep 0.05
  done
  [ ! -e "$WORK/stop" ]
}

WORKERS=(cli1 cli2 phone peer)
pause_generation=0
pause_workers() {
  pause_generation=$((pause_generation + 1))
  echo "$pause_generation" >"$WORK/pause.tmp" && mv "$WORK/pause.tmp" "$WORK/pause"
  local w
  for w in "${WORKERS[@]}"; do
    wait_for "worker $w to pause" 60 grep -qx "$pause_generation" "$WORK/paused.$w" || return 1
  done
}
resume_workers() { rm -f "$WORK/pause"; }

# Credits between a's two volunteers through the CLI (the control socket
# while the daemon runs, the store itself while it is down). Minutes cycle
# through 1..720 per worker, so a failed run is told apart by its minutes.
cli_worker() {  # cli_worker NAME FROM_ALIAS FROM_KEY TO_ALIAS
  local name=$1 from=$2 from_key=$3 to=$4 n=0 minutes out
  while worker_turn "$name"; do
    n=$((n + 1))
    minutes=$((n % 720 + 1))
    if out=$(node a --json transfer --as "$from" --to "$to" --minutes "$minutes" 2>>"$WORK/$name.err"); then
      echo "ACK a $(echo "$out" | jq -r .id) $from:-$minutes $to:$minutes"
    else
      echo "UNK CLI $from_key $minutes $from:-$minutes $to:$minutes"
    fi >>"$WORK/out.$name"
  done
}

# A phone volunteer (p1) logs hours for a service user (p2), who confirms on
# their phone; the pool pays. Every entry is signed on the "phone".
phone_worker() {
  local n=0 minutes out rc id
  mkdir -p "$WORK/entries"
  while worker_turn phone; do
    n=$((n + 1))
    minutes=$((RANDOM % 720 + 1))
    out=$("$PHONE" hours "$HTTP_PORT" "$WORK/p1.seed" "$WORK/entries/h$n" "$P2" "$minutes" 2>>"$WORK/phone.err")
    rc=$?
    case $rc in
      0) id=${out#* } && echo "ACK a $id" >>"$WORK/out.phone" ;;
      1) # Unknown only if it was signed and so perhaps sent (not if a's clock was not read).
        [ -f "$WORK/entries/h$n" ] && echo "UNK API $WORK/entries/h$n $WORK/p1.seed" >>"$WORK/out.phone"
        continue ;;
      *) echo "FAIL phone hours: $rc $out" >>"$WORK/out.phone" && continue ;;
    esac
    out=$("$PHONE" confirm "$HTTP_PORT" "$WORK/p2.seed" "$WORK/entries/c$n" "$id" 2>>"$WORK/phone.err")
    rc=$?
    case $rc in
      0) echo "ACK a ${out#* } p1:$minutes pool:-$minutes" ;;
      1) [ -f "$WORK/entries/c$n" ] && echo "UNK API $WORK/entries/c$n $WORK/p2.seed p1:$minutes pool:-$minutes" ;;
      *) echo "FAIL phone confirm: $rc $out" ;;
    esac >>"$WORK/out.phone"
  done
}

# Node b's volunteer sends credits to vol1 at a: b's log, fetched by a's
# daemon, which then records the transfer.in (sync under the kills). b's
# daemon is never killed, so every run must succeed.
peer_worker() {
  local minutes out
  while worker_turn peer; do
    minutes=$((RANDOM % 60 + 1))
    if out=$(node b --json transfer --as bvol --to "$VOL1@a" --minutes "$minutes" 2>>"$WORK/peer.err"); then
      echo "ACK b $(echo "$out" | jq -r .id) vol1:$minutes clearing-b:-$minutes"
    else
      echo "FAIL peer transfer: $(tail -1 "$WORK/peer.err")"
    fi >>"$WORK/out.peer"
  done
}

start_workers() {
  rm -f "$WORK/stop"
  WORKER_PIDS=()
  cli_worker cli1 vol1 "$VOL1" vol2 &
  WORKER_PIDS+=($!)
  cli_worker cli2 vol2 "$VOL2" vol1 &
  WORKER_PIDS+=($!)
  phone_worker &
  WORKER_PIDS+=($!)
  peer_worker &
  WORKER_PIDS+=($!)
}
stop_workers() {  # each finishes the run it is in
  touch "$WORK/stop"
  rm -f "$WORK/pause"
  wait "${WORKER_PIDS[@]}"
}

# ---- the check ----------------------------------------------------------------
# a holds all of b's log and has recorded every transfer.in of it.
a_caught_up() {
  local want have
  want=$(node b --json log head | jq -r .size)
  have=$(node a --json sync status | jq -r '.logs[] | select(.name == "b") | .size')
  [ "$want" = "$have" ] && node a --json clearing | jq -e '[.pairs[] | .in_flight] | add == 0' >/dev/null
}

# Moves the workers' lines into the driver's books (workers paused):
# acknowledged lines to $WORK/acked, phones without an answer sent again.
collect() {
  local w line kind source f seed out rc
  : >"$WORK/unknown.cli"
  for w in "${WORKERS[@]}"; do
    [ -f "$WORK/out.$w" ] || continue
    mv "$WORK/out.$w" "$WORK/batch"
    while read -r kind source f seed rest; do
      case "$kind $source" in
        "ACK "*) echo "$kind $source $f $seed $rest" >>"$WORK/acked" ;;
        "UNK API")
          out=$("$PHONE" resend "$HTTP_PORT" "$seed" "$f" 2>>"$WORK/phone.err")
          rc=$?
          if [ "$rc" -eq 0 ]; then
            echo "ACK a ${out#* } $rest" >>"$WORK/acked"
            resent_in=$((resent_in + 1))
          elif [ "$rc" -eq 3 ]; then
            resent_refused=$((resent_refused + 1))  # refused the first time too: never in
          else
            bad "a phone entry sent again after the restart got no answer: $f"
          fi ;;
        "UNK CLI") echo "$f $seed $rest" >>"$WORK/unknown.cli" ;;
        "FAIL "*) bad "$source $f $seed $rest" ;;
      esac
    done <"$WORK/batch"
  done
}

# CLI transfers of a's volunteers in the log but not acknowledged: each must
# be a failed run of the same author and minutes (then it is in), never more.
resolve_cli() {
  node a --json log show >"$WORK/log.json" || { bad "log show after restart"; return 1; }
  jq -r '.records[].id' "$WORK/log.json" | sort >"$WORK/log.ids"
  awk '$2 == "a" { print $3 }' "$WORK/acked" | sort >"$WORK/acked.ids"
  local id author minutes match
  jq -r --arg v1 "$VOL1" --arg v2 "$VOL2" \
    '.records[] | select(.kind == "transfer" and (.author == $v1 or .author == $v2)) | "\(.id) \(.author)"' \
    "$WORK/log.json" | sort >"$WORK/cli.records"
  join -v1 "$WORK/cli.records" "$WORK/acked.ids" | while read -r id author; do
    alias=vol1
    [ "$author" = "$VOL2" ] && alias=vol2
    minutes=$(node a --json statement "$alias" | jq -r --arg id "$id" '.lines[] | select(.entry == $id) | -.change_minutes')
    match=$(grep -n -m1 "^$author $minutes " "$WORK/unknown.cli" | cut -d: -f1)
    if [ -z "$match" ]; then
      echo "EXTRA $id"
    else
      echo "ACK a $id $(sed -n "${match}p" "$WORK/unknown.cli" | cut -d' ' -f3-)"
      sed -i "${match}s/^/IN /" "$WORK/unknown.cli"  # used once
    fi
  done >"$WORK/resolved.cli"
  grep '^ACK ' "$WORK/resolved.cli" >>"$WORK/acked"
  cli_in=$((cli_in + $(grep -c '^ACK ' "$WORK/resolved.cli")))
  cli_out=$((cli_out + $(grep -vc '^IN ' "$WORK/unknown.cli")))
  grep '^EXTRA ' "$WORK/resolved.cli" | while read -r _ id; do
    echo "FAIL: transfer $id is in a's log but no run made it (or it was stored twice)" >&2
  done
  ! grep -q '^EXTRA ' "$WORK/resolved.cli"
}

# After a restart, workers paused: everything acknowledged is in a's log,
# the audit passes, and every balance is what the acknowledged entries make.
check_node_a() {
  local label=$1 name
  # A daemon that stopped without our kill (a crash, or a signal from
  # outside) is a failure of its own, not a sync that never comes.
  for name in a b; do
    kill -0 "$(cat "$WORK/$name.pid")" 2>/dev/null && continue
    bad "$label: cohoursd $name is not running: $(tail -2 "$WORK/$name.log" | tr '\n' ' ')"
    return 1
  done
  wait_for "a to hold b's whole log and record its transfers ($label)" 60 a_caught_up || return 1
  collect
  resolve_cli || bad "$label: unexplained entries in a's log"
  awk '$2 == "a" { print $3 }' "$WORK/acked" | sort >"$WORK/acked.ids"
  local missing
  missing=$(comm -23 "$WORK/acked.ids" "$WORK/log.ids" | wc -l)
  if [ "$missing" -eq 0 ]; then ok; else
    bad "$label: $missing acknowledged entries are missing: $(comm -23 "$WORK/acked.ids" "$WORK/log.ids" | head -3 | tr '\n' ' ')"
    lost=$((lost + missing))
  fi
  if node a --json audit verify >"$WORK/audit.json" 2>&1 && jq -e .passed "$WORK/audit.json" >/dev/null; then
    ok
    audits_passed=$((audits_passed + 1))
  else
    bad "$label: audit verify failed: $(cat "$WORK/audit.json")"
  fi
  # The driver's sums of the acknowledged entries against the node's balances.
  awk '{ for (i = 4; i <= NF; i++) { split($i, e, ":"); sum[e[1]] += e[2] } }
       END { for (a in sum) if (sum[a] != 0) print a, sum[a] }' "$WORK/acked" | sort >"$WORK/want.balances"
  node a --json balance | jq -r '.accounts[] | select(.balance_minutes != 0) | "\(.account) \(.balance_minutes)"' |
    sort >"$WORK/have.balances"
  if cmp -s "$WORK/want.balances" "$WORK/have.balances"; then ok; else
    bad "$label: balances differ from the acknowledged entries (want | have):
$(diff "$WORK/want.balances" "$WORK/have.balances")"
  fi
}
