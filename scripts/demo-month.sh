#!/usr/bin/env bash
# A month of a small co-op (November 2026): seven members, hours of every
# kind, a respite exchange, a correction, six expense claims through every
# state, then the board's report and the audit. (tests/cli/month_test.sh
# goes on to forget members on the same data.)
# docs/cli.md "A month at Hilltop" is this script's transcript.
# Usage: demo-month.sh DATA_DIR [PATH/TO/cohours]   (DATA_DIR must not exist)
set -euo pipefail
DATA=${1:?usage: demo-month.sh DATA_DIR [PATH/TO/cohours]}
BIN=${2:-$(dirname "$0")/../build/cli/cohours}
[ -e "$DATA" ] && { echo "demo-month: $DATA exists; give a new directory" >&2; exit 2; }
cohours() { echo "\$ cohours $*" >&2; "$BIN" --data "$DATA" "$@"; }
id() { tail -n 1; }
RECEIPTS=$(mktemp -d)
trap 'rm -rf "$RECEIPTS"' EXIT
printf 'Bus ticket 12.40\n' >"$RECEIPTS/bus-ticket.txt"
printf 'Nursery invoice 25.00\n' >"$RECEIPTS/nursery.txt"
printf 'Tabard 19.99\n' >"$RECEIPTS/tabard.txt"

cohours init --name "Hilltop Care Co-op"
cohours member add alice --role volunteer
cohours member add bob --role service-user --contact "c/o daughter, 07700 900456"
cohours member add carol --role carer --role volunteer
cohours member add dave --role coordinator --role admin
cohours member add erin --role volunteer
cohours member add frank --role volunteer
cohours member add gina --role admin --role auditor
cohours policy set --as dave --role carer --floor-minutes -600 --expense-month-limit travel=1000

# Hours of help; bob is a service user, so the pool pays.
H=$(cohours hours log --as alice --to bob --minutes 120 --category befriending --date 2026-11-02 | id)
cohours hours confirm "$H" --as bob
H=$(cohours hours log --as erin --to bob --minutes 90 --category transport --date 2026-11-03 | id)
cohours hours confirm "$H" --as dave      # bob has no phone: the coordinator confirms for him
H=$(cohours hours log --as frank --to community --minutes 180 --category gardening --date 2026-11-04 | id)
cohours hours confirm "$H" --as dave
H=$(cohours hours log --as alice --to bob --minutes 60 --category shopping --date 2026-11-06 | id)
cohours hours confirm "$H" --as bob
H=$(cohours hours log --as erin --to bob --minutes 120 --category befriending --date 2026-11-09 | id)
cohours hours confirm "$H" --as bob
LONG=$(cohours hours log --as alice --to bob --minutes 720 --category befriending --date 2026-11-12 | id)
cohours hours confirm "$LONG" --as bob
cohours hours log --as frank --to bob --minutes 90 --category transport --date 2026-11-02 >/dev/null  # never confirmed
H=$(cohours hours log --as alice --to carol --minutes 60 --category shopping --date 2026-11-16 | id)
cohours hours confirm "$H" --as carol     # carol pays alice herself
H=$(cohours hours log --as erin --to bob --minutes 60 --category befriending --date 2026-11-18 | id)
cohours hours void "$H" --as erin --reason "logged twice"

# Respite: carol asks, erin offers, carol confirms and pays.
cohours vetting record erin --as dave --kind dbs-enhanced-barred --issued 2026-03-02 --expires 2029-03-01 >/dev/null
REQUEST=$(cohours respite request --as carol --minutes 180 --date 2026-11-14 --note-private "Saturday, 2-5pm" | id)
OFFER=$(cohours respite offer "$REQUEST" --as erin | id)
cohours hours confirm "$OFFER" --as carol
GIFT=$(cohours transfer --as carol --to erin --minutes 30 --memo "thank you" | id)
cohours reverse "$GIFT" --as dave --reason "carol meant to thank alice"
cohours transfer --as carol --to alice --minutes 30 --memo "thank you"

# Six expense claims, through every state.
C1=$(cohours expense claim --as alice --pence 1240 --category travel --date 2026-11-02 --receipt "$RECEIPTS/bus-ticket.txt" | id)
cohours expense approve "$C1" --as gina
cohours expense pay "$C1" --as gina --ref "BACS 2026-11-20 #1" --date 2026-11-20
C2=$(cohours expense claim --as erin --miles 12 --category travel --date 2026-11-03 | id)
cohours expense approve "$C2" --as dave
cohours expense pay "$C2" --as gina --ref "BACS 2026-11-20 #2" --date 2026-11-20
C3=$(cohours expense claim --as frank --pence 4580 --category travel --date 2026-11-04 | id)
cohours expense reject "$C3" --as dave --reason "taxi; the minibus was free"
C4=$(cohours expense claim --as carol --pence 2500 --category childcare --date 2026-11-14 --receipt "$RECEIPTS/nursery.txt" | id)
cohours expense approve "$C4" --as gina
cohours expense claim --as alice --pence 850 --category meals --date 2026-11-12 >/dev/null
C6=$(cohours expense claim --as erin --pence 1999 --category uniform --date 2026-11-05 --receipt "$RECEIPTS/tabard.txt" | id)
cohours expense approve "$C6" --as dave
cohours expense pay "$C6" --as gina --ref "BACS 2026-11-20 #3" --date 2026-11-20

# Where everyone stands, and what the board sees.
cohours balance
cohours expense list
cohours statement erin --benefits --from 2026-11-01 --to 2026-11-30
cohours audit report --from 2026-11-01 --to 2026-11-30
cohours audit verify
