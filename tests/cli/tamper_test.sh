#!/usr/bin/env bash
# Someone with the disk changes, deletes, swaps or reorders a stored record,
# Merkle tree node, signed tree head, derived row or log metadata: every time
# `cohours audit verify` fails (exit 7) and names the damage, also when the
# damage is to the last record and the ledger itself refuses to open.
# (Exports are tampered with in export_test.sh.)
# Usage: tamper_test.sh PATH/TO/cohours PATH/TO/store_tool
set -u
COHOURS=$(realpath "$1")
TOOL=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/testlib.sh"
cd "$WORK" || exit 1

# A small co-op: 18 records (init's policy, 3 joins, 6 hours logged and
# confirmed, 1 transfer, 1 vetting).
expect_ok init --name "Tamper Co-op"
expect_ok member add alice --role volunteer
expect_ok member add bob --role service-user
expect_ok member add dave --role coordinator --role admin
for _ in 1 2 3 4 5 6; do
  run hours log --as alice --to bob --minutes 30 --category befriending --date 2026-11-20 --again
  expect_ok hours confirm "$(tail -n 1 <<<"$out")" --as bob
done
expect_ok transfer --as alice --to bob --minutes 15
expect_ok vetting record alice --as dave --kind dbs-enhanced-barred --issued 2026-01-05 --expires 2029-01-04
expect_ok audit verify
cp -a cohours-data pristine

seq_key() { printf '%016x' "$1"; }
first_key() { "$TOOL" pristine/store keys "$1" | head -n 1; }
meta_key() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
[ "$("$TOOL" pristine/store keys records | wc -l)" -eq 18 ] && ok || bad "expected 18 records"

cases=0
# damaged EXPECTED TOOL-ARGS...: a fresh copy, one change, then the audit.
damaged() {
  local expected=$1
  shift
  cases=$((cases + 1))
  rm -rf cohours-data
  cp -a pristine cohours-data
  if ! "$TOOL" cohours-data/store "$@"; then
    bad "store_tool $* failed"
    return
  fi
  run audit verify
  if [ "$status" -eq 7 ] && [[ "$err" == *"$expected"* ]]; then ok
  else bad "after '$*' audit verify -> $status, expected 7 naming '$expected': $err"; fi
}

# Records: changed, cut short, deleted, swapped; in the middle and the last.
damaged "record 5: the entry's signature does not verify" flip records "$(seq_key 5)"
damaged "record 18: the entry's signature does not verify" flip records "$(seq_key 18)"
damaged "record 7: malformed record" cut records "$(seq_key 7)" 10
damaged "record 18: malformed record" cut records "$(seq_key 18)" 3
damaged "record 5 is missing" delete records "$(seq_key 5)"
damaged "records were removed" delete records "$(seq_key 18)"
damaged "record 3 says it is record 4" swap records "$(seq_key 3)" "$(seq_key 4)"
damaged "record 1 says it is record 18" swap records "$(seq_key 1)" "$(seq_key 18)"
# Signed tree heads.
damaged "signed tree head at size 18 has a bad node signature" flip heads "$(seq_key 18)"
damaged "signed tree head at size 5 has a bad node signature" flip heads "$(seq_key 5)"
damaged "no signed tree head covers the last record" delete heads "$(seq_key 18)"
damaged "signed tree head at size 17 is filed under the wrong size" swap heads "$(seq_key 17)" "$(seq_key 18)"
# Merkle tree nodes.
damaged "the stored Merkle tree does not match the records" flip tree "$(first_key tree)"
damaged "the stored Merkle tree does not match the records" delete tree "$(first_key tree)"
# Rows derived from the records.
damaged "the stored balance of account" flip balances "$(first_key balances)"
damaged "stored postings rows differ" delete postings "$(first_key postings)"
damaged "stored members rows differ" flip members "$(first_key members)"
damaged "stored entries rows differ" flip entries "$(first_key entries)"
damaged "stored movements rows differ" delete movements "$(first_key movements)"
damaged "stored vettings rows differ" flip vettings "$(first_key vettings)"
# The log's own metadata.
damaged "the stored chain tip is not the hash of the last record" flip meta "$(meta_key last_hash)" 0
damaged "the latest signed tree head does not cover the whole log" flip meta "$(meta_key latest_head)" 0
damaged "the store says the log holds" flip meta "$(meta_key log_size)" 0
damaged "the store belongs to node" flip meta "$(meta_key node_key)" 0

# The untouched copy still passes: the damage, not the tool, failed them.
rm -rf cohours-data
cp -a pristine cohours-data
expect_ok audit verify
echo "$cases kinds of damage, each named by audit verify"
finish
