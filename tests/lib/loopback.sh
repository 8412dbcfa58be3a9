# Shared by the tests that run real daemons on 127.0.0.1 (sourced, not run):
# daemon_test.sh, tests/crash/lib.sh, tests/bench/sync_converge.sh. The
# caller sets COHOURS and WORK; `bad` comes from tests/cli/testlib.sh.

# A loopback port nobody listens on (connecting is refused).
free_port() {
  local port
  while :; do
    # Below the kernel's ephemeral ports (32768 and up): one chosen there can
    # be taken by an outgoing connection before the daemon binds it.
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

node() {  # node NAME ARGS...: cohours on that node's data directory
  local name=$1
  shift
  "$COHOURS" --data "$WORK/$name" "$@"
}

# wait_until DESCRIPTION SECONDS COMMAND...: polls the condition every 0.1 s
# until it holds; past the deadline it is a failure (`bad`) and returns 1.
wait_until() {
  local what=$1 limit=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      bad "timed out after ${limit}s waiting for: $what"
      return 1
    fi
    sleep 0.1
  done
}
