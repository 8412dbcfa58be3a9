#!/usr/bin/env bash
# Offers and requests end to end (docs/offers.md): a volunteer offers, a
# member asks, the coordinator finds and makes the match, a respite request
# is matched once the volunteer's check is recorded, and the email digest
# goes from a real cohoursd to a local SMTP sink (python3-aiosmtpd) on
# loopback. Then the volunteer is forgotten and their listings go.
# Usage: offers_test.sh PATH/TO/cohours PATH/TO/cohoursd PATH/TO/smtp_sink.py
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: offers_test.sh COHOURS COHOURSD SMTP_SINK}")
COHOURSD=$(realpath "${2:?usage: offers_test.sh COHOURS COHOURSD SMTP_SINK}")
SINK=$(realpath "${3:?usage: offers_test.sh COHOURS COHOURSD SMTP_SINK}")
WORK=$(mktemp -d)
DAEMON_PID=
SINK_PID=
cleanup() {
  [ -n "$DAEMON_PID" ] && kill -TERM "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  [ -n "$SINK_PID" ] && kill -TERM "$SINK_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
COHOURS_ARGS=(--data "$WORK/hilltop")
source "$HERE/testlib.sh"
source "$HERE/../lib/loopback.sh"  # wait_until
last_line() { printf '%s\n' "$out" | tail -n 1; }
says() { if grep -qF -- "$1" <<<"$out"; then ok; else bad "output lacks '$1':"$'\n'"$out"; fi; }
lacks() { if grep -qF -- "$1" <<<"$out"; then bad "output has '$1':"$'\n'"$out"; else ok; fi; }
# fails_with STATUS WORDS CMD...: the command exits STATUS and its error holds WORDS.
fails_with() {
  local want=$1 words=$2
  shift 2
  run "$@"
  if [ "$status" -eq "$want" ] && grep -qF -- "$words" <<<"$err"; then ok; else
    bad "cohours $* -> $status (wanted $want with '$words'): $err"
  fi
}

export COHOURS_NOW=2026-11-30T09:00:00Z  # a Monday
expect_ok init --name "Hilltop Care Co-op"
expect_ok member add dave --role coordinator --role admin
expect_ok member add alice --role volunteer
expect_ok member add erin --role volunteer
expect_ok member add bob --role service-user
expect_ok member add carol --role carer

# Offers and a request; bad input changes nothing.
expect_ok offers add transport "Lifts to appointments, I have a car" --as alice --days fri --district ls6
says "Offered: transport, fri, LS6 (alice)."
expect_ok offers add transport "Can drive most days" --as erin --days weekdays --district LS7
fails_with 4 "full postcode" offers add transport "x" --as alice --district "LS6 1AB"
fails_with 4 "not days of the week" offers add transport "x" --as alice --days someday
fails_with 4 "not one of the co-op's categories" offers add knitting "x" --as alice
fails_with 5 "only volunteers offer help" offers add transport "x" --as bob
expect_ok offers need transport "A lift to the surgery" --as bob --date 2026-12-04 --district LS6
REQUEST=$(last_line)
expect_ok offers list --as carol
says "Lifts to appointments, I have a car"
says "A lift to the surgery"
expect_ok --json offers list --as bob --requests
says '"district": "LS6"'
says '"date": "2026-12-04"'
fails_with 5 "members of this co-op only" offers list --as "$(printf 'ab%.0s' {1..32})"

# The coordinator finds who fits: alice (Friday, LS6), not erin (LS7).
expect_ok offers matches "$REQUEST" --as dave
says "alice"
lacks "erin"
expect_ok offers matches --volunteer alice --as dave
says "A lift to the surgery"
expect_ok offers match "$REQUEST" --volunteer alice --as dave
says "Matched: alice with bob's request for transport, 2026-12-04."
expect_ok offers matches --as bob
says "matched with alice: transport, 2026-12-04, LS6"
fails_with 6 "not open" offers match "$REQUEST" --volunteer alice --as dave

# A respite request: no check, no match; with one, the offer is signed.
expect_ok offers add respite "Sitting with someone on Saturdays" --as alice --days sat
expect_ok respite request --as carol --minutes 180 --date 2026-12-05
RESPITE=$(last_line)
fails_with 6 "safeguarding check" offers match "$RESPITE" --volunteer alice --as dave
expect_ok vetting record alice --as dave --kind dbs-enhanced-barred --issued 2026-01-05 --expires 2029-01-04
expect_ok offers matches --volunteer alice --as dave
says "respite 3h 00m"
expect_ok offers match "$RESPITE" --volunteer alice --as dave
says "Signed alice's respite offer"
expect_ok respite list
says "offered"

# Alerts: an address, on; the digest needs a relay and the daemon.
fails_with 4 "not an email address" alerts email "alice at example" --as alice
expect_ok alerts email alice@example.org --as alice
expect_ok alerts on --as alice
says "Alerts for alice: on, email alice@example.org."
expect_ok offers need transport "A lift to the shops" --as bob --date 2026-12-11 --district LS6
fails_with 1 "no mail relay is set" alerts send-digest --as dave

# The sink prints its port and pid first. Debian's python3, where apt puts
# python3-aiosmtpd (a python3 first on PATH, e.g. pyenv's, may lack it).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
mkdir -p "$WORK/mail"
exec 4< <("$PYTHON" "$SINK" "$WORK/mail")
read -r SINK_PORT SINK_PID <&4
if [ "$SINK_PORT" = "MISSING" ]; then
  echo "WARNING: SKIPPED the email digest: python3-aiosmtpd is missing (scripts/install-deps.sh --test)" >&2
  SINK_PID=
else
  expect_ok alerts relay --host 127.0.0.1 --port "$SINK_PORT" --from timebank@hilltop.example --every 24h --as dave
  says "Mail relay: 127.0.0.1:$SINK_PORT, from timebank@hilltop.example, digests every 24h 00m."
  fails_with 5 "digests are sent by the daemon" alerts send-digest --as dave
  # The daemon's clock starts a minute after the CLI's: every process counts
  # on from its own COHOURS_NOW, so a CLI run slowed by load could otherwise
  # stamp a listing later than the daemon's "now" and make it news twice.
  COHOURS_NOW=2026-11-30T09:01:00Z "$COHOURSD" --data "$WORK/hilltop" --digest-check-seconds 3600 2>>"$WORK/daemon.log" &
  DAEMON_PID=$!
  wait_until "the daemon to listen" 20 test -S "$WORK/hilltop/control.sock" && ok
  wait_until "the daemon to answer" 20 "$COHOURS" --data "$WORK/hilltop" alerts show --as alice && ok
  expect_ok alerts send-digest --as dave
  says "Sent 1 digest"
  wait_until "the digest in the sink" 10 test -f "$WORK/mail/1.eml" && ok
  mail=$(cat "$WORK/mail/1.eml")
  grep -qF "RCPT TO: alice@example.org" <<<"$mail" && ok || bad "digest not to alice: $mail"
  grep -qF "A request for transport on 2026-12-11 around LS6 fits your offer." <<<"$mail" && ok ||
    bad "digest lacks the new request: $mail"
  grep -qF "bob" <<<"$mail" && bad "the digest names bob: $mail" || ok
  grep -qF "shops" <<<"$mail" && bad "the digest carries free text: $mail" || ok
  # Nothing new: no second mail.
  expect_ok alerts send-digest --as dave
  says "Sent 0 digests; 1 with alerts on had nothing new."
  kill -TERM "$DAEMON_PID" && wait "$DAEMON_PID" && ok || bad "cohoursd did not stop cleanly"
  DAEMON_PID=
fi

# Turned off; then forgotten: alice's listings and address go.
expect_ok alerts off --as alice
says "Alerts for alice: off"
expect_ok member forget alice --as dave
expect_ok offers list --as bob
lacks "Lifts to appointments"
lacks "Sitting with someone"
says "A lift to the shops"

finish
