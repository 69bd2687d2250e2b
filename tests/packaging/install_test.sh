#!/usr/bin/env bash
# The packages installed like real software (issue #15): build the four
# .debs, install them with apt into a clean Debian bookworm root (only their
# declared dependencies come in), verify the units, start the installed
# tracker, one reflector and two endpoints with the units' own ExecStart lines
# and users, complete a rollout, then purge and check what is left is what
# docs/operations.md says purge keeps (the tracker's state, and the endpoints'
# target roots).
#
# Usage: install_test.sh SOURCE_DIR BUILD_DIR   (ctest: label packaging)
# Needs root (chroot, mounts), mmdebstrap and deb.debian.org the first time.
# The clean root is cached in /var/cache/branchcast/pkgtest-root-v1 (made by
# mmdebstrap: bookworm minbase + systemd, ~2 min cold) and the .debs apt
# fetches in /var/cache/branchcast/pkgtest-apt; each run works on a copy.
# Two "machines" for the endpoints: each runs in its own mount namespace with
# its state directory and target root bound over the packaged paths.
set -euo pipefail
src="$1"
build="$2"
skip() { echo "BC-TEST-SKIPPED: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root (chroot, mounts and apt need root)"
for t in mmdebstrap dpkg-shlibdeps unshare chroot curl jq systemd-analyze; do
  command -v "$t" >/dev/null || skip "$t missing (scripts/setup.sh installs it)"
done

# A private mount and PID namespace: every mount and process of the test
# goes away with it, whatever happens.
if [ -z "${BC_PKGTEST_INNER:-}" ]; then
  exec env BC_PKGTEST_INNER=1 unshare --mount --pid --fork --propagation private "$0" "$@"
fi

cache=/var/cache/branchcast
base="$cache/pkgtest-root-v1"
work=$(mktemp -d /var/tmp/bc-pkgtest.XXXXXX)
root="$work/root"
export src root work
# Processes first, then mounts (the apt cache and /dev are bound into the
# root: never delete through a mount), then the copy. BC_PKGTEST_KEEP=1 keeps it.
cleanup() {
  declare -F unit_stop_all >/dev/null && unit_stop_all
  umount -R "$root/var/cache/apt/archives" "$root/proc" "$root/dev" 2>/dev/null || true
  if findmnt -rn -o TARGET | grep -q "^$work"; then
    echo "install_test: mounts left under $work, not deleting it" >&2
  elif [ -z "${BC_PKGTEST_KEEP:-}" ]; then
    rm -rf --one-file-system "$work"
  else
    echo "install_test: kept $work" >&2
  fi
}
trap cleanup EXIT
t0=$SECONDS
step() { printf '== [%3ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() { echo "FAIL: $*" >&2; for f in "$work"/logs/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2; exit 1; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
# poll SECONDS CMD...: true once CMD succeeds, bounded.
poll() { local end=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.5; done; }

step "build the packages"
"$src/scripts/build-debs.sh" "$build" "$work/debs" >"$work/build-debs.log" 2>&1 || { cat "$work/build-debs.log"; fail "build-debs"; }
[ "$(ls "$work"/debs/*.deb | wc -l)" = 4 ] || fail "expected 4 .debs, got: $(ls "$work"/debs)"

step "the clean bookworm root"
if [ ! -f "$base.done" ]; then
  rm -rf "$base" "$base.tmp"
  mmdebstrap --variant=minbase --include=systemd --mode=root bookworm "$base.tmp" http://deb.debian.org/debian \
    >"$work/mmdebstrap.log" 2>&1 || { tail "$work/mmdebstrap.log"; fail "mmdebstrap"; }
  mv "$base.tmp" "$base" && touch "$base.done"
fi
cp -a "$base" "$root"
mkdir -p "$cache/pkgtest-apt/partial" "$work/logs"
mount --bind "$cache/pkgtest-apt" "$root/var/cache/apt/archives"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root dpkg-query -W -f '${Package}\n' | sort >"$work/before.txt"

step "apt-get install ./*.deb in the root"
mkdir -p "$root/tmp/debs" && cp "$work"/debs/*.deb "$root/tmp/debs/"
in_root apt-get update -qq >"$work/logs/apt.log" 2>&1 || fail "apt-get update"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/debs/branchcast-tracker_*.deb \
  /tmp/debs/branchcast-reflector_*.deb /tmp/debs/branchcast-endpoint_*.deb /tmp/debs/branchcast-tools_*.deb \
  >>"$work/logs/apt.log" 2>&1 || fail "apt-get install"
in_root dpkg-query -W -f '${Package}\n' | sort >"$work/after.txt"
added=$(comm -13 "$work/before.txt" "$work/after.txt")
echo "   $(echo "$added" | wc -l) packages added: $(echo "$added" | tr '\n' ' ')"
! echo "$added" | grep -q -- '-dev$' || fail "a -dev package came in: $added"
for p in bc-tracker bc-reflector bc-endpoint bc-layer bc-netsim bc-probe; do
  v=$(in_root "$p" --version) || fail "$p --version does not run in the root (a missing library?)"
  [[ "$v" == "$p "* ]] || fail "$p --version printed '$v'"
  [ -f "$root/usr/share/man/man1/$p.1.gz" ] || fail "no man page for $p"
done

step "systemd-analyze verify (inside the root, with its systemd)"
in_root systemd-analyze verify --man=no /lib/systemd/system/branchcast-{tracker,reflector,endpoint}.service \
  >"$work/logs/verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$work/logs/verify.log")"
[ ! -s "$work/logs/verify.log" ] || fail "systemd-analyze verify said: $(cat "$work/logs/verify.log")"
in_root getent passwd branchcast-tracker branchcast-reflector >/dev/null || fail "service users missing"
for d in tracker reflector endpoint; do
  [ "$(stat -c %a "$root/var/lib/branchcast/$d")" = 700 ] || fail "/var/lib/branchcast/$d is not 0700"
done
[ "$(in_root stat -c '%a %U %G' /etc/branchcast/tracker.toml)" = "640 root branchcast-tracker" ] ||
  fail "tracker.toml: $(in_root stat -c '%a %U %G' /etc/branchcast/tracker.toml)"
! grep -q '@BC_ORIGIN_ANNOUNCE_KEY@' "$root/etc/branchcast/tracker.toml" || fail "origin announce key not generated"

source "$src/tests/packaging/unit_exec.sh"

step "tracker, as its unit runs it"
# The administrator's edits: loopback addresses, an ephemeral port written to a file.
sed -i -e 's/^listen = "0.0.0.0" .*/listen = "127.0.0.1"/' \
  -e 's|^port = 8443 .*|port = 0\nport_file = "/var/lib/branchcast/tracker/port"|' \
  -e 's/^listen = "0.0.0.0:6881" .*/listen = "127.0.0.100:0"/' "$root/etc/branchcast/tracker.toml"
unit_start branchcast-tracker.service tracker
poll 20 test -s "$root/var/lib/branchcast/tracker/port" || fail "the tracker wrote no port"
URL="https://127.0.0.1:$(cat "$root/var/lib/branchcast/tracker/port")"
TRACKER_CA="$root/var/lib/branchcast/tracker/data/pki/ca.pem"
TOKEN=$(cat "$root/var/lib/branchcast/tracker/admin.token")
api() {
  curl -sS --max-time 60 --fail-with-body --cacert "$TRACKER_CA" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -X "$1" "$URL$2" ${3:+-d "$3"}
}
PK=$(api GET /api/v1/tracker | jq -r .public_key)
[ ${#PK} = 64 ] || fail "tracker public key '$PK'"
mkdir -p "$root/srv/branchcast/layers"
cp "$TRACKER_CA" "$root/srv/branchcast/tracker-ca.pem"

step "publish base@1 with the installed bc-layer and the import route"
mkdir -p "$work/src/etc" "$work/src/usr/lib/app"
echo "packaged base v1" >"$work/src/etc/motd"
head -c 3M /dev/urandom >"$work/src/usr/lib/app/blob.bin"
cp -a "$work/src" "$root/srv/branchcast/src"
in_root bc-layer build /srv/branchcast/src --name base --version 1 --kind base \
  --out /srv/branchcast/layers/base@1.layer >"$work/logs/bc-layer.log" 2>&1 || fail "bc-layer build"
api POST /api/v1/layers/import '{"dir": "/srv/branchcast/layers/base@1.layer"}' >/dev/null || fail "import"
api PUT /api/v1/branches/east '{"subnets": ["127.3.0.0/16"]}' >/dev/null

step "reflector: init as its user, then its unit"
rtok=$(api POST /api/v1/enrollment-tokens '{"role": "reflector", "branch": "east"}' | jq -r .token)
in_root chroot --userspec=branchcast-reflector:branchcast-reflector / bc-reflector init \
  --config /var/lib/branchcast/reflector/reflector.toml --key /var/lib/branchcast/reflector/identity.key \
  --cache-dir /var/lib/branchcast/reflector/cache --tracker-url "$URL" \
  --tracker-ca /srv/branchcast/tracker-ca.pem --tracker-public-key "$PK" --token "$rtok" --branch east \
  --address 127.3.0.1 --quota-bytes 1000000000 --listen 127.3.0.1:0 >"$work/logs/reflector-init.log" 2>&1 ||
  fail "bc-reflector init"
sed -i 's/^heartbeat_interval_ms = .*/heartbeat_interval_ms = 1000/; s/^poll_interval_ms = .*/poll_interval_ms = 500/' \
  "$root/var/lib/branchcast/reflector/reflector.toml"
unit_start branchcast-reflector.service reflector

step "two endpoints: enroll, then their unit (each its own state dir and target root)"
etok=$(api POST /api/v1/enrollment-tokens '{"role": "endpoint", "reusable": true}' | jq -r .token)
for i in 1 2; do
  mkdir -p "$work/ep$i/state" "$work/ep$i/root/home/user"
  chmod 0700 "$work/ep$i/state"
  echo "user file $i" >"$work/ep$i/root/home/user/notes.txt"
  ENDPOINT_MACHINE="$work/ep$i" unit_machine bc-endpoint enroll --tracker "$URL" \
    --tracker-ca /srv/branchcast/tracker-ca.pem --token "$etok" --root /srv/branchcast/root --branch east \
    --listen "127.3.0.1$i:0" --poll-interval-ms 1000 >"$work/logs/enroll-$i.log" 2>&1 || fail "enroll $i"
  ENDPOINT_MACHINE="$work/ep$i" unit_start branchcast-endpoint.service "endpoint-$i"
done

step "assign base@1 to the branch; both endpoints apply it"
api PUT /api/v1/assignments/branch/east '{"stack": ["base@1"]}' >/dev/null
applied() {
  for i in 1 2; do
    cmp -s "$work/src/usr/lib/app/blob.bin" "$work/ep$i/root/usr/lib/app/blob.bin" || return 1
    ENDPOINT_MACHINE="$work/ep$i" unit_machine bc-endpoint status --json 2>/dev/null |
      jq -e '.applied == ["base@1"]' >/dev/null || return 1
  done
}
poll 180 applied || fail "the endpoints did not apply base@1 within 180 s"
for i in 1 2; do
  [ "$(cat "$work/ep$i/root/etc/motd")" = "packaged base v1" ] || fail "endpoint $i motd"
  [ "$(cat "$work/ep$i/root/home/user/notes.txt")" = "user file $i" ] || fail "endpoint $i lost a user file"
done
api GET /api/v1/status/branches | jq -c '.east | {nodes, bytes_by_source}' || true
unit_stop_all

step "apt-get purge; only what docs/operations.md says purge keeps is left"
in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q branchcast-tracker branchcast-reflector \
  branchcast-endpoint branchcast-tools >>"$work/logs/apt.log" 2>&1 || fail "apt-get purge"
left=$(cd "$root" && find etc/branchcast lib/systemd/system/branchcast-* usr/bin/bc-* usr/share/man/man1/bc-* \
  var/lib/branchcast/reflector var/lib/branchcast/endpoint etc/systemd -name '*branchcast*' 2>/dev/null || true)
[ -z "$left" ] || fail "left after purge: $left"
! in_root getent passwd branchcast-tracker branchcast-reflector >/dev/null || fail "a service user survived purge"
[ "$(in_root stat -c %U /var/lib/branchcast/tracker)" = root ] || fail "the tracker's kept state is not root's"
[ -s "$root/var/lib/branchcast/tracker/tracker.key" ] || fail "purge lost the tracker's signing key"
[ -f "$work/ep1/root/etc/motd" ] || fail "purge touched an endpoint's target root"

step "reinstall the tracker over its kept state, then purge it with BRANCHCAST_PURGE_TRACKER_DATA=yes"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  /tmp/debs/branchcast-tracker_*.deb /tmp/debs/branchcast-tools_*.deb >>"$work/logs/apt.log" 2>&1 || fail "reinstall"
[ "$(in_root stat -c %U /var/lib/branchcast/tracker/tracker.key)" = branchcast-tracker ] ||
  fail "the kept state was not given back to the new user"
[ "$(cat "$root/var/lib/branchcast/tracker/admin.token")" = "$TOKEN" ] || fail "reinstall replaced the admin token"
in_root env DEBIAN_FRONTEND=noninteractive BRANCHCAST_PURGE_TRACKER_DATA=yes apt-get purge -y -q \
  branchcast-tracker branchcast-tools >>"$work/logs/apt.log" 2>&1 || fail "purge with data"
[ ! -e "$root/var/lib/branchcast" ] || fail "left: $(find "$root/var/lib/branchcast")"
[ ! -e "$root/etc/branchcast" ] || fail "left: $(find "$root/etc/branchcast")"
step "packaging install test: passed"
