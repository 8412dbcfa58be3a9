#!/usr/bin/env bash
# The README's quick start must work exactly as written: run its shell
# blocks, in order, in an empty directory with the built cohours on PATH.
# Usage: readme_test.sh PATH/TO/cohours README.md
set -u
BIN_DIR=$(dirname "$(realpath "$1")")
README=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
awk '/^## Quick start/{q=1; next} /^## /{q=0} q && /^```sh/{b=1; next} q && /^```/{b=0} q && b' "$README" >"$WORK/quick.sh"
lines=$(grep -c '^cohours\|=\$(cohours' "$WORK/quick.sh")
cd "$WORK"
if PATH="$BIN_DIR:$PATH" bash -e "$WORK/quick.sh" >"$WORK/out" 2>&1 && [ "$lines" -ge 20 ]; then
  echo "README quick start: $lines commands ran as written"
  echo "1 passed, 0 failed"
else
  tail -n 5 "$WORK/out"
  echo "README quick start failed ($lines commands found)"
  echo "0 passed, 1 failed"
  exit 1
fi
