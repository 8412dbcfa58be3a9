#!/usr/bin/env bash
# Issue 3 end to end: the month walk-through (scripts/demo-month.sh), every
# expense bad input, the board's report as CSV and as HTML checked in
# headless Chromium, a benefits statement, and a member forgotten with the
# log still verifying.
# Usage: month_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DATA=$WORK/hilltop
COHOURS_ARGS=(--data "$DATA")
source "$HERE/testlib.sh"
fingerprint() { "$COHOURS" --data "$DATA" log show --json | grep '"log_size"'; "$COHOURS" --data "$DATA" expense list --json; }
expect_fail() {
  local code=$1 word=$2 before after
  shift 2
  before=$(fingerprint)
  run "$@"
  after=$(fingerprint)
  if [ "$status" -ne "$code" ] || ! grep -qi -- "$word" <<<"$err" || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
    bad "cohours $* -> exit $status, wanted $code and '$word': $err"
  elif [ "$before" != "$after" ]; then
    bad "cohours $* failed but changed the ledger"
  else ok; fi
}
claim_id() {  # claim_id MEMBER STATUS: the first such claim's id
  "$COHOURS" --data "$DATA" expense list --member "$1" --status "$2" --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -n 1
}

bash "$ROOT/scripts/demo-month.sh" "$DATA" "$COHOURS" >"$WORK/month.out" 2>"$WORK/month.err" && ok ||
  bad "demo-month failed: $(tail -3 "$WORK/month.err")"
run log show --json
size=$(grep '"log_size"' <<<"$out" | tr -dc '0-9')
[ "${size:-0}" -ge 30 ] && ok || bad "the month has only $size entries"
run expense list --json
for state in claimed approved rejected paid; do
  [ "$(grep -c "\"status\": \"$state\"" <<<"$out")" -ge 1 ] && ok || bad "no claim is $state"
done
[ "$(grep -c '"status"' <<<"$out")" -eq 6 ] && ok || bad "the month should hold six claims"

# Expense bad inputs: a clear one-line error, the documented code, no change.
expect_fail 4 "positive" expense claim --as alice --pence -100 --category travel --date 2026-11-20
expect_fail 4 "not one of" expense claim --as alice --pence 100 --category cake --date 2026-11-20
expect_fail 4 "does not exist" expense claim --as alice --pence 100 --category travel --date 2026-11-20 --receipt "$WORK/missing.jpg"
expect_fail 4 "whole number" expense claim --as alice --pence 12.40 --category travel --date 2026-11-20
expect_fail 2 "either --pence or --miles" expense claim --as alice --category travel --date 2026-11-20
expect_fail 6 "only approved" expense pay "$(claim_id alice claimed)" --as gina
expect_fail 6 "already paid" expense pay "$(claim_id alice paid)" --as gina
expect_fail 5 "only an admin" expense approve "$(claim_id alice claimed)" --as erin
"$COHOURS" --data "$DATA" member role dave --role coordinator --role admin --role volunteer >/dev/null
"$COHOURS" --data "$DATA" expense claim --as dave --pence 300 --category meals --date 2026-11-20 >/dev/null
expect_fail 5 "own claim" expense approve "$(claim_id dave claimed)" --as dave
expect_fail 3 "no member" expense list --member zoe

# The board's report: CSV files and a self-contained HTML page.
run audit report --from 2026-11-01 --to 2026-11-30 --csv "$WORK/csv" --html "$WORK/report.html"
[ "$status" -eq 0 ] && ok || bad "audit report: $err"
for file in summary hours_by_month hours_by_category hours_per_person pending_over_14_days expenses_by_category unusual definitions; do
  [ -s "$WORK/csv/$file.csv" ] && ok || bad "no $file.csv"
done
head -n 1 "$WORK/csv/hours_by_month.csv" | grep -q "month,minutes" && ok || bad "hours_by_month.csv header"
run audit report --from 2027-01-01 --to 2027-01-31 --csv "$WORK/empty-csv"
head -n 1 "$WORK/empty-csv/unusual.csv" | grep -q "kind,description,id" && ok || bad "an empty section's CSV has no header"
grep -q "over the monthly limit" "$WORK/csv/unusual.csv" && ok || bad "the monthly expense limit is not flagged"
grep -qE 'https?://' "$WORK/report.html" && bad "the report loads something from outside" || ok
if [ -x /usr/bin/chromium ]; then
  flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
         --disable-component-update --disable-sync --user-data-dir="$WORK/chromium")
  /usr/bin/chromium "${flags[@]}" --screenshot="$WORK/report.png" --window-size=412,2400 "file://$WORK/report.html" \
    >/dev/null 2>&1
  [ "$(stat -c %s "$WORK/report.png" 2>/dev/null || echo 0)" -gt 20000 ] && ok || bad "no screenshot of the report"
  dom=$(/usr/bin/chromium "${flags[@]}" --dump-dom "file://$WORK/report.html" 2>/dev/null)
  for chart in chart-hours-month chart-hours-category chart-expenses-category; do
    chart_dom=$(tr '\n' ' ' <<<"$dom" | grep -o "<svg[^>]*id=\"$chart\".*" | sed 's#</svg>.*##')
    grep -q "<rect" <<<"$chart_dom" && ok || bad "chart $chart is missing or has no bars"
  done
else
  bad "chromium is not installed (scripts/install-deps.sh --test installs it)"
fi

run statement erin --benefits --from 2026-11-01 --to 2026-11-30 --as gina
grep -q "Time credits are not money" <<<"$out" && grep -q "2026-11  25.39" <<<"$out" && ok || bad "benefits statement: $out"
expect_fail 5 "only admins and auditors" statement erin --as alice

# A member asks to be forgotten: personal data goes, the log still verifies.
receipts_before=$(ls "$DATA/receipts" | wc -l)
carol_key=$("$COHOURS" --data "$DATA" member show carol --json | sed -n 's/.*"key": "\([0-9a-f]*\)".*/\1/p')
[ -e "$DATA/keyring/$carol_key.key" ] && ok || bad "carol's key should be in the keyring before"
run member forget carol --as gina
[ "$status" -eq 0 ] && ok || bad "member forget: $err"
expect_fail 3 "no member called" member show carol
[ "$(ls "$DATA/receipts" | wc -l)" -eq $((receipts_before - 1)) ] && ok || bad "carol's receipt was not erased"
[ ! -e "$DATA/keyring/$carol_key.key" ] && ok || bad "carol's key is still in the keyring"
run audit verify
[ "$status" -eq 0 ] && grep -q "audit passed" <<<"$out" && ok || bad "audit after forget: $err"
run audit report --from 2026-11-01 --to 2026-11-30 --json
grep -q '"carol"' <<<"$out" && bad "the report still names carol" || ok
run expense list --json
grep -q "member-" <<<"$out" && ok || bad "a forgotten member is not shown as a pseudonym"
expect_fail 5 "only an admin" member forget alice --as erin
# A paper timesheet (docs/timesheets.md): 40 rows with a bad one on line
# 17 stores nothing and names the line; corrected, it goes in whole; the
# same file again adds nothing; its notes leave with a forgotten member.
sheet=$WORK/timesheet.csv
{
  echo "Volunteer,Recipient,Date,Duration,Category,Note"
  echo 'alice,bob,2026-10-01,1h30,befriending,"Tea at the park, with his neighbour"'
  for i in $(seq 2 39); do
    [ "$i" -eq 16 ] && echo "erin,bob,2026-10-16,2 hours,shopping,"
    printf '%s,%s,%02d/10/2026,%dm,%s,\n' "$([ $((i % 2)) -eq 0 ] && echo erin || echo frank)" \
      "$([ $((i % 3)) -eq 0 ] && echo community || echo bob)" "$((i % 28 + 1))" "$((20 + i))" \
      "$([ $((i % 3)) -eq 0 ] && echo gardening || echo shopping)"
  done
} >"$sheet"
[ "$(grep -c . "$sheet")" -eq 41 ] && ok || bad "the timesheet should have a header and 40 rows"
expect_fail 4 "line 17" hours import "$sheet" --as dave
run hours import "$sheet" --as dave
grep -q "timesheet.csv line 17: duration '2 hours'" <<<"$out" && ok || bad "line 17 is not named: $out"
[ "$(grep -c "not stored" <<<"$out")" -eq 39 ] && ok || bad "the 39 good rows should be listed as not stored"
expect_fail 5 "not a coordinator" hours import "$sheet" --as erin
expect_fail 4 "does not exist" hours import "$WORK/missing.csv" --as dave
sed -i 's/,2 hours,/,2h,/' "$sheet"
before=$(fingerprint)
run hours import "$sheet" --as dave --dry-run
[ "$status" -eq 0 ] && grep -q "40 of 40 rows would be added" <<<"$out" && [ "$before" = "$(fingerprint)" ] && ok ||
  bad "dry run: $status $out $err"
run hours import "$sheet" --as dave --json
size_before=$(grep '"log_size"' <<<"$before" | tr -dc '0-9')
run log show --json
[ "$(grep '"log_size"' <<<"$out" | tr -dc '0-9')" -eq $((size_before + 40)) ] && ok || bad "the import should add 40 entries"
grep -rqa "with his neighbour" "$DATA/store" && ok || bad "the imported note should be on disk"
run hours import "$sheet" --as dave --json
[ "$status" -eq 0 ] && grep -q '"already_imported": 40' <<<"$out" && grep -q '"added": 0' <<<"$out" && ok ||
  bad "the same file again: $status $out"
run log show --json
[ "$(grep '"log_size"' <<<"$out" | tr -dc '0-9')" -eq $((size_before + 40)) ] && ok || bad "importing again added entries"

# A time bank brought over from TimeOverflow (docs/moving-from-timeoverflow.md):
# a bad balance on line 4 stores nothing; the example goes in whole with
# its balances; the same file again adds nothing; a volunteer may not.
members=$WORK/timeoverflow.csv
sed 's/,&mdash;$/,1h30/; s/,&mdash;\r$/,1h30\r/' "$ROOT/docs/timeoverflow/example.csv" >"$members"
expect_fail 4 "line 4" member import-timeoverflow "$members" --as gina
run member import-timeoverflow "$members" --as gina
grep -q "timeoverflow.csv line 4: balance '1h30'" <<<"$out" && ok || bad "line 4 is not named: $out"
expect_fail 5 "not an admin" member import-timeoverflow "$ROOT/docs/timeoverflow/example.csv" --as erin
before=$(fingerprint)
run member import-timeoverflow "$ROOT/docs/timeoverflow/example.csv" --as gina --dry-run
[ "$status" -eq 0 ] && grep -q "5 of 5 members would join" <<<"$out" && [ "$before" = "$(fingerprint)" ] && ok ||
  bad "TimeOverflow dry run: $status $out $err"
run member import-timeoverflow "$ROOT/docs/timeoverflow/example.csv" --as gina --json
[ "$status" -eq 0 ] && grep -q '"added": 5' <<<"$out" && grep -q '"net_minutes": 885' <<<"$out" && ok ||
  bad "TimeOverflow import: $status $out $err"
run balance joan.puig --json
grep -q -- '-135' <<<"$out" && ok || bad "joan.puig should start 2:15 below zero: $out"
run statement maria.garcia-7
grep -q "opening balance brought over: 45 minutes in credit" <<<"$out" && ok || bad "statement: $out"
run member import-timeoverflow "$ROOT/docs/timeoverflow/example.csv" --as gina
[ "$status" -eq 0 ] && grep -q "Nothing new" <<<"$out" && ok || bad "TimeOverflow again: $status $out"
run audit verify
[ "$status" -eq 0 ] && ok || bad "audit after the TimeOverflow import: $err"

# bob's contact details and the notes about his hours (a void reason another
# member wrote) leave the disk, not just the index.
grep -rqa "07700 900456" "$DATA/store" && ok || bad "bob's contact should be on disk before"
run member forget bob --as gina
[ "$status" -eq 0 ] && ok || bad "forget bob: $err"
grep -rqa "07700 900456" "$DATA/store" && bad "bob's contact is still in the store files" || ok
grep -rqa "logged twice" "$DATA/store" && bad "a note about bob's hours is still in the store files" || ok
grep -rqa "with his neighbour" "$DATA/store" && bad "an imported note about bob is still in the store files" || ok
run audit verify
[ "$status" -eq 0 ] && ok || bad "audit after forgetting bob: $err"

finish
