#!/usr/bin/env bash
# Installs the Debian 12 packages cohours builds with, if any are missing,
# and the phone web app's npm packages at the versions web/package-lock.json
# pins (npm ci, only when the lock changed since the last install). Run as
# root (or with sudo). Installs nothing when all are present. The build
# itself downloads nothing.
#   --test  also what the tests need: headless Chromium renders the HTML
#           report and runs the phone web app's screens, jq reads the
#           daemons' JSON in the sync tests, faketime runs the suite at
#           another date (.ci/run), nginx-light, curl and openssl run the
#           documented TLS proxy in front of the API; clang, its
#           sanitizer and libFuzzer runtimes and llvm (the symbolizer for
#           their reports) build the sanitizer and fuzzing runs
#           (scripts/sanitize.sh, scripts/fuzz.sh); wrk and time drive
#           the benchmark suite's smoke run; python3-aiosmtpd is the
#           local SMTP sink the email alert test sends to. Only tests need them, so the
#           demo stays small.
#   --package what scripts/package.sh and tests/package/package_test.sh
#           need besides the build's packages: dpkg-dev (dpkg-shlibdeps)
#           and debootstrap.
#   --bench what the benchmark suite needs (tests/bench/run): wrk, jq,
#           time; the peers' scripts install PostgreSQL and Hypercore
#           themselves.
set -euo pipefail
packages=(g++ cmake make pkg-config
          librocksdb-dev libsodium-dev libcereal-dev libboost-dev
          libcli11-dev nlohmann-json3-dev doctest-dev libqrencode-dev)
case "${1:-}" in
  "") ;;
  --test) packages+=(chromium jq faketime nginx-light curl openssl clang libclang-rt-14-dev llvm wrk time python3-aiosmtpd) ;;
  --bench) packages+=(wrk jq time) ;;
  --package) packages+=(dpkg-dev debootstrap) ;;
  *) echo "usage: install-deps.sh [--test | --bench | --package]" >&2; exit 2 ;;
esac
# The phone web app is built with Node.js and npm (web/, docs/phone.md):
# Debian's, unless a node is already on the PATH.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The phone web app's packages from the npm registry, exactly as locked
# (docs/phone.md). The stamp says which lock they were installed from.
web="$(cd "$(dirname "$0")/../web" && pwd)"
stamp="$web/node_modules/.cohours-npm-ci"
if [ ! -f "$stamp" ] || ! cmp -s "$web/package-lock.json" "$stamp"; then
  echo "installing the web app's npm packages (web/package-lock.json)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$web/package-lock.json" "$stamp"
fi
