#!/usr/bin/env bash
# Drives the built `cohours` binary through the README walk-through and
# through every bad input of issue 2: each must fail with its documented
# exit code and a one-line error, and change nothing.
# Usage: scenario_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: scenario_test.sh PATH/TO/cohours PATH/TO/store_tool}")
TOOL=$(realpath "${2:?usage: scenario_test.sh PATH/TO/cohours PATH/TO/store_tool}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
source "$HERE/testlib.sh"


# The ledger's fingerprint: log size and every balance. Unchanged by a refusal.
fingerprint() { "$COHOURS" log show --json 2>/dev/null | grep '"log_size"'; "$COHOURS" balance --json 2>/dev/null; }

# expect_fail CODE WORD CMD...: exit CODE, a one-line error mentioning WORD, no change.
expect_fail() {
  local code=$1 word=$2
  shift 2
  local before after
  before=$(fingerprint)
  run "$@"
  after=$(fingerprint)
  if [ "$status" -ne "$code" ]; then bad "cohours $* -> exit $status, expected $code ($err)"; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ "$err" != error:* ]]; then
    bad "cohours $* -> error is not one line starting 'error:': $err"; return
  fi
  if ! grep -qi -- "$word" <<<"$err"; then bad "cohours $* -> error does not mention '$word': $err"; return; fi
  if [ "$before" != "$after" ]; then bad "cohours $* changed the ledger although it failed"; return; fi
  ok
}

last_line() { printf '%s\n' "$out" | tail -n 1; }

balance_of() {
  "$COHOURS" balance "$1" --json | grep '"balance_minutes"' | tr -dc '0-9-'
}

# --- the walk-through, exactly as in the README ---------------------------
expect_fail 1 "cohours init" balance
expect_ok init --name "Hilltop Care Co-op"
expect_fail 6 "already" init --name "Again"
expect_ok member add alice --role volunteer
expect_ok member add bob --role service-user
expect_ok member add carol --role carer --role volunteer
expect_ok member add dave --role coordinator --role admin
expect_ok policy set --role carer --floor-minutes -600 --as dave
expect_ok hours log --as alice --to bob --minutes 120 --category befriending --date 2026-11-20
HOURS=$(last_line)
[[ "$HOURS" =~ ^[0-9a-f]{64}$ ]] && ok || bad "hours log did not print an id on its own last line: $out"
expect_ok hours confirm "$HOURS" --as bob
expect_ok respite request --as carol --minutes 180 --date 2026-11-28 --note-private "Sat afternoon"
REQUEST=$(last_line)
# Respite needs a current safeguarding check (docs/safeguarding.md).
expect_fail 6 "safeguarding check" respite offer "$REQUEST" --as alice
expect_fail 5 "admin or a coordinator" vetting record alice --as carol --kind dbs-enhanced-barred --issued 2026-01-05 --expires 2029-01-04
expect_fail 4 "kind of check" vetting record alice --as dave --kind dbs-maybe --issued 2026-01-05 --expires 2029-01-04
expect_fail 4 "real date" vetting record alice --as dave --kind dbs-enhanced --issued 2026-02-30 --expires 2029-01-04
expect_ok vetting record alice --as dave --kind dbs-enhanced-barred --issued 2026-01-05 --expires 2029-01-04 --certificate 001234567890
expect_ok vetting list
grep -q "alice .*dbs-enhanced-barred .*2029-01-04 .*current" <<<"$out" && ok || bad "vetting list: $out"
expect_ok respite offer "$REQUEST" --as alice
OFFER=$(last_line)
expect_ok hours confirm "$OFFER" --as carol
expect_ok transfer --as carol --to alice --minutes 30 --memo "thank you"
TRANSFER=$(last_line)
[[ "$TRANSFER" =~ ^[0-9a-f]{64}$ ]] && ok || bad "transfer did not print an id"
expect_ok balance
grep -q "sum to 0m" <<<"$out" && ok || bad "balance does not show the zero sum: $out"
expect_ok balance alice --json
grep -q '"account": "alice"' <<<"$out" && grep -q '"pending_minutes": 0' <<<"$out" && ok || bad "balance --json shape: $out"
[ "$(balance_of alice)" = "330" ] && ok || bad "alice should have 330 minutes, has $(balance_of alice)"
[ "$(balance_of carol)" = "-210" ] && ok || bad "carol should have -210 minutes"
[ "$(balance_of pool)" = "-120" ] && ok || bad "pool should have -120 minutes"
expect_ok statement alice
grep -q "you gave bob 2 hours of befriending" <<<"$out" && grep -q "carol gave you 30 minutes" <<<"$out" && ok ||
  bad "statement wording: $out"
expect_ok log show --from 1 --to 20
grep -q "hours.confirm" <<<"$out" && grep -q "respite.offer" <<<"$out" && ok || bad "log show: $out"
# Personal data stays out of the signed records: no alias, note or memo text.
records_hex=$("$TOOL" cohours-data/store records)
for secret in "Sat afternoon" "thank you" "alice" "carol" "Hilltop"; do
  hex=$(printf '%s' "$secret" | od -An -tx1 | tr -d ' \n')
  grep -q "$hex" <<<"$records_hex" && bad "'$secret' appears in the signed records" || ok
done
# Keys are readable by the owner only.
for key in cohours-data/node.key cohours-data/keyring/*.key; do
  [ "$(stat -c %a "$key")" = "600" ] && ok || bad "$key is not mode 0600"
done
expect_ok audit verify
grep -q "audit passed" <<<"$out" && ok || bad "audit verify: $out"
expect_ok reindex
grep -q "identical" <<<"$out" && ok || bad "reindex: $out"
expect_ok hours log --as alice --to bob --minutes 60 --category gardening --date 2026-11-21 --json
grep -q '"id"' <<<"$out" && ok || bad "hours log --json has no id"
PENDING=$(grep '"id"' <<<"$out" | tr -dc '0-9a-f' | tail -c 64)

# --- every bad input: a clear error, a documented code, nothing changed ---
expect_fail 3 "no member called" hours log --as zoe --to bob --minutes 60 --category befriending --date 2026-11-20
expect_fail 3 "no member called" hours log --as alice --to zoe --minutes 60 --category befriending --date 2026-11-20
expect_fail 4 "positive" hours log --as alice --to bob --minutes 0 --category befriending --date 2026-11-20
expect_fail 4 "positive" hours log --as alice --to bob --minutes -30 --category befriending --date 2026-11-20
expect_fail 4 "whole minutes such as 90, 90m, 1h30" hours log --as alice --to bob --minutes 1.5 --category befriending --date 2026-11-20
expect_fail 4 "whole minutes" hours log --as alice --to bob --minutes abc --category befriending --date 2026-11-20
expect_fail 4 "whole minutes" hours log --as alice --to bob --minutes 1.01h --category befriending --date 2026-11-20
expect_fail 4 "today or yesterday" hours log --as alice --to bob --minutes 60 --category befriending --date tomorrow
# Durations and days as people write them (docs/cli.md "Values").
expect_ok hours log --as alice --to bob --minutes "1h 30m" --category befriending --date yesterday
grep -q "gave bob 1 hour 30 minutes of befriending on 2026-11-29" <<<"$out" && ok || bad "1h 30m yesterday: $out"
expect_ok hours log --as alice --to bob --minutes 1.25h --category befriending --date today
grep -q "gave bob 1 hour 15 minutes of befriending on 2026-11-30" <<<"$out" && ok || bad "1.25h today: $out"
# The same hours twice: a possible duplicate, logged only with --again.
expect_fail 6 "already has 1 hour 30 minutes to bob on 2026-11-29" hours log --as alice --to bob --minutes 90 --category befriending --date yesterday
expect_ok hours log --as alice --to bob --minutes 90 --category befriending --date yesterday --again
expect_ok --version
grep -q "^cohours [0-9.]* (entry format 2, store format [0-9]*)" <<<"$out" && ok || bad "--version: $out"
expect_fail 4 "maximum" hours log --as alice --to bob --minutes 721 --category befriending --date 2026-11-20
expect_fail 4 "category" hours log --as alice --to bob --minutes 60 --category knitting --date 2026-11-20
expect_fail 4 "date" hours log --as alice --to bob --minutes 60 --category befriending --date 2026-02-30
expect_fail 4 "date" hours log --as alice --to bob --minutes 60 --category befriending --date 20-11-2026
expect_fail 6 "floor" transfer --as carol --to alice --minutes 391
expect_fail 6 "floor" transfer --as bob --to alice --minutes 1
expect_fail 5 "only the member who received" hours confirm "$PENDING" --as carol
expect_fail 5 "cannot confirm hours you gave" hours confirm "$PENDING" --as alice
expect_fail 6 "already confirmed" hours confirm "$HOURS" --as bob
expect_fail 3 "no entry" hours confirm 0123456789abcdef --as bob
expect_fail 4 "hex" hours confirm not-an-id --as bob
expect_fail 5 "only an admin" policy set --role carer --floor-minutes -6000 --as alice
# Out of range is said as such, not as malformed (issue 13).
expect_fail 4 "out of range" hours log --as alice --to bob --minutes 9223372036854775807 --category befriending --date 2026-11-20
expect_fail 4 "1,000,000 hours" policy set --role carer --floor-minutes -99999999999 --as dave
expect_fail 4 "at most 64 categories" policy set --categories "$(seq -s, -f 'c%g' 1 256)" --as dave
expect_fail 5 "only volunteers" respite offer "$REQUEST" --as bob
expect_fail 6 "not open" respite offer "$REQUEST" --as alice
expect_fail 2 "" hours log --as alice
expect_fail 2 "" frobnicate
expect_fail 2 "" balance --no-such-option
expect_fail 1 "no cohours node" --data "$WORK/nowhere" balance
# A member whose key is on their own phone cannot sign through the node.
expect_ok member add frank --role volunteer --key d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
expect_fail 5 "keyring" hours log --as frank --to bob --minutes 60 --category befriending --date 2026-11-20
expect_fail 6 "already a member" member add frank --role volunteer
expect_fail 4 "unknown role" member add gina --role wizard
# The wrong key in the keyring: the signature does not match alice's key.
ALICE_KEY=$("$COHOURS" member show alice --json | grep '"key"' | tr -dc '0-9a-f' | tail -c 64)
BOB_KEY=$("$COHOURS" member show bob --json | grep '"key"' | tr -dc '0-9a-f' | tail -c 64)
cp cohours-data/keyring/$ALICE_KEY.key "$WORK/alice.key"
cp cohours-data/keyring/$BOB_KEY.key cohours-data/keyring/$ALICE_KEY.key
expect_fail 5 "signature" transfer --as alice --to bob --minutes 10
cp "$WORK/alice.key" cohours-data/keyring/$ALICE_KEY.key

# A refused add leaves nothing behind; reserved words and bad keys are refused.
expect_fail 5 "only an admin" member add eve --role volunteer --as alice
expect_fail 3 "no member called" member show eve
expect_ok member add eve --role volunteer
expect_fail 4 "reserved" member add pool --role volunteer
expect_fail 4 "zero" member add zed --role volunteer --key 0000000000000000000000000000000000000000000000000000000000000000
expect_fail 3 "no member called" member show zed
# Errors stay on one line whatever the user typed; command-line slips are usage errors.
expect_fail 3 "no member called" hours log --as alice --to $'bo\nb' --minutes 60 --category befriending --date 2026-11-20
expect_fail 2 "" log show --to -1
expect_fail 2 "unknown command" frobnicate
expect_fail 2 "nothing to set" policy set --as dave

# A short id prefix works where a full id does.
expect_ok hours confirm "${PENDING:0:10}" --as bob
expect_fail 6 "already confirmed" hours confirm "$PENDING" --as bob

# --- a lost phone: member rekey retires the key at once, the member stays ---
FRANK_KEY=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
expect_fail 5 "only coordinators and admins" member rekey frank --as alice
expect_fail 3 "no member called" member rekey zoe --as dave
expect_fail 4 "64 hex digits" member rekey frank --as dave --key 12ab
expect_fail 6 "never used twice" member rekey frank --as dave --key "$ALICE_KEY"
expect_ok member rekey frank --as dave --json
grep -q '"how": "enrolment"' <<<"$out" && grep -q "\"retired_key\": \"$FRANK_KEY\"" <<<"$out" &&
  grep -Eq '"code": "[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}"' <<<"$out" && ok || bad "member rekey frank: $out"
expect_ok member list
grep -q "^frank .*none: new phone to enrol" <<<"$out" && ok || bad "member list after a rekey: $out"
expect_ok member invitations
grep -q "^frank .*new key" <<<"$out" && ok || bad "member invitations after a rekey: $out"
# A key that is given signs from now on; the retired one can never return.
NEW_FRANK=8a875fff1eb38451577acd5afee405456568dd7c89e090863a0557bc7af49f17
expect_ok member rekey frank --as dave --key $NEW_FRANK
expect_fail 6 "never used twice" member rekey frank --as dave --key $FRANK_KEY
expect_ok member show frank --json
grep -q "\"signing_key\": \"$NEW_FRANK\"" <<<"$out" && grep -q "\"key\": \"$FRANK_KEY\"" <<<"$out" && ok ||
  bad "member show after a rekey: $out"
# A member without a phone: a new keyring key, and --as signs with it.
expect_ok member rekey eve --json
grep -q '"how": "keyring"' <<<"$out" && ok || bad "member rekey eve: $out"
expect_ok transfer --as alice --to eve --minutes 5
expect_ok transfer --as eve --to alice --minutes 5
expect_ok expense claim --as eve --pence 250 --category meals --date 2026-11-20  # signed in the CLI's own session
expect_ok log show --json
grep -q '"kind": "member.rekey"' <<<"$out" && ok || bad "log show lacks member.rekey"
expect_ok audit verify

# --- a kept tree head: later audits prove the log still extends it ---
expect_ok log head
printf '%s\n' "$out" > "$WORK/kept-head.txt"
expect_ok transfer --as alice --to eve --minutes 5
expect_ok audit verify --known-head "$WORK/kept-head.txt"
grep -q "kept heads             1 matched" <<<"$out" && ok || bad "kept head not matched: $out"
printf 'nothing here\n' > "$WORK/no-head.txt"
expect_fail 4 "no signed tree head" audit verify --known-head "$WORK/no-head.txt"

# --- files a command writes never land in the data directory (issue 13) ---
cp cohours-data/node.key node.key.before
expect_fail 5 "inside the node's data directory" audit report --from 2026-11-01 --to 2026-11-30 --html cohours-data/node.key
expect_fail 5 "inside the node's data directory" audit report --from 2026-11-01 --to 2026-11-30 --csv cohours-data/keyring
expect_fail 5 "inside the node's data directory" export --format csv cohours-data/../cohours-data/exported
ln -s cohours-data data-link
expect_fail 5 "inside the node's data directory" consortium new data-link/node.key --name c --node-name a --address 127.0.0.1:1
cmp -s node.key.before cohours-data/node.key && ok || bad "the node key was overwritten"
[ ! -e cohours-data/exported ] && ok || bad "an export was written into the data directory"
rm -f data-link node.key.before

# --- a tampered store is caught ---
expect_ok audit verify --json
grep -q '"passed": true' <<<"$out" && ok || bad "audit --json"
"$TOOL" cohours-data/store tamper 9 && ok || bad "tamper tool failed"
run audit verify
[ "$status" -eq 7 ] && grep -q "first bad record: 9" <<<"$err" && ok || bad "audit did not catch record 9: $status $err"
run audit verify --json
[ "$status" -eq 7 ] && [ "$(grep -c '^{' <<<"$out")" -eq 1 ] && grep -q '"passed": false' <<<"$out" && ok ||
  bad "audit --json on failure must print one JSON report: $out"
run reindex
[ "$status" -eq 1 ] && grep -q "nothing was changed" <<<"$err" && ok || bad "reindex over a damaged record: $status $err"
expect_ok balance

finish
