#!/usr/bin/env bash
# `cohours export` and `cohours audit verify --export`: a small co-op is
# exported as CSV and as JSON, both verify without the node's store, and
# every kind of tampering with an export fails with exit 7 naming what.
# Usage: export_test.sh PATH/TO/cohours
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: export_test.sh PATH/TO/cohours}")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
source "$HERE/testlib.sh"
# expect_fail CODE WORDS CMD...: exit CODE and an error containing WORDS.
expect_fail() {
  local code=$1 words=$2
  shift 2
  run "$@"
  if [ "$status" -ne "$code" ]; then bad "cohours $* -> exit $status, expected $code ($err)"; return; fi
  if ! grep -qF -- "$words" <<<"$err"; then bad "cohours $* -> error does not say '$words': $err"; return; fi
  ok
}
last_line() { printf '%s\n' "$out" | tail -n 1; }

# tampered NAME SRC: a fresh copy of export SRC to damage, in $WORK/NAME.
tampered() { rm -rf "$1"; cp -r "$2" "$1"; }
# flip_last_hex FILE LINE: changes the last hex digit of line LINE (CRLF kept).
flip_last_hex() {
  awk -v line="$2" '{ if (NR == line) { cr = sub(/\r$/, ""); c = substr($0, length($0));
                       $0 = substr($0, 1, length($0) - 1) (c == "0" ? "1" : "0") (cr ? "\r" : "") } print }' \
    "$1" >"$1.new" && mv "$1.new" "$1"
}
# flip_hex HEX AT: HEX with the digit at offset AT changed.
flip_hex() {
  local hex=$1 at=$2 c=${1:$2:1}
  printf '%s%s%s' "${hex:0:$at}" "$([ "$c" = 0 ] && echo 1 || echo 0)" "${hex:$((at + 1))}"
}
head_field() { grep "\"$2\":" "$1/head.json" | sed -E 's/.*": "?([^",]*)"?,?/\1/'; }

# --- a small co-op --------------------------------------------------------
expect_ok init --name "Hilltop Care Co-op"
expect_ok member add alice --role volunteer
expect_ok member add bob --role service-user
expect_ok member add carol --role carer --role volunteer
expect_ok member add dave --role coordinator --role admin
expect_ok hours log --as alice --to bob --minutes 120 --category befriending --date 2026-11-20
expect_ok hours confirm "$(last_line)" --as bob
expect_ok hours log --as carol --to bob --minutes 60 --category shopping --date 2026-11-21  # stays pending
expect_ok transfer --as alice --to carol --minutes 30 --memo "thank you"
if "$COHOURS" expense --help >/dev/null 2>&1; then
  expect_ok expense claim --as alice --pence 1240 --category travel --date 2026-11-20
  CLAIM=$(last_line)
  expect_ok expense approve "$CLAIM" --as dave --reason "bus fares"
  expect_ok expense pay "$CLAIM" --as dave --ref "BACS 0042"
  expect_ok expense claim --as carol --pence 800 --category meals --date 2026-11-21  # left claimed
else
  echo "note: no \`cohours expense\` command in this build; expense claims skipped"
fi
NODE_KEY=$("$COHOURS" log head --json | grep '"log"' | tr -dc '0-9a-f' | tail -c 64)
SIZE=$("$COHOURS" log head --json | grep '"size"' | tr -dc '0-9')

# --- export, both formats -------------------------------------------------
expect_ok export --format csv csv
for f in records accounts postings expenses; do [ -s "csv/$f.csv" ] && ok || bad "csv/$f.csv missing"; done
[ -s csv/head.json ] && ok || bad "csv/head.json missing"
grep -q "records                $SIZE" <<<"$out" && ok || bad "export summary does not count $SIZE records: $out"
[ "$(($(wc -l <csv/records.csv) - 1))" -eq "$SIZE" ] && ok || bad "records.csv does not hold $SIZE records"
head -n 1 csv/accounts.csv | grep -q $'^account,kind,key,unit,balance,pending_in,pending_out\r$' && ok ||
  bad "accounts.csv header (CRLF, RFC 4180): $(head -n 1 csv/accounts.csv | od -c | head -2)"
grep -q ',"carol",' csv/postings.csv && bad "a plain name was quoted" || ok
if "$COHOURS" expense --help >/dev/null 2>&1; then
  # Cash accounts are exported in pence, beside (never summed with) minutes.
  grep -q '^alice (expenses owed),member-payable,[0-9a-f]*,pence,0,' csv/accounts.csv && ok || bad "alice's payable account"
  grep -q '^co-op expenses,coop-expenses,[0-9a-f]*,pence,-1240,' csv/accounts.csv && ok || bad "co-op expenses account"
fi
expect_ok export --format json json --json
grep -q "\"records\": $SIZE" <<<"$out" && grep -q '"head_size"' <<<"$out" && ok || bad "export --json summary: $out"
head -c 1 json/accounts.json | grep -q '\[' && grep -q '"balance":[-0-9]' json/accounts.json && ok ||
  bad "accounts.json is not an array of objects with numbers"

# Nothing personal beyond the (unsigned) name columns: no memo or reference text anywhere.
grep -rq "thank you\|BACS\|bus fares" csv json && bad "a private note reached the export" || ok

# --- verify, untouched ----------------------------------------------------
expect_ok audit verify --export csv
grep -q "export verified" <<<"$out" && grep -q "trusted from the export" <<<"$out" && ok || bad "verify csv output: $out"
expect_ok audit verify --export json --node-key "$NODE_KEY"
grep -q "(as expected)" <<<"$out" && ok || bad "verify json with --node-key: $out"
expect_ok audit verify --export json --json
grep -q '"passed": true' <<<"$out" && ok || bad "verify --json: $out"
# The node's store is not needed: verify from a directory with no node at all.
mkdir elsewhere
(cd elsewhere && "$COHOURS" --data nowhere audit verify --export ../csv >/dev/null 2>&1) && ok || bad "verify needed a node store"

# --- refusals --------------------------------------------------------------
expect_fail 6 "not empty" export --format csv csv
[ "$(ls csv | wc -l)" -eq 5 ] && ok || bad "a refused export changed the directory"
touch afile
expect_fail 6 "not empty" export --format json afile
expect_fail 2 "" export --format xml fresh
expect_fail 1 "no export" audit verify --export nowhere
expect_fail 7 "not by the expected node" audit verify --export csv --node-key "$(printf 'ab%.0s' {1..32})"
expect_fail 4 "64 hex digits" audit verify --export csv --node-key nothex

# --- tampering --------------------------------------------------------------
tampered t1 csv
awk -F, -v OFS=, '$1 == "alice" && $2 == "member" { $5 = $5 + 60 } { print }' t1/accounts.csv >t1/a && mv t1/a t1/accounts.csv
expect_fail 7 "accounts.csv: balance of alice differs from the records" audit verify --export t1

tampered t2 csv
flip_last_hex t2/records.csv 4  # record 3's last hex digit: its entry signature
expect_fail 7 "record 3" audit verify --export t2
grep -q "signature" <<<"$err" && ok || bad "a changed record byte is not reported as a bad signature: $err"

tampered t3 csv
sed -i '$d' t3/records.csv
expect_fail 7 "the head does not match" audit verify --export t3

tampered t4 csv
ROOT=$(head_field csv root)
sed -i "/\"root\":/s/$ROOT/$(flip_hex "$ROOT" 0)/" t4/head.json
expect_fail 7 "root differs from the signed head" audit verify --export t4

tampered t5 csv
SIGNED=$(head_field csv signed_head)
sed -i "s/$SIGNED/$(flip_hex "$SIGNED" 86)/" t5/head.json  # the root inside the signed bytes
expect_fail 7 "root differs from the signed head" audit verify --export t5

tampered t5s csv
sed -i "s/$SIGNED/$(flip_hex "$SIGNED" $((${#SIGNED} - 10)))/" t5s/head.json  # a byte of the signature
expect_fail 7 "bad node signature" audit verify --export t5s

tampered t6 csv
DIGEST=$(head_field csv state_digest)
sed -i "s/$DIGEST/$(flip_hex "$DIGEST" 5)/" t6/head.json
expect_fail 7 "state_digest differs" audit verify --export t6

tampered t7 csv
# A deleted posting row: the count no longer matches.
sed -i '2d' t7/postings.csv
expect_fail 7 "postings.csv: holds" audit verify --export t7

tampered t8 json
sed -i '0,/"balance":90/s//"balance":900/' t8/accounts.json
expect_fail 7 "accounts.json: balance of" audit verify --export t8
run audit verify --export t8 --json
[ "$status" -eq 7 ] && grep -q '"passed": false' <<<"$out" && grep -q '"failure"' <<<"$out" && ok ||
  bad "failed verify --json: $status $out"

if "$COHOURS" expense --help >/dev/null 2>&1; then
  tampered t9 json
  sed -i 's/"status":"paid"/"status":"approved"/' t9/expenses.json
  expect_fail 7 "expenses.json: status of claim" audit verify --export t9
fi

tampered t10 json
sed -i '3s/\([0-9a-f]\)"}/\1X"}/' t10/records.json  # row 2's record_hex
expect_fail 7 "record_hex of row 2 is not hex" audit verify --export t10

# Names come from the erasable directory and are not signed: renaming is not tampering with the ledger.
tampered t11 csv
sed -i 's/^alice,member,/alicia,member,/' t11/accounts.csv
expect_ok audit verify --export t11

tampered t12 csv
rm t12/records.csv
cp json/records.json t12/  # records as JSON, the rest as CSV: not one export
expect_fail 7 "accounts.json" audit verify --export t12

finish
