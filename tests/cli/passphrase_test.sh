#!/usr/bin/env bash
# A passphrase on the node's key files (docs/operations.md "Protecting the
# keys"), driven as an admin would: `key protect` encrypts node.key and the
# keyring in place (0600, renamed into place); `cohours` and `cohoursd` then
# run only given COHOURS_PASSPHRASE_FILE (or --passphrase-file) and refuse
# without it, with a wrong one, or with a damaged or cut key file, saying
# how to fix it and changing nothing; the passphrase never shows in an error
# or the daemon's log; `key unprotect` writes plain keys back. Every unlock
# here runs the production Argon2id limits (about 0.15 s each).
# Usage: passphrase_test.sh PATH/TO/cohours PATH/TO/cohoursd
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
COHOURS=$(realpath "${1:?usage: passphrase_test.sh PATH/TO/cohours PATH/TO/cohoursd}")
COHOURSD=$(realpath "${2:?usage: passphrase_test.sh PATH/TO/cohours PATH/TO/cohoursd}")
WORK=$(mktemp -d)
daemon_pid=
trap '[ -n "$daemon_pid" ] && kill -KILL "$daemon_pid" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK"
source "$HERE/testlib.sh"
source "$HERE/../lib/loopback.sh"  # wait_until

PHRASE="correct horse battery staple"
WRONG="tr0ub4dor and three"
COHOURS_ARGS=(--data "$WORK/node")
# No command here may stop to ask: stdin is never a terminal (run's stdin).
exec </dev/null

printf '%s\n' "$PHRASE" >phrase && chmod 600 phrase
printf '%s\n' "$WRONG" >wrong && chmod 600 wrong

# expect_refused CODE WORD CMD...: exit CODE, one line naming WORD, no passphrase in it.
expect_refused() {
  local code=$1 word=$2
  shift 2
  run "$@"
  if [ "$status" -ne "$code" ]; then bad "cohours $* -> exit $status, expected $code ($err)"; return; fi
  if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then bad "cohours $* -> error is not one line: $err"; return; fi
  if ! grep -qF -- "$word" <<<"$err"; then bad "cohours $* -> error does not say '$word': $err"; return; fi
  if grep -qF -e "$PHRASE" -e "$WRONG" <<<"$err"; then bad "cohours $* -> the error shows a passphrase"; return; fi
  ok
}

# key_files: every key file with its mode and inode, one line each.
key_files() { stat -c '%n %a %i' node/node.key node/keyring/*; }
# snapshot: the bytes of every key file, to show a refusal changed nothing.
snapshot() { cat node/node.key node/keyring/* | sha256sum; }

expect_ok init --name "Hilltop Care Co-op"
expect_ok member add alice --role volunteer
expect_ok member add bob --role service-user

# --- protect ---
before=$(key_files)
expect_ok key protect --new-passphrase-file phrase
run --json key status
if [ "$(jq -r '.node_key_encrypted.kdf, .node_key_encrypted.ops, .node_key_encrypted.mem_bytes, .keyring_encrypted, .keyring_plain' <<<"$out" | tr '\n' ' ')" = "argon2id13 3 67108864 2 0 " ]; then ok
else bad "key status after protect: $out"; fi
for file in node/node.key node/keyring/*; do
  if [ "$(head -n 1 "$file")" = "cohours-encrypted-key 1" ] && [ "$(stat -c %a "$file")" = 600 ]; then ok
  else bad "$file is not an encrypted 0600 key file"; fi
done
# Replaced by a rename (a new inode each), never rewritten in place; no temporary left.
after=$(key_files)
if [ "$(cut -d' ' -f3 <<<"$before" | sort)" != "$(cut -d' ' -f3 <<<"$after" | sort)" ]; then ok
else bad "key protect rewrote the key files in place"; fi
if ls node/*.tmp node/keyring/*.tmp >/dev/null 2>&1; then bad "a .tmp key file was left behind"; else ok; fi

# --- without the daemon: each command opens node.key itself ---
expect_refused 5 "COHOURS_PASSPHRASE_FILE" balance
COHOURS_PASSPHRASE_FILE=wrong expect_refused 5 "wrong passphrase or damaged key file" balance
expect_refused 1 "passphrase file" --passphrase-file absent balance
chmod 644 phrase
COHOURS_PASSPHRASE_FILE=phrase expect_refused 5 "chmod 600" balance
chmod 600 phrase
export COHOURS_PASSPHRASE_FILE=$WORK/phrase
run hours log --as alice --to bob --minutes 90 --category befriending --date 2026-11-20
if [ "$status" -eq 0 ]; then ok; else bad "hours log with the passphrase: $err"; fi
HOURS=$(printf '%s\n' "$out" | tail -n 1)
unset COHOURS_PASSPHRASE_FILE
expect_ok --passphrase-file phrase hours confirm "$HOURS" --as bob
expect_ok --passphrase-file phrase audit verify
expect_ok key status  # needs no passphrase
# From standard input, for admins whose passphrase file only root can read.
if printf '%s\n' "$PHRASE" | "$COHOURS" --data "$WORK/node" --passphrase-file - balance >/dev/null 2>&1; then ok
else bad "--passphrase-file - from a pipe was refused"; fi
# On a terminal (a pseudo-terminal made by script(1)): asked once, after the
# prompt shows, and what is typed is not echoed.
coproc TTY { script -qec "$COHOURS --data $WORK/node balance" /dev/null 2>&1; }
tty_pid=$TTY_PID
prompt= screen=
if IFS= read -r -d ':' -t 20 prompt <&"${TTY[0]}" && [[ "$prompt" == *"Passphrase for $WORK/node/node.key" ]]; then
  printf '%s\n' "$PHRASE" >&"${TTY[1]}"
  while IFS= read -r -t 20 line <&"${TTY[0]}"; do screen+="$line"$'\n'; done
  if [[ "$screen" == *ACCOUNT* ]] && ! grep -qF "$PHRASE" <<<"$prompt$screen"; then ok
  else bad "the terminal prompt: balance not shown, or the passphrase echoed: $screen"; fi
else
  bad "no passphrase prompt on a terminal: '$prompt'"
  kill "$tty_pid" 2>/dev/null
fi
wait "$tty_pid" 2>/dev/null
# Ctrl-C at the prompt: the process dies of it and the terminal gets its
# echo back (it used to be left off, so the next thing typed was invisible).
result=$(python3 "$(dirname "$0")/ctrl_c_at_prompt.py" "$COHOURS" "$WORK/node")
if [ "$result" = "1 1 1 1" ]; then ok; else bad "Ctrl-C at the passphrase prompt (prompt, echo off, signalled, echo back): $result"; fi

# A changed byte of the sealed seed, and a file cut short: refused, and nothing is written.
cp node/node.key saved.key
seed_line=$(sed -n 6p saved.key)
digit=${seed_line:20:1}
if [ "$digit" = 0 ]; then swap=1; else swap=0; fi
{ head -n 5 saved.key; printf '%s%s%s\n' "${seed_line:0:20}" "$swap" "${seed_line:21}"; } >node/node.key
if ! cmp -s saved.key node/node.key; then ok; else bad "the flipped key file is the same as the saved one"; fi
state=$(snapshot)
expect_refused 5 "wrong passphrase or damaged key file" --passphrase-file phrase balance
head -c 200 saved.key >node/node.key
expect_refused 1 "not a whole encrypted key file" --passphrase-file phrase balance
state_after=$(snapshot)
if [ "$state" != "$state_after" ]; then ok; else bad "the damaged key file was not in place"; fi
cp saved.key node/node.key
expect_ok --passphrase-file phrase balance

# --- the daemon ---
"$COHOURSD" --data "$WORK/node" 2>daemon-refused.log
code=$?
if [ "$code" -eq 1 ] && grep -qF "COHOURS_PASSPHRASE_FILE" daemon-refused.log && [ ! -S node/control.sock ]; then ok
else bad "cohoursd without the passphrase: exit $code, log: $(cat daemon-refused.log)"; fi
COHOURS_PASSPHRASE_FILE=wrong "$COHOURSD" --data "$WORK/node" 2>>daemon-refused.log
code=$?
if [ "$code" -eq 1 ] && grep -qF "wrong passphrase or damaged key file" daemon-refused.log; then ok
else bad "cohoursd with a wrong passphrase: exit $code"; fi

COHOURS_PASSPHRASE_FILE=$WORK/phrase "$COHOURSD" --data "$WORK/node" 2>daemon.log &
daemon_pid=$!
wait_until "the daemon to listen" 20 test -S node/control.sock && ok
if grep -q "node.key is encrypted: opened with the passphrase in" daemon.log; then ok; else bad "no unlock line: $(cat daemon.log)"; fi
# Through the daemon no passphrase is needed; a key it makes is encrypted too.
expect_ok member add carol --role carer
carol_files=$(grep -lx "cohours-encrypted-key 1" node/keyring/* | wc -l)
if [ "$carol_files" -eq 3 ]; then ok; else bad "the daemon wrote a plain keyring key ($carol_files of 3 encrypted)"; fi
expect_ok hours log --as carol --to bob --minutes 30 --category befriending --date 2026-11-21
state=$(snapshot)
expect_refused 6 "stop cohoursd" --passphrase-file phrase key unprotect
if [ "$state" = "$(snapshot)" ]; then ok; else bad "a refused unprotect changed the key files"; fi
kill -TERM "$daemon_pid"
wait "$daemon_pid"
code=$?
daemon_pid=
if [ "$code" -eq 0 ]; then ok; else bad "cohoursd exited $code on SIGTERM"; fi
if grep -qF -e "$PHRASE" -e "$WRONG" daemon.log daemon-refused.log; then bad "a passphrase is in the daemon's log"; else ok; fi

# --- change the passphrase, then unprotect ---
printf '%s\n' "a new and longer passphrase" >new && chmod 600 new
expect_refused 5 "wrong passphrase" --passphrase-file wrong key protect --new-passphrase-file new
expect_ok --passphrase-file phrase key protect --new-passphrase-file new
expect_refused 5 "wrong passphrase" --passphrase-file phrase balance
expect_ok --passphrase-file new balance
printf 'short\n' >short && chmod 600 short
expect_refused 4 "at least 8" --passphrase-file new key protect --new-passphrase-file short
expect_refused 2 "new-passphrase-file" --passphrase-file new key protect

before=$(key_files)
expect_ok --passphrase-file new key unprotect
for file in node/node.key node/keyring/*; do
  if [ "$(stat -c '%a %s' "$file")" = "600 129" ]; then ok; else bad "$file is not a 0600 plain hex key"; fi
done
if [ "$(cut -d' ' -f3 <<<"$before" | sort)" != "$(cut -d' ' -f3 <<<"$(key_files)" | sort)" ]; then ok
else bad "key unprotect rewrote the key files in place"; fi
expect_ok balance
expect_ok audit verify
run key unprotect
if [ "$status" -eq 0 ] && grep -q "nothing changed" <<<"$out"; then ok; else bad "second unprotect: $status $out $err"; fi

finish
