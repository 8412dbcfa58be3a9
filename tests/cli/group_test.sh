#!/usr/bin/env bash
# Group sessions through the CLI (docs/cli.md "hours group"): a lunch club
# with six members as one entry, each member's share, a member confirming
# their own share and a coordinator the rest, a session the members share
# with a remainder, bad input refused with nothing stored, the report
# counting each volunteer's time once, and reindex/audit agreeing.
# Usage: group_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/hilltop
COHOURS_ARGS=(--data "$DATA")
source "$HERE/testlib.sh"
c() { "$COHOURS" --data "$DATA" "$@"; }
log_size() { c log show --json | grep '"log_size"' | tr -dc '0-9'; }
expect_fail() {  # expect_fail EXIT WORD ARGS...: one-line error naming WORD, the ledger unchanged
  local code=$1 word=$2 before after
  shift 2
  before=$(log_size)
  run "$@"
  after=$(log_size)
  if [ "$status" -ne "$code" ] || ! grep -qi -- "$word" <<<"$err"; then
    bad "cohours $* -> exit $status, wanted $code and '$word': $err"
  elif [ "$before" != "$after" ]; then
    bad "cohours $* failed but changed the ledger"
  else ok; fi
}
balance() { c balance "$1" --json | sed -n 's/.*"balance_minutes": \(-\?[0-9]*\).*/\1/p' | head -n 1; }

c init --name "Hilltop Care Co-op" >/dev/null || bad "init"
c member add dave --role coordinator --role admin >/dev/null
for v in alice erin; do c member add $v --role volunteer >/dev/null; done
for s in bob sam sue tom una viv; do c member add $s --role service-user >/dev/null; done
for m in carol cass cleo cy dot eve fay; do c member add $m --role carer >/dev/null; done
c policy set --as dave --categories befriending,lunch-club,outing,respite \
  --role carer --floor-minutes -600 >/dev/null || bad "policy set"

# A lunch club: alice and erin, two hours, six members; the pool pays.
run hours group --as dave --volunteer alice --volunteer erin --with bob,sam,sue,tom,una,viv --duration 2h \
  --category lunch-club --date 2026-11-24 --note "hall lunch"
[ "$status" -eq 0 ] && ok || bad "hours group: $err"
LUNCH=$(tail -n 1 <<<"$out")
grep -q "240 given\|4 hours given" <<<"$out" && ok || bad "the session's time is not 4 hours: $out"
grep -q "paid by the co-op pool" <<<"$out" && ok || bad "a lunch club of service users is paid by the pool: $out"
[ "$(grep -c "40m *pending" <<<"$out")" -eq 6 ] && ok || bad "six shares of 40 minutes: $out"
run log show --json
grep -q '"hours.group"' <<<"$out" && ok || bad "no hours.group in the log"

# bob's share (40 minutes: 20 of alice's, 20 of erin's), then the rest.
run hours confirm "${LUNCH:0:10}" --as bob
[ "$status" -eq 0 ] && ok || bad "bob confirms his share: $err"
grep -q "bob's share (1 of 6) of lunch-club" <<<"$out" && ok || bad "the confirmation names bob's share: $out"
[ "$(balance alice)" = "20" ] && ok || bad "alice has $(balance alice) after bob's share, wanted 20"
expect_fail 6 "already confirmed" hours confirm "$LUNCH" --as bob
expect_fail 5 "hours you gave" hours confirm "$LUNCH" --as alice
# A coordinator confirms sam's share alone, on his behalf (sam has no phone).
run hours confirm "$LUNCH" --as dave --for sam
[ "$status" -eq 0 ] && ok || bad "dave confirms sam's share: $err"
grep -q "sam's share (2 of 6) of lunch-club" <<<"$out" && ok || bad "the confirmation names sam's share only: $out"
[ "$(balance alice)" = "40" ] && ok || bad "alice has $(balance alice) after two shares, wanted 40"
expect_fail 6 "already confirmed" hours confirm "$LUNCH" --as dave --for sam
expect_fail 5 "only a coordinator" hours confirm "$LUNCH" --as bob --for sue
expect_fail 3 "zed" hours confirm "$LUNCH" --as dave --for zed
expect_ok hours confirm "$LUNCH" --as dave
[ "$(balance alice)" = "120" ] && ok || bad "alice earns 2 hours once, has $(balance alice)"
[ "$(balance erin)" = "120" ] && ok || bad "erin earns 2 hours once, has $(balance erin)"
run hours group-show "$LUNCH" --json
[ "$(grep -c '"status": "confirmed"' <<<"$out")" -eq 6 ] && ok || bad "every share posted: $out"
run statement alice
grep -q "lunch-club, 6 of 6" <<<"$out" && ok || bad "alice's statement names each share: $out"

# Shared by seven carers: 60 minutes, the first four pay 9, the rest 8.
run hours group --as alice --with carol,cass,leo,cy,dot,eve,fay --duration 60 --category outing --date 2026-11-25
[ "$status" -eq 3 ] && grep -q "'leo'" <<<"$err" && ok || bad "an unknown member is named: $status $err"
run hours group --as alice --with carol,cass,cleo,cy,dot,eve,fay --duration 60 --category outing --date 2026-11-25 --json
[ "$status" -eq 0 ] && ok || bad "a shared outing: $err"
OUTING=$(sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' <<<"$out" | head -n 1)
[ "$(tr -d ' \n' <<<"$out" | grep -o '"minutes":9,' | wc -l)" -eq 4 ] && ok || bad "four shares of 9: $out"
[ "$(tr -d ' \n' <<<"$out" | grep -o '"minutes":8,' | wc -l)" -eq 3 ] && ok || bad "three shares of 8: $out"
grep -q '"payer": "shared"' <<<"$out" && ok || bad "carers share the cost: $out"
expect_ok hours confirm "$OUTING" --as carol
[ "$(balance carol)" = "-9" ] && ok || bad "carol paid 9: $(balance carol)"
expect_ok hours void "$OUTING" --as alice --reason "the others did not come"
run hours group-show "$OUTING"
[ "$(grep -c "voided" <<<"$out")" -eq 6 ] && ok || bad "six shares voided, carol's stays: $out"

# Bad input: a clear error, the documented exit code, nothing stored.
expect_fail 5 "two sessions" hours group --as dave --volunteer alice --with bob,carol --duration 1h \
  --category lunch-club --date 2026-11-26
expect_fail 5 "as a volunteer and as a recipient" hours group --as dave --volunteer alice --with bob,alice \
  --duration 1h --category lunch-club --date 2026-11-26 --pool
expect_fail 4 "duration" hours group --as dave --volunteer alice --with bob --category lunch-club --date 2026-11-26
expect_fail 4 "at least one minute" hours group --as dave --volunteer alice --with bob,sam,sue,tom,una,viv \
  --duration 5 --category lunch-club --date 2026-11-26
expect_fail 4 "listed twice" hours group --as dave --volunteer alice --volunteer alice --with bob --duration 1h \
  --category lunch-club --date 2026-11-26
expect_fail 5 "coordinator or by one of its volunteers" hours group --as bob --volunteer alice --with sam \
  --duration 1h --category lunch-club --date 2026-11-26
expect_fail 6 "volunteer alice: the volunteer needs a current safeguarding check" hours group --as dave --volunteer alice --with carol,cass --duration 2h \
  --category respite --date 2026-11-26
expect_fail 2 "not both" hours group --as dave --volunteer alice --with bob --duration 1h --pool --shared \
  --category lunch-club --date 2026-11-26

# The report counts each volunteer's time once and each person once.
run audit report --month 2026-11 --json
[ "$status" -eq 0 ] && ok || bad "audit report: $err"
group=$(tr -d ' \n' <<<"$out" | grep -o '"group_sessions":{[^}]*}')
grep -q '"sessions":2' <<<"$group" && ok || bad "two sessions with a confirmed share: $group"
grep -q '"volunteer_minutes":249' <<<"$group" && ok || bad "240 + carol's 9 confirmed: $group"
grep -q '"members_helped":7' <<<"$group" && ok || bad "six at lunch and carol: $group"
grep -q '"volunteers":2' <<<"$group" && ok || bad "alice and erin: $group"
run audit report --month 2026-11
grep -q "^Group sessions: 2" <<<"$out" && ok || bad "the table shows group sessions: $out"

# Replaying the log gives the same state, bit for bit.
run audit verify
[ "$status" -eq 0 ] && ok || bad "audit verify: $err"
run reindex
[ "$status" -eq 0 ] && grep -q "^identical" <<<"$out" && ok || bad "reindex: $out $err"
finish
