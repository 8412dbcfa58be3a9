#!/usr/bin/env bash
# Social value in the period report, in all four formats (table, JSON, CSV,
# HTML), and thank-yous on the CLI. Commands run at chosen instants
# (COHOURS_NOW), so the joining days and the three-month window are fixed:
# erin joins 2027-01-05 and helps 10 days later and on her day 90
# (2027-04-05); hal joins 2027-01-20 and never helps (his day 90 is
# 2027-04-20, inside the report). Usage: social_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: social_test.sh PATH/TO/cohours}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
COHOURS_ARGS=(--data "$WORK/hilltop")
source "$HERE/testlib.sh"
last_line() { printf '%s\n' "$out" | tail -n 1; }
says() { if grep -qF -- "$1" <<<"$out"; then ok; else bad "output lacks '$1':"$'\n'"$out"; fi; }
lacks() { if grep -qF -- "$1" <<<"$out"; then bad "output has '$1':"$'\n'"$out"; else ok; fi; }
expect_fail() {
  local code=$1 words=$2
  shift 2
  run "$@"
  if [ "$status" -eq "$code" ] && grep -qF -- "$words" <<<"$err"; then ok; else
    bad "expected exit $code with '$words': cohours $* -> $status: $err"
  fi
}

export COHOURS_NOW=2027-01-05T09:00:00Z
expect_ok init --name "Hilltop Care Co-op"
expect_ok member add dave --role coordinator --role admin
expect_ok member add bob --role service-user
expect_ok member add erin --role volunteer
export COHOURS_NOW=2027-01-15T16:00:00Z
expect_ok hours log --as erin --to bob --minutes 95 --category befriending --date 2027-01-15
WALK=$(last_line)
expect_ok hours confirm "$WALK" --as bob
export COHOURS_NOW=2027-01-20T09:00:00Z
expect_ok member add hal --role volunteer
export COHOURS_NOW=2027-04-05T16:00:00Z
expect_ok hours log --as erin --to bob --minutes 60 --category shopping --date 2027-04-05
expect_ok hours confirm "$(last_line)" --as bob

export COHOURS_NOW=2027-05-02T09:00:00Z
# No rate yet: the report says how to set one instead of a zero.
expect_ok audit report --from 2027-01-01 --to 2027-04-30
says "Social value (an estimate, never money in the ledger)"
says "Replacement rate: not set. No replacement rate is set, so the hours are not valued. An admin sets one with \`cohours policy social-value"
says "Estimated value: not valued (no replacement rate set)"
says "Hours of help valued: 2h 35m"
says "People helped: 1"
says "New volunteers: 2"
says "Active after three months: 1 stayed active, 1 not active, 0 too early to tell"
says "Days from joining to a first exchange: median 10 (1 with one, 1 none yet)"
says "  how: Of the new volunteers: 'stayed active' gave confirmed help on a day in their third month"
expect_ok policy social-value
says "No replacement rate is set"

# Setting it: an admin, a whole number of pence, a source and a date.
expect_fail 5 "is not an admin here" policy social-value --rate 1600 --source "council" --date 2026-04-01 --as erin
expect_fail 4 "pence an hour" policy social-value --rate 16.00 --source "council" --date 2026-04-01 --as dave
expect_fail 4 "1 to 100000 pence an hour" policy social-value --rate 0 --source "council" --date 2026-04-01 --as dave
expect_fail 2 "give --rate, --source, --date and --as together" policy social-value --rate 1600 --as dave
expect_ok policy social-value --rate 1600 --source "Kent County Council homecare rate 2026/27" --date 2026-04-01 --as dave
says "Replacement rate: 16.00 GBP an hour (1600 pence)"
says "source: Kent County Council homecare rate 2026/27"
says "dated: 2026-04-01"

# Table: 155 minutes at 1600 pence an hour = 4133.33 pence, rounded down.
expect_ok audit report --from 2027-01-01 --to 2027-04-30
says "Replacement rate: 16.00 GBP an hour (1600 pence), Kent County Council homecare rate 2026/27, dated 2026-04-01; set by dave"
says "Estimated value: 41.33 GBP at 16.00 GBP an hour (Kent County Council homecare rate 2026/27, 2026-04-01)"
says "  how: social_value_hours in minutes x the replacement rate in pence an hour / 60"
says "The value of volunteer hours is an estimate"
# A report ending the day before erin's day 90 cannot tell yet.
expect_ok audit report --from 2027-01-01 --to 2027-04-04
says "Active after three months: 0 stayed active, 0 not active, 2 too early to tell"

# JSON: each figure with its method beside it.
expect_ok --json audit report --from 2027-01-01 --to 2027-04-30
printf '%s' "$out" >"$WORK/report.json"
python3 - "$WORK/report.json" <<'PY' && ok || bad "report JSON social_value: $out"
import json, sys
s = json.load(open(sys.argv[1]))["social_value"]
assert s["estimate"]["pence"] == 4133, s["estimate"]
assert s["hours"]["minutes"] == 155
assert s["rate"]["value"]["pence_per_hour"] == 1600
assert s["rate"]["value"]["source"] == "Kent County Council homecare rate 2026/27"
assert s["rate"]["value"]["date"] == "2026-04-01"
assert s["retention"] == {**s["retention"], "stayed_active": 1, "not_active": 1, "too_early_to_tell": 0}
assert s["days_to_first_exchange"]["median_days"] == 10
assert s["days_to_first_exchange"]["none_yet"] == 1
for key in ("rate", "hours", "estimate", "respite", "people_helped", "new_volunteers", "retention", "days_to_first_exchange"):
    assert s[key]["method"], key
assert "never in the ledger" in s["estimate_statement"]
PY

# CSV: social_value.csv, figure, value and method on every row.
expect_ok audit report --from 2027-01-01 --to 2027-04-30 --csv "$WORK/csv"
head -n 1 "$WORK/csv/social_value.csv" | grep -q "^figure,value,method"$'\r'"\$" && ok || bad "social_value.csv header"
grep -q "^estimate_pence,4133,\"social_value_hours in minutes x the replacement rate" "$WORK/csv/social_value.csv" && ok ||
  bad "social_value.csv: $(cat "$WORK/csv/social_value.csv")"
grep -q "^rate_source,Kent County Council homecare rate 2026/27," "$WORK/csv/social_value.csv" && ok || bad "rate_source row"
grep -q "^new_volunteers_stayed_active,1,\"Of the new volunteers" "$WORK/csv/social_value.csv" && ok || bad "retention row"

# HTML: the section, the figure with the rate, source and date beside it.
expect_ok audit report --from 2027-01-01 --to 2027-04-30 --html "$WORK/report.html"
for words in 'id="social-value"' '£41.33' 'at £16.00 an hour, Kent County Council homecare rate 2026/27, 2026-04-01' \
  'It is not money, it is never in the ledger' 'How it is counted:' 'Too early to tell'; do
  grep -qF -- "$words" "$WORK/report.html" && ok || bad "report.html lacks '$words'"
done

# Thank-yous: bob thanks erin for the walk; hal may not.
expect_ok thanks send "$WALK" "Thank you for the walk by the river" --as bob
THANKS=$(last_line)
says "Thank-you sent to erin for 1h 35m of befriending on 2027-01-15"
expect_fail 5 "only the member who received this help" thanks send "$WALK" "thanks" --as hal
expect_fail 4 "limited to 280 characters" thanks send "$WALK" "$(printf 'a%.0s' $(seq 1 281))" --as bob
expect_fail 6 "thanked them for this help already" thanks send "$WALK" "again" --as bob
expect_ok thanks list --as erin
says "Thank-yous received: 1"
says "from bob, for 1h 35m of befriending on 2027-01-15: Thank you for the walk by the river"
expect_ok --json thanks list --as bob
says '"text": "Thank you for the walk by the river"'
expect_fail 5 "only its sender, the volunteer thanked or an admin" thanks erase "$THANKS" --as hal
expect_ok thanks erase "$THANKS" --as bob
expect_ok thanks list --as erin
says "Thank-yous received: 0"
# Off the log: the audit passes, and reindex keeps the rate and thank-yous.
expect_ok thanks send "$WALK" "Thank you, erin" --as bob
expect_ok audit verify
says "audit passed"
expect_ok reindex
expect_ok policy social-value
says "source: Kent County Council homecare rate 2026/27"
expect_ok thanks list --as erin
says "Thank-yous received: 1"
expect_ok thanks erase "$(printf '%s\n' "$out" | sed -n 3p | tr -d ' ')" --as erin
# Forgetting the sender erases what they sent.
expect_ok thanks send "$WALK" "Thank you, erin" --as bob
expect_ok member forget bob --as dave
says "1 thank-yous sent or received erased."
expect_ok thanks list --as erin
says "Thank-yous received: 0"

finish
