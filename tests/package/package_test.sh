#!/usr/bin/env bash
# The Debian package on a clean Debian 12 root (docs/operations.md "Install
# from the package"): install, first init as the cohours user, the daemon
# started the way the unit starts it (no systemd as PID 1 here), a
# walk-through by a user in the group cohours without sudo, a user outside
# it refused with the group to join, an upgrade that keeps the data,
# `apt-get remove` that keeps /var/lib/cohours and `purge` that deletes it.
#
#   bash tests/package/package_test.sh [DEB NEWER_DEB]
#
# Without arguments it builds both with scripts/package.sh (the second with
# a bumped version, for the upgrade). Needs root, debootstrap and the
# network to the Debian mirror the machine's apt uses. NOT in ctest: the
# first run makes the root with debootstrap (a few minutes) and keeps it as
# build-pkg/debian12-clean.tar; later runs unpack that (seconds). apt-get
# downloads the package's dependencies every run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build-pkg
if [ "$(id -u)" -ne 0 ]; then echo "package_test.sh: run it as root (debootstrap, chroot)" >&2; exit 1; fi
if [ -z "${COHOURS_IN_NAMESPACE:-}" ]; then
  # A private mount namespace: the bind mounts go when the test ends.
  COHOURS_IN_NAMESPACE=1 exec unshare -m --propagation private bash "$0" "$@"
fi
started=$SECONDS
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() {  # check WHAT COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}

if [ $# -ge 2 ]; then
  deb=$(realpath "$1")
  newer=$(realpath "$2")
else
  deb=$(bash "$root/scripts/package.sh" | tail -n 1)
  version=$(dpkg-deb -f "$deb" Version)
  newer=$(bash "$root/scripts/package.sh" --version "$version.1" | tail -n 1)
fi
echo "packages: $(basename "$deb") then $(basename "$newer")"

# The clean root: debootstrap once, then a copy of what it made.
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
mirror=${mirror:-http://deb.debian.org/debian}
clean=$out/debian12-clean.tar
rootfs=$out/debian12-root
mkdir -p "$out"
if [ ! -f "$clean" ]; then
  command -v debootstrap >/dev/null || { echo "package_test.sh: apt-get install debootstrap" >&2; exit 1; }
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    { tail -n 20 "$out/debootstrap.log" >&2; exit 1; }
  tar -C "$rootfs" -cf "$clean.new" . && mv "$clean.new" "$clean"
fi
rm -rf "$rootfs"
mkdir -p "$rootfs"
tar -C "$rootfs" -xf "$clean"
echo "clean Debian 12 root ready after $((SECONDS - started)) s"
mount -t proc proc "$rootfs/proc"
mount --bind /dev "$rootfs/dev"
mount --bind /dev/pts "$rootfs/dev/pts"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
in_root() { chroot "$rootfs" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin COHOURS_NOW=2026-11-30T12:00:00Z \
  DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
daemon=""
trap '[ -n "$daemon" ] && kill "$daemon" 2>/dev/null; wait' EXIT

# --- install ---
cp "$deb" "$newer" "$rootfs/tmp/"
in_root apt-get update -qq >"$out/apt.log" 2>&1 || { tail -n 20 "$out/apt.log" >&2; exit 1; }
if in_root apt-get install -y -qq "/tmp/$(basename "$deb")" >>"$out/apt.log" 2>&1; then
  ok "apt-get install ./$(basename "$deb")"
else
  bad "apt-get install: $(tail -n 20 "$out/apt.log")"
  exit 1
fi
check "the system user cohours" in_root getent passwd cohours
check "the group cohours" in_root getent group cohours
[ "$(in_root stat -c '%a %U %G' /var/lib/cohours)" = "710 cohours cohours" ] && ok "/var/lib/cohours is 0710 cohours:cohours" ||
  bad "/var/lib/cohours: $(in_root stat -c '%a %U %G' /var/lib/cohours)"
check "/etc/cohours" test -d "$rootfs/etc/cohours"
unit=$rootfs/usr/lib/systemd/system/cohoursd.service
check "the unit runs /usr/bin/cohoursd" grep -qx "ExecStart=/usr/bin/cohoursd --data /var/lib/cohours --group cohours" "$unit"
check "the unit is enabled" test -L "$rootfs/etc/systemd/system/multi-user.target.wants/cohoursd.service"
check "man pages" test -f "$rootfs/usr/share/man/man8/cohoursd.8.gz"
check "bash completion" test -f "$rootfs/usr/share/bash-completion/completions/cohours"
version_line=$(in_root cohours --version)
[[ $version_line == "cohours "*"(entry format "*", store format "*")" ]] && ok "cohours --version: $version_line" ||
  bad "cohours --version: $version_line"

# --- the node, and the daemon started as the unit starts it ---
if in_root runuser -u cohours -- cohours --data /var/lib/cohours init --name "Hilltop Care Co-op" >"$out/init.log" 2>&1; then
  ok "cohours init as the cohours user"
else
  bad "init: $(cat "$out/init.log")"
fi
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
start_daemon() {
  # User=, Group=, UMask= of the unit; chroot execs, so $! is the daemon.
  chroot --userspec=cohours:cohours "$rootfs" env -i PATH=/usr/bin:/bin COHOURS_NOW=2026-11-30T12:00:00Z \
    sh -c "umask 0077; exec $exec_start" >>"$out/daemon.log" 2>&1 &
  daemon=$!
  local deadline=$((SECONDS + 30))
  until [ -S "$rootfs/var/lib/cohours/control.sock" ]; do
    if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$daemon" 2>/dev/null; then
      bad "cohoursd did not start: $(tail -n 5 "$out/daemon.log")"
      return 1
    fi
    sleep 0.1
  done
  ok "cohoursd started ($exec_start)"
}
stop_daemon() {
  kill "$daemon"
  wait "$daemon" || true
  daemon=""
}
: >"$out/daemon.log"
start_daemon
[ "$(in_root stat -c '%a %G' /var/lib/cohours/control.sock)" = "660 cohours" ] && ok "control.sock is 0660 cohours" ||
  bad "control.sock: $(in_root stat -c '%a %G' /var/lib/cohours/control.sock)"

# --- carol, in the group, without sudo ---
in_root adduser --disabled-password --gecos "" --quiet carol
in_root adduser --quiet carol cohours
in_root adduser --disabled-password --gecos "" --quiet dave
as_carol() { in_root runuser -u carol -- cohours --data /var/lib/cohours "$@"; }
walk() {  # walk WHAT ARGS...: a step of carol's walk-through that must succeed
  local what=$1
  shift
  if result=$(as_carol "$@" 2>&1); then ok "carol: $what"; else bad "carol: $what: $result"; fi
}
walk "member add alice" member add alice --role volunteer
walk "member add bob" member add bob --role service-user
walk "hours log" hours log --as alice --to bob --minutes 120 --category befriending --date 2026-11-20
entry=$(echo "$result" | tail -n 1)
walk "hours confirm" hours confirm "$entry" --as bob
walk "balance" balance
echo "$result" | sed 's/^/    /'
alice_before=$(as_carol balance alice 2>&1)
walk "audit verify" audit verify
with_env=$(in_root runuser -u carol -- env COHOURS_DATA=/var/lib/cohours cohours balance alice 2>&1)
[ "$with_env" = "$alice_before" ] && ok "carol: balance with COHOURS_DATA instead of --data" ||
  bad "balance with COHOURS_DATA: $with_env"
walk "export to her home" export --format csv /home/carol/export
[ "$(in_root stat -c %U /home/carol/export/records.csv)" = carol ] && ok "the export is carol's, written by her cohours" ||
  bad "the export's owner: $(in_root stat -c %U /home/carol/export/records.csv)"

# --- dave, not in the group ---
if refused=$(in_root runuser -u dave -- cohours --data /var/lib/cohours balance 2>&1); then
  bad "dave, not in the group, was let in: $refused"
elif [[ $refused == *"permission denied on /var/lib/cohours/control.sock: join the group 'cohours' (sudo adduser dave cohours) and log in again"* ]]; then
  ok "dave is refused: $refused"
else
  bad "dave's refusal: $refused"
fi
stop_daemon

# --- upgrade: the data stays ---
if in_root apt-get install -y -qq "/tmp/$(basename "$newer")" >>"$out/apt.log" 2>&1; then
  ok "upgrade to $(in_root dpkg-query -W -f '${Version}' cohours)"
else
  bad "upgrade: $(tail -n 20 "$out/apt.log")"
fi
start_daemon
[ "$(as_carol balance alice 2>&1)" = "$alice_before" ] && ok "alice's balance after the upgrade" ||
  bad "alice's balance after the upgrade: $(as_carol balance alice 2>&1), before: $alice_before"
walk "audit verify after the upgrade" audit verify
stop_daemon

# --- remove keeps the node; purge deletes it ---
in_root apt-get remove -y -qq cohours >>"$out/apt.log" 2>&1 && ok "apt-get remove" || bad "apt-get remove: $(tail -n 5 "$out/apt.log")"
check "remove took the programs" test ! -e "$rootfs/usr/bin/cohours"
check "remove kept /var/lib/cohours/node.key" test -f "$rootfs/var/lib/cohours/node.key"
check "remove kept the store" test -d "$rootfs/var/lib/cohours/store"
in_root apt-get purge -y -qq cohours >>"$out/apt.log" 2>&1 && ok "apt-get purge" || bad "apt-get purge: $(tail -n 5 "$out/apt.log")"
check "purge deleted /var/lib/cohours" test ! -e "$rootfs/var/lib/cohours"
check "purge deleted /etc/cohours" test ! -e "$rootfs/etc/cohours"

echo "$passed passed, $failed failed in $((SECONDS - started)) s"
[ "$failed" -eq 0 ]
