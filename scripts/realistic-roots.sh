#!/usr/bin/env bash
# Makes two real Debian roots for measurements on realistic content (issue
# #16), cached between runs:
#   v1  bookworm minbase + a server's usual packages, from the release only;
#   v2  the same, plus a few added packages, with bookworm-updates and
#       bookworm-security on: the packages the archive has upgraded since
#       the point release come in newer versions (a "patch day").
# The security archive moves, so v2 made on another day differs; the cache
# keeps one pair stable on a machine. Without the archive (no network), the
# fallback is this machine's /usr/lib/x86_64-linux-gnu + /usr/bin as v1 and
# the same with /usr/share/perl added as v2 (real bytes, a synthetic change).
#
# The fallback leaves a FALLBACK file in the cache; bc-netsim emulate and the
# benches print a warning when they see it.
#
# Usage: scripts/realistic-roots.sh [CACHE_DIR]   (default /var/cache/branchcast/roots)
# Prints the two directories. Needs root for mmdebstrap (installs it if missing).
set -euo pipefail
cache="${1:-/var/cache/branchcast/roots}"
mkdir -p "$cache"
base_pkgs=openssl,ca-certificates,python3,curl,systemd,perl
added_pkgs=python3-yaml,git,vim-tiny,less,rsync
mirror=http://deb.debian.org/debian

ensure_mmdebstrap() {
  command -v mmdebstrap >/dev/null && return 0
  [ "$(id -u)" = 0 ] || { echo "realistic-roots: mmdebstrap missing and not root" >&2; return 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
}

make_root() {  # NAME PACKAGES SOURCES...
  local name=$1 pkgs=$2
  shift 2
  [ -f "$cache/$name.done" ] && return 0
  rm -rf "$cache/$name" "$cache/$name.tmp"
  echo "realistic-roots: making $name (mmdebstrap, about 2 minutes)" >&2
  mmdebstrap --quiet --variant=minbase --include="$pkgs" bookworm "$cache/$name.tmp" "$@" >&2
  rm -rf "$cache/$name.tmp"/{proc,sys,dev}/* 2>/dev/null || true
  mv "$cache/$name.tmp" "$cache/$name"
  touch "$cache/$name.done"
}

fallback() {
  echo "realistic-roots: Debian's archive not reachable; using this machine's /usr" >&2
  for v in v1 v2; do
    [ -f "$cache/$v.done" ] && continue
    rm -rf "$cache/$v"
    mkdir -p "$cache/$v/usr/lib" "$cache/$v/usr/share"
    cp -a /usr/lib/x86_64-linux-gnu "$cache/$v/usr/lib/"
    cp -a /usr/bin "$cache/$v/usr/"
    [ "$v" = v2 ] && [ -d /usr/share/perl ] && cp -a /usr/share/perl "$cache/$v/usr/share/"
    touch "$cache/$v.done"
  done
  # Readers (bc-netsim emulate, the benches) say loudly that this is not Debian.
  touch "$cache/FALLBACK"
}

if ensure_mmdebstrap && timeout 10 curl -fsS -o /dev/null "$mirror/dists/bookworm/Release"; then
  make_root v1 "$base_pkgs" "deb $mirror bookworm main"
  make_root v2 "$base_pkgs,$added_pkgs" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
else
  fallback
fi
echo "$cache/v1"
echo "$cache/v2"
