#!/usr/bin/env bash
# A coordinator's week at a new co-op (23-29 November 2026), issue 15's
# walk-through: two volunteers' safeguarding checks recorded, a carer's
# respite request matched to a vetted volunteer, a lunch club for six
# members as one group session, a paper timesheet of 40 rows imported, and
# the week's report that counts it (group sessions once, social value).
# tests/cli/week_test.sh runs it and checks what it prints.
# Usage: coordinator-week.sh DATA_DIR [PATH/TO/cohours]   (DATA_DIR must not exist)
set -euo pipefail
DATA=${1:?usage: coordinator-week.sh DATA_DIR [PATH/TO/cohours]}
BIN=${2:-$(dirname "$0")/../build/cli/cohours}
[ -e "$DATA" ] && { echo "coordinator-week: $DATA exists; give a new directory" >&2; exit 2; }
# Commands see 29 November 2026 unless the caller says otherwise.
export COHOURS_NOW=${COHOURS_NOW:-2026-11-29T17:00:00Z}
cohours() { echo "\$ cohours $*"; "$BIN" --data "$DATA" "$@"; }
quiet() { "$BIN" --data "$DATA" "$@" >/dev/null; }
last_id() { "$BIN" --data "$DATA" "$@" | tail -n 1; }
SHEET=$(mktemp -d)/week-timesheet.csv
trap 'rm -rf "$(dirname "$SHEET")"' EXIT

echo "# Monday: the co-op and its members"
quiet init --name "Hilltop Care Co-op"
quiet member add dave --role coordinator --role admin
quiet member add gina --role admin --role auditor
for v in alice erin frank; do quiet member add "$v" --role volunteer; done
quiet member add carol --role carer
for s in bob sam sue tom una viv; do quiet member add "$s" --role service-user; done
cohours policy set --as dave --categories respite,befriending,transport,shopping,gardening,lunch-club
cohours policy set --as dave --role carer --floor-minutes -600
cohours policy social-value --rate 1600 --source "Kent County Council homecare rate 2026/27" --date 2026-04-01 --as gina

echo
echo "# Monday: two volunteers' DBS checks seen"
cohours vetting record alice --as dave --kind dbs-enhanced-barred --issued 2026-11-20 --expires 2029-11-19
cohours vetting record erin --as dave --kind dbs-enhanced-barred --issued 2025-12-10 --expires 2026-12-20
cohours vetting list --expiring 30d

echo
echo "# Tuesday: carol asks for respite; frank has no check, alice has"
REQUEST=$(last_id respite request --as carol --minutes 180 --date 2026-11-28)
cohours offers match "$REQUEST" --volunteer frank --as dave || echo "(refused, as it should be: frank has no check)"
MATCHED=$(cohours offers match "$REQUEST" --volunteer alice --as dave)
echo "$MATCHED"
echo "# Saturday, after the visit, carol confirms the respite"
cohours hours confirm "$(tail -n 1 <<<"$MATCHED")" --as carol

echo
echo "# Tuesday: the lunch club, six members, two volunteers, one entry"
LUNCH=$(cohours hours group --as dave --volunteer alice --volunteer erin --with bob,sam,sue,tom,una,viv \
  --duration 2h --category lunch-club --date 2026-11-24)
echo "$LUNCH"
cohours hours confirm "$(tail -n 1 <<<"$LUNCH")" --as dave

echo
echo "# Friday: the paper timesheets, 40 rows typed up"
{
  echo "volunteer,recipient,date,duration,category,note"
  for i in $(seq 1 40); do
    v=$([ $((i % 3)) -eq 0 ] && echo frank || { [ $((i % 3)) -eq 1 ] && echo erin || echo alice; })
    r=$([ $((i % 4)) -eq 0 ] && echo community || echo "$(echo bob sam sue tom una viv | cut -d' ' -f$((i % 6 + 1)))")
    c=$([ "$r" = community ] && echo gardening || echo befriending)
    printf '%s,%s,%02d/11/2026,%dm,%s,\n' "$v" "$r" $((23 + i % 5)) $((30 + i)) "$c"
  done
} >"$SHEET"
for how in --dry-run "" ""; do  # try it, import it, and the same file again
  echo "\$ cohours hours import week-timesheet.csv --as dave $how   (its last line)"
  "$BIN" --data "$DATA" hours import "$SHEET" --as dave $how | tail -n 1
done
echo "# (a coordinator confirms the 40 for members without phones)"
for id in $("$BIN" --data "$DATA" hours import "$SHEET" --as dave --json | sed -n 's/.*"id": "\([0-9a-f]\{64\}\)".*/\1/p'); do
  quiet hours confirm "$id" --as dave
done

echo
echo "# Sunday: the week's report"
cohours audit report --from 2026-11-23 --to 2026-11-29
cohours audit verify
