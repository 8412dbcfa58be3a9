#!/usr/bin/env bash
# The nginx block of docs/operations.md ("Phones: the client API behind
# TLS"), run as written (only its ports, host name and certificate paths
# changed) in front of a real cohoursd: phones reach the API over TLS, the
# daemon sees the phone's address, bodies over the cap are refused.
#   proxy_test.sh COHOURS COHOURSD DOCS/operations.md
set -u
COHOURS=$(realpath "$1")
COHOURSD=$(realpath "$2")
DOC=$(realpath "$3")
WORK=$(mktemp -d)
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
cleanup() {
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  [ -n "${DAEMON:-}" ] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
  [ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
if ! command -v nginx >/dev/null; then echo "nginx is not installed (scripts/install-deps.sh --test)"; exit 1; fi

# wait_for DESCRIPTION COMMAND...: polls until it holds, 20 s at most.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 1 100); do "$@" && return 0; sleep 0.2; done
  bad "timed out waiting for: $what"
  return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$COHOURS" --data "$WORK/node" init --name "Hilltop Care Co-op" >/dev/null
"$COHOURS" --data "$WORK/node" member add dave --role coordinator --role admin >/dev/null
API_PORT=$(free_port)
TLS_PORT=$(free_port)
"$COHOURSD" --data "$WORK/node" --http "127.0.0.1:$API_PORT" 2>"$WORK/daemon.log" &
DAEMON=$!
wait_for "the daemon to serve HTTP" grep -q "http: serving" "$WORK/daemon.log"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
# The documented server block, verbatim but for ports, name and paths.
awk '/^### nginx/{q=1} q && /^```nginx/{b=1; next} q && b && /^```/{exit} q && b' "$DOC" |
  sed -e "s|listen 443 ssl;|listen 127.0.0.1:$TLS_PORT ssl;|" \
      -e "s|server_name coop.example.org;|server_name localhost;|" \
      -e "s|/etc/letsencrypt/live/coop.example.org/fullchain.pem|$WORK/cert.pem|" \
      -e "s|/etc/letsencrypt/live/coop.example.org/privkey.pem|$WORK/key.pem|" \
      -e "s|http://127.0.0.1:8080|http://127.0.0.1:$API_PORT|" >"$WORK/site.conf"
grep -q "proxy_pass http://127.0.0.1:$API_PORT" "$WORK/site.conf" && ok || bad "the documented block was not found"
# nginx's workers run as an unprivileged user: give them their own
# directory for buffered bodies.
mkdir -p "$WORK/body" "$WORK/proxy"
chmod 0711 "$WORK"
chmod 0777 "$WORK/body" "$WORK/proxy"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  include $WORK/site.conf;
}
CONF
nginx -t -c "$WORK/nginx.conf" -p "$WORK" >/dev/null 2>&1 && ok || bad "nginx -t refused the documented block: $(nginx -t -c "$WORK/nginx.conf" -p "$WORK" 2>&1 | tail -2)"
nginx -c "$WORK/nginx.conf" -p "$WORK" 2>/dev/null
wait_for "nginx to start" test -s "$WORK/nginx.pid"

URL="https://localhost:$TLS_PORT"
health=$(curl -s --cacert "$WORK/cert.pem" "$URL/v1/health")
[[ "$health" == *'"node":"Hilltop Care Co-op"'* ]] && ok || bad "health through the proxy: $health"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/cert.pem" "$URL/v1/me")
[ "$status" = 401 ] && ok || bad "an unsigned request through the proxy should get 401, got $status"
# Plain HTTP to the TLS port is not served.
status=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$TLS_PORT/v1/health")
[ "$status" = 400 ] && ok || bad "plain HTTP on the TLS port: $status"
# A receipt-sized body passes the proxy; one over the daemon's cap is refused.
head -c $((7 * 1024 * 1024)) /dev/zero >"$WORK/big"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/cert.pem" -X POST --data-binary @"$WORK/big" \
  -H "Content-Type: application/json" "$URL/v1/enrol")
[ "$status" = 413 ] && ok || bad "a 7 MiB body to /v1/enrol should be refused with 413, got $status"
# The enrolment limit counts the phone's address, which nginx adds last to
# X-Forwarded-For: a phone that writes its own header gains nothing.
enrol() {
  curl -s -o /dev/null -w '%{http_code}' --cacert "$WORK/cert.pem" -X POST -d '{}' "$@" "$URL/v1/enrol"
}
# 30 a minute: a full bucket of 30, one more every 2 s. Under load the
# requests take a while, so the first refusal may come a little later; when
# is computed from the time they took, never assumed.
start_ms=$(date +%s%3N)
refused_at=0
for i in $(seq 1 200); do
  status=$(enrol -H "X-Forwarded-For: 203.0.113.$i")
  if [ "$status" = 429 ]; then refused_at=$i; break; fi
done
latest=$((30 + ($(date +%s%3N) - start_ms) / 2000 + 1))
if [ "$refused_at" -gt 30 ] && [ "$refused_at" -le "$latest" ]; then ok; else
  bad "one phone's enrolments should be refused with 429 after 30 and by number $latest, refused at $refused_at"
fi
# The daemon itself, asked by another address the proxy forwards for, still
# serves it (400 for its empty body).
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' -H "X-Forwarded-For: 198.51.100.4" \
  "http://127.0.0.1:$API_PORT/v1/enrol")
[ "$status" = 400 ] && ok || bad "another forwarded address should be served, got $status"
if [ "$failed" -ne 0 ]; then
  echo "--- daemon.log"; cat "$WORK/daemon.log"
  echo "--- nginx-error.log"; cat "$WORK/nginx-error.log" 2>/dev/null
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
