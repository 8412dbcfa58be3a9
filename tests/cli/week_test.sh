#!/usr/bin/env bash
# Issue 15's closing walk-through (scripts/coordinator-week.sh) end to end:
# what a coordinator's week prints, and that the week's report counts the
# lunch club once, the timesheet's 40 rows and the matched respite.
# Usage: week_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "$1")
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
source "$HERE/testlib.sh"
has() { grep -qF -- "$1" "$WORK/week.out" && ok || bad "the week should print: $1"; }

COHOURS_NOW=2026-11-29T17:00:00Z bash "$ROOT/scripts/coordinator-week.sh" "$WORK/data" "$COHOURS" >"$WORK/week.out" 2>&1 &&
  ok || bad "coordinator-week.sh failed: $(tail -5 "$WORK/week.out")"
has "erin       dbs-enhanced-barred  2025-12-10  2026-12-20  current (21 days left)"
has "needs a current safeguarding check for 'respite' on 2026-11-28"
has "Matched: alice with carol's respite request of 2026-11-28."
has "bob       40m  pending"
has "Confirmed: the shares of 6 members of lunch-club on 2026-11-24: 4 hours from the co-op pool to 2 volunteers."
has "Dry run: every row is good; 40 of 40 rows would be added."
has "40 of 40 rows added."
has "Nothing new: every row was imported before."
has "Group sessions: 1; volunteers: 2, who gave 4h 00m (each volunteer's time once); members helped: 6; places: 6"
has "Respite for carers: 3h 00m to 1 carer"
has "People helped: 7"
has "audit passed"
# The lunch club is 4 hours (two volunteers' 2 hours each), not 24.
grep -q "lunch-club        4h 00m" "$WORK/week.out" && ok || bad "the lunch club should count 4 hours: $(grep lunch-club "$WORK/week.out")"
finish
