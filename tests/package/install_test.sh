#!/usr/bin/env bash
# `cmake --install` (cmake/Packaging.cmake): the programs, the systemd unit
# pointing at the installed cohoursd, the man pages, bash completion and the
# web app land under the prefix; both programs say the formats they read.
# The .deb itself is tested on a clean Debian root by package_test.sh (not
# in ctest: it takes minutes).
# Usage: install_test.sh BUILD_DIR
set -u
BUILD=$(realpath "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
. "$(dirname "$0")/../cli/testlib.sh"
check() {  # check WHAT COMMAND...: passes if the command succeeds
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok; else bad "$what"; fi
}

PREFIX=$WORK/usr
cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" 2>&1 || bad "cmake --install: $(tail -n 5 "$WORK/install.log")"
for f in bin/cohours bin/cohoursd; do check "$f is installed and executable" test -x "$PREFIX/$f"; done
unit=$PREFIX/lib/systemd/system/cohoursd.service
check "the unit runs the installed cohoursd for the group cohours" \
  grep -qx "ExecStart=$PREFIX/bin/cohoursd --data /var/lib/cohours --group cohours" "$unit"
check "the unit keeps the data directory open to the group" grep -qx "StateDirectoryMode=0710" "$unit"
check "no @VARIABLE@ is left in the unit" bash -c "! grep -q @ '$unit'"
for page in man1/cohours.1.gz man8/cohoursd.8.gz; do
  check "$page is a man page" bash -c "gzip -dc '$PREFIX/share/man/$page' | grep -q '^\.TH '"
  check "$page carries the version" bash -c "gzip -dc '$PREFIX/share/man/$page' | grep -q 'cohours [0-9]'"
done
check "the web app is installed where cohoursd looks" test -f "$PREFIX/share/cohours/web/index.html"
check "the guides are installed" test -f "$PREFIX/share/doc/cohours/operations.md"

# --version: the version and the entry and store formats.
for program in cohours cohoursd; do
  v=$("$PREFIX/bin/$program" --version)
  [[ $v =~ ^$program\ [0-9]+\.[0-9]+\.[0-9]+\ \(entry\ format\ [0-9]+,\ store\ format\ [0-9]+\)$ ]] && ok ||
    bad "$program --version: $v"
done

# Bash completion from the installed script, against the installed program.
complete_words() {
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _cohours
    echo "${COMPREPLY[*]}"' _ "$PREFIX/share/bash-completion/completions/cohours" "$@"
}
export PATH=$PREFIX/bin:$PATH
[ "$(complete_words cohours mem)" = "member" ] && ok || bad "cohours mem<TAB>: $(complete_words cohours mem)"
words=$(complete_words cohours member "")
[[ " $words " == *" add "* && " $words " == *" forget "* ]] && ok || bad "cohours member <TAB>: $words"
[ "$(complete_words cohours hours log --cat)" = "--category" ] && ok || bad "hours log --cat<TAB>"
[ "$(complete_words cohoursd --log-level w)" = "warn" ] && ok || bad "cohoursd --log-level w<TAB>"
mkdir "$WORK/exports-dir"
[ "$(complete_words cohours --data "$WORK/exports-d")" = "$WORK/exports-dir" ] && ok || bad "--data DIR<TAB>"
finish
