#!/usr/bin/env bash
# Builds the Debian package of cohours (docs/operations.md "Install from
# the package"): build-pkg/cohours_VERSION_amd64.deb.
#
#   bash scripts/package.sh                 # a Release build in build-pkg/build, no tests
#   COHOURS_BUILD_DIR=build bash scripts/package.sh
#                                           # package a build you already have
#   bash scripts/package.sh --version 0.2.0.1
#                                           # another version number (the package test's upgrade)
#
# Needs what scripts/install-deps.sh installs, and dpkg-dev (dpkg-shlibdeps
# works out the Depends line from the libraries the programs link).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build-pkg
build=${COHOURS_BUILD_DIR:-$out/build}
version=""
case "${1:-}" in
  "") ;;
  --version) version=${2:?"--version needs a version, e.g. 0.2.0.1"} ;;
  *) echo "usage: package.sh [--version V]" >&2; exit 2 ;;
esac
command -v dpkg-shlibdeps >/dev/null || { echo "package.sh: dpkg-shlibdeps not found: apt-get install dpkg-dev" >&2; exit 1; }
mkdir -p "$out"
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
fi
# Only what the package holds (not the tests of a build made for them).
targets=(cohours cohoursd man_pages)
# grep without -q reads all of help's output: with -q it could stop early
# and, under pipefail, cmake's SIGPIPE would leave the web app out.
if cmake --build "$build" --target help | grep '\.\.\. web$' >/dev/null; then targets+=(web); fi
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
args=(-G DEB -B "$out" --config "$build/CPackConfig.cmake")
[[ -n $version ]] && args+=(-D "CPACK_PACKAGE_VERSION=$version")
cpack "${args[@]}"
rm -rf "$out/_CPack_Packages"
# The package just made (the newest).
ls -1t "$out"/cohours_*.deb | head -n 1
