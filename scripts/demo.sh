#!/usr/bin/env bash
# Installs what is missing, builds, and runs a small co-op's first week in
# ./cohours-data (the README walk-through), then prints balances and the
# audit. An existing ./cohours-data is never overwritten: it is audited.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
cohours() { ./build/cli/cohours "$@"; }
id_of() { tail -n 1; }   # commands that create an entry print its id last

if [ -e cohours-data ]; then
  echo "== ./cohours-data already exists: showing it instead of creating the demo =="
else
  echo "== creating the demo co-op in ./cohours-data =="
  cohours init --name "Hilltop Care Co-op"
  cohours member add alice --role volunteer
  cohours member add bob --role service-user
  cohours member add carol --role carer --role volunteer
  cohours member add dave --role coordinator --role admin
  cohours policy set --role carer --floor-minutes -600 --as dave
  echo "-- alice befriends bob for two hours; bob confirms (the pool pays) --"
  HOURS=$(cohours hours log --as alice --to bob --minutes 120 --category befriending --date 2026-11-20 | id_of)
  cohours hours confirm "$HOURS" --as bob
  echo "-- carol asks for respite; alice offers it; carol confirms and pays --"
  cohours vetting record alice --as dave --kind dbs-enhanced-barred --issued 2026-01-05 --expires 2029-01-04
  REQUEST=$(cohours respite request --as carol --minutes 180 --date 2026-11-28 --note-private "Sat afternoon" | id_of)
  OFFER=$(cohours respite offer "$REQUEST" --as alice | id_of)
  cohours hours confirm "$OFFER" --as carol
  cohours transfer --as carol --to alice --minutes 30 --memo "thank you"
fi
echo
echo "== balances =="
cohours balance
echo
echo "== statement for alice =="
cohours statement alice
echo
echo "== audit =="
cohours audit verify
