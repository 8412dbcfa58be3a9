#!/usr/bin/env bash
# Which day a figure counts (docs/decisions.md): a co-op types November's
# paper timesheets and records November's payments on 1 December. Its
# November report and a member's benefits statement count them in November,
# with the day they were recorded beside; December shows none of it.
# Commands run at chosen instants (COHOURS_NOW, app/clock_source.h).
# Usage: report_days_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: report_days_test.sh PATH/TO/cohours}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
COHOURS_ARGS=(--data "$WORK/hilltop")
source "$HERE/testlib.sh"
last_line() { printf '%s\n' "$out" | tail -n 1; }
# says WORDS: the last command's stdout holds WORDS (a fixed string).
says() { if grep -qF -- "$1" <<<"$out"; then ok; else bad "output lacks '$1':"$'\n'"$out"; fi; }
lacks() { if grep -qF -- "$1" <<<"$out"; then bad "output has '$1':"$'\n'"$out"; else ok; fi; }

export COHOURS_NOW=2026-11-02T09:00:00Z
expect_ok init --name "Hilltop Care Co-op"
expect_ok member add alice --role volunteer
expect_ok member add bob --role service-user
expect_ok member add dave --role coordinator --role admin

# 1 December: November's timesheets and payments are entered.
export COHOURS_NOW=2026-12-01T09:00:00Z
expect_ok hours log --as alice --to bob --minutes 120 --category befriending --date 2026-11-05
expect_ok hours confirm "$(last_line)" --as dave
expect_ok hours log --as alice --to community --minutes 180 --category gardening --date 2026-11-19
expect_ok hours confirm "$(last_line)" --as dave
expect_ok hours log --as alice --to bob --minutes 60 --category shopping --date 2026-11-03  # never confirmed
expect_ok expense claim --as alice --pence 1240 --category travel --date 2026-11-05
CLAIM=$(last_line)
expect_ok expense approve "$CLAIM" --as dave
expect_ok expense pay "$CLAIM" --as dave --date 2026-11-28 --ref "BACS 11"

export COHOURS_NOW=2026-12-02T09:00:00Z
expect_ok audit report --from 2026-11-01 --to 2026-11-30
says "2026-11       5h 00m"
says "Pool: opening 0m, paid out 5h 00m, received 0m, closing -5h 00m"
says "2026-11-03  2026-12-01  alice     bob        1h 00m  27 days"
grep -qE "^2026-11-28  2026-12-01  alice   travel     12\.40  ${CLAIM:0:12}\$" <<<"$out" && ok ||
  bad "the payment is not listed on the day paid with the day recorded: $out"
says "travel         1    12.40     12.40      0.00  12.40"
says "pool: The co-op pool pays for help to service users and the community. Its hours count on the day the help was given"
expect_ok --json audit report --from 2026-11-01 --to 2026-11-30
says '"paid_out_minutes": 300'
says '"paid": "2026-11-28"'
says '"recorded": "2026-12-01"'
expect_ok audit report --from 2026-11-01 --to 2026-11-30 --csv "$WORK/csv"
grep -q "^2026-11-28,2026-12-01,alice,travel,1240,2026-11-05,$CLAIM"$'\r'"\$" "$WORK/csv/payments.csv" && ok ||
  bad "payments.csv: $(cat "$WORK/csv/payments.csv")"
grep -q "^pool_paid_out_minutes,300"$'\r'"\$" "$WORK/csv/summary.csv" && ok || bad "summary.csv: $(cat "$WORK/csv/summary.csv")"

# December: nothing was given or paid in it.
expect_ok audit report --from 2026-12-01 --to 2026-12-31
says "Pool: opening -5h 00m, paid out 0m, received 0m, closing -5h 00m"
says $'Payments made in the period (GBP)\nnone'
lacks "2026-11       5h 00m"

# The benefits statement counts the cash in the month it was paid.
expect_ok statement alice --benefits --from 2026-11-01 --to 2026-11-30
says "  2026-11  12.40"
says "      paid 2026-11-28  travel  12.40  (recorded 2026-12-01)"
says "Time credits: balance 5h 00m"
expect_ok statement alice --benefits --from 2026-12-01 --to 2026-12-31
says $'Cash reimbursed for expenses, by month paid (GBP):\n  none'
expect_ok statement alice --from 2026-11-01 --to 2026-11-30
grep -qE "2026-11-05  2026-12-01 .* \+2h 00m" <<<"$out" && ok || bad "statement line of 5 November: $out"
says "Balance: 5h 00m"

finish
