# Sourced by install_test.sh and upgrade_test.sh (after unit_exec.sh): a clean
# bookworm root with the packages in it, and a small fleet in it (the
# installed tracker, one reflector, two endpoints) started the way the units
# start them. Needs $src, $work, $root (set by pkgtest_begin).
#
# The clean root is cached in /var/cache/branchcast/pkgtest-root-v1 (made by
# mmdebstrap: bookworm minbase + systemd, ~80 s cold) and the .debs apt
# fetches in /var/cache/branchcast/pkgtest-apt; each run works on a copy.
cache=/var/cache/branchcast
t0=$SECONDS
step() { printf '== [%3ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/logs/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done >&2
  exit 1
}
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
# apt_in_root ARGS...: apt-get -y in the root; APT_ENV=VAR=VALUE adds to its environment.
apt_in_root() { in_root env DEBIAN_FRONTEND=noninteractive ${APT_ENV:-} apt-get -y -q "$@"; }
# poll SECONDS CMD...: true once CMD succeeds, bounded.
poll() { local end=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -lt $end ] || return 1; sleep 0.5; done; }

# pkgtest_begin "$@": root or skip; re-run in private mount and PID
# namespaces (every mount and process of the test goes with them); a work dir
# removed at exit (BC_PKGTEST_KEEP=1 keeps it).
pkgtest_begin() {
  if [ "$(id -u)" != 0 ]; then echo "BC-TEST-SKIPPED: not root (chroot, mounts and apt need root)"; exit 0; fi
  local t
  for t in mmdebstrap dpkg-shlibdeps unshare chroot curl jq; do
    command -v "$t" >/dev/null || { echo "BC-TEST-SKIPPED: $t missing (scripts/setup.sh installs it)"; exit 0; }
  done
  if [ -z "${BC_PKGTEST_INNER:-}" ]; then
    exec env BC_PKGTEST_INNER=1 unshare --mount --pid --fork --propagation private "$0" "$@"
  fi
  work=$(mktemp -d /var/tmp/bc-pkgtest.XXXXXX)
  root="$work/root"
  export src root work
  mkdir -p "$work/logs"
  trap pkgtest_cleanup EXIT
}

# Processes first, then mounts (the apt cache and /dev are bound into the
# root: never delete through a mount), then the copy.
pkgtest_cleanup() {
  unit_stop_all
  umount -R "$root/var/cache/apt/archives" "$root/proc" "$root/dev" 2>/dev/null || true
  if findmnt -rn -o TARGET | grep -q "^$work"; then
    echo "pkgtest: mounts left under $work, not deleting it" >&2
  elif [ -z "${BC_PKGTEST_KEEP:-}" ]; then
    rm -rf --one-file-system "$work"
  else
    echo "pkgtest: kept $work" >&2
  fi
}

make_root() {
  local base="$cache/pkgtest-root-v1"
  if [ ! -f "$base.done" ]; then
    rm -rf "$base" "$base.tmp"
    mmdebstrap --variant=minbase --include=systemd --mode=root bookworm "$base.tmp" http://deb.debian.org/debian \
      >"$work/logs/mmdebstrap.log" 2>&1 || fail "mmdebstrap"
    mv "$base.tmp" "$base" && touch "$base.done"
  fi
  cp -a "$base" "$root"
  mkdir -p "$cache/pkgtest-apt/partial"
  mount --bind "$cache/pkgtest-apt" "$root/var/cache/apt/archives"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  in_root apt-get update -qq >"$work/logs/apt.log" 2>&1 || fail "apt-get update"
}

# install_debs DIR: all four packages of DIR with apt (dependencies from the
# archive); over installed ones, the administrator's conffile edits are kept.
install_debs() {
  rm -rf "$root/tmp/debs" && mkdir -p "$root/tmp/debs" && cp "$1"/branchcast-*.deb "$root/tmp/debs/"
  apt_in_root install --no-install-recommends -o Dpkg::Options::=--force-confold $(root_debs) \
    >>"$work/logs/apt.log" 2>&1 || fail "apt-get install $1"
}
# root_debs [PACKAGE...]: the root's /tmp/debs/PACKAGE_*.deb (globbed in the root, not here).
root_debs() {
  local p f
  for p in "${@:-branchcast}"; do
    for f in "$root"/tmp/debs/"$p"[_-]*.deb; do [ -f "$f" ] && echo "/tmp/debs/${f##*/}"; done
  done
}

# The tracker with the administrator's edits to the packaged configuration:
# loopback addresses, an ephemeral port written to a file. Sets URL, TOKEN,
# TRACKER_CA, PK and api().
start_tracker() {
  local conf="$root/etc/branchcast/tracker.toml"
  sed -i -e 's/^listen = "0.0.0.0" .*/listen = "127.0.0.1"/' \
    -e 's|^port = 8443 .*|port = 0\nport_file = "/var/lib/branchcast/tracker/port"|' \
    -e 's/^listen = "0.0.0.0:6881" .*/listen = "127.0.0.100:0"/' "$conf"
  rm -f "$root/var/lib/branchcast/tracker/port"
  unit_start branchcast-tracker.service tracker
  poll 20 test -s "$root/var/lib/branchcast/tracker/port" || fail "the tracker wrote no port"
  local port
  port=$(cat "$root/var/lib/branchcast/tracker/port")
  sed -i "s/^port = 0$/port = $port/" "$conf"  # the nodes keep this URL across restarts
  URL="https://127.0.0.1:$port"
  TRACKER_CA="$root/var/lib/branchcast/tracker/data/pki/ca.pem"
  TOKEN=$(cat "$root/var/lib/branchcast/tracker/admin.token")
  PK=$(api GET /api/v1/tracker | jq -r .public_key)
  [ ${#PK} = 64 ] || fail "tracker public key '$PK'"
  mkdir -p "$root/srv/branchcast/layers"
  cp "$TRACKER_CA" "$root/srv/branchcast/tracker-ca.pem"
}
api() {
  curl -sS --max-time 60 --fail-with-body --cacert "$TRACKER_CA" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -X "$1" "$URL$2" ${3:+-d "$3"}
}

# publish VERSION: base@VERSION (an motd naming it, a 3 MiB blob) built with
# the installed bc-layer in /srv/branchcast/layers and imported.
publish() {
  local v="$1" s="$work/src$1"
  mkdir -p "$s/etc" "$s/usr/lib/app"
  echo "packaged base v$v" >"$s/etc/motd"
  head -c 3M /dev/urandom >"$s/usr/lib/app/blob.bin"
  rm -rf "$root/srv/branchcast/src" && cp -a "$s" "$root/srv/branchcast/src"
  in_root bc-layer build /srv/branchcast/src --name base --version "$v" --kind base \
    --out "/srv/branchcast/layers/base@$v.layer" >>"$work/logs/bc-layer.log" 2>&1 || fail "bc-layer build"
  api POST /api/v1/layers/import "{\"dir\": \"/srv/branchcast/layers/base@$v.layer\"}" >/dev/null || fail "import"
}

# enroll_fleet: the branch east, a reflector (init as its user) and two
# endpoints (each a "machine": its own state dir and target root, see unit_exec.sh).
enroll_fleet() {
  api PUT /api/v1/branches/east '{"subnets": ["127.3.0.0/16"]}' >/dev/null
  local rtok etok i
  rtok=$(api POST /api/v1/enrollment-tokens '{"role": "reflector", "branch": "east"}' | jq -r .token)
  in_root chroot --userspec=branchcast-reflector:branchcast-reflector / bc-reflector init \
    --config /var/lib/branchcast/reflector/reflector.toml --key /var/lib/branchcast/reflector/identity.key \
    --cache-dir /var/lib/branchcast/reflector/cache --tracker-url "$URL" \
    --tracker-ca /srv/branchcast/tracker-ca.pem --tracker-public-key "$PK" --token "$rtok" --branch east \
    --address 127.3.0.1 --quota-bytes 1000000000 --listen 127.3.0.1:0 >"$work/logs/reflector-init.log" 2>&1 ||
    fail "bc-reflector init"
  sed -i 's/^heartbeat_interval_ms = .*/heartbeat_interval_ms = 1000/; s/^poll_interval_ms = .*/poll_interval_ms = 500/' \
    "$root/var/lib/branchcast/reflector/reflector.toml"
  etok=$(api POST /api/v1/enrollment-tokens '{"role": "endpoint", "reusable": true}' | jq -r .token)
  for i in 1 2; do
    mkdir -p "$work/ep$i/state" "$work/ep$i/root/home/user"
    chmod 0700 "$work/ep$i/state"
    echo "user file $i" >"$work/ep$i/root/home/user/notes.txt"
    # A directory of someone else's, read-only, that base@N writes into: the
    # endpoint's bounded capabilities (DAC_OVERRIDE, FOWNER) must suffice.
    mkdir -p "$work/ep$i/root/usr/lib/app" && chown -R 1000:1000 "$work/ep$i/root/usr" "$work/ep$i/root/home/user"
    chmod 0500 "$work/ep$i/root/usr/lib/app"
    ENDPOINT_MACHINE="$work/ep$i" unit_machine bc-endpoint enroll --tracker "$URL" \
      --tracker-ca /srv/branchcast/tracker-ca.pem --token "$etok" --root /srv/branchcast/root --branch east \
      --listen "127.3.0.1$i:0" --poll-interval-ms 1000 >"$work/logs/enroll-$i.log" 2>&1 || fail "enroll $i"
  done
}

start_nodes() {
  unit_start branchcast-reflector.service reflector
  local i
  for i in 1 2; do ENDPOINT_MACHINE="$work/ep$i" unit_start branchcast-endpoint.service "endpoint-$i"; done
}

# rollout VERSION: assign base@VERSION to east; both endpoints apply it
# (bytes and bc-endpoint status), user files untouched.
rollout() {
  local v="$1" i
  api PUT /api/v1/assignments/branch/east "{\"stack\": [\"base@$v\"]}" >/dev/null
  poll 180 applied "$v" || fail "the endpoints did not apply base@$v within 180 s"
  for i in 1 2; do
    [ "$(cat "$work/ep$i/root/etc/motd")" = "packaged base v$v" ] || fail "endpoint $i motd"
    [ "$(cat "$work/ep$i/root/home/user/notes.txt")" = "user file $i" ] || fail "endpoint $i lost a user file"
  done
  echo "   east: $(api GET /api/v1/status/branches | jq -c '.east | {nodes, bytes_by_source}')"
}
applied() {
  local i
  for i in 1 2; do
    cmp -s "$work/src$1/usr/lib/app/blob.bin" "$work/ep$i/root/usr/lib/app/blob.bin" || return 1
    ENDPOINT_MACHINE="$work/ep$i" unit_machine bc-endpoint status --json 2>/dev/null |
      jq -e --arg l "base@$1" '.applied == [$l]' >/dev/null || return 1
  done
}
