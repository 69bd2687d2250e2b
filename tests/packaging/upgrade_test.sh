#!/usr/bin/env bash
# Upgrade N -> N+1 with state kept (issue #15): the packages of an older
# commit (N, built from `git archive` of BC_PKGTEST_PREV_REF, default the
# first commit with this test's packaging, as version 0.0~prev1) installed in
# a clean bookworm root, a fleet (tracker, reflector, two endpoints, started
# with the units' ExecStart lines) rolls out base@1; then this tree's packages
# (N+1) go over them with apt, and the tracker's keys and CA, the nodes'
# identities and the endpoints' applied stack survive, and base@2 rolls out.
#
# Usage: upgrade_test.sh SOURCE_DIR BUILD_DIR   (ctest: label packaging)
# N's .debs are cached in BUILD_DIR/pkgtest-prev/<commit>/debs: the first run
# builds that tree (minutes; ccache helps), later runs reuse them.
set -euo pipefail
src="$1"
build="$2"
source "$src/tests/packaging/unit_exec.sh"
source "$src/tests/packaging/lib.sh"
pkgtest_begin "$@"

step "packages N (an older commit) and N+1 (this tree)"
command -v git >/dev/null && git -C "$src" rev-parse HEAD >/dev/null 2>&1 ||
  { echo "BC-TEST-SKIPPED: $src is not a git checkout (N is built from an older commit)"; exit 0; }
ref="${BC_PKGTEST_PREV_REF:-$(git -C "$src" log --format=%H -S BC_PACKAGE_VERSION -- cmake/Packaging.cmake | tail -1)}"
[ -n "$ref" ] || fail "no commit with packaging to upgrade from (set BC_PKGTEST_PREV_REF)"
sha=$(git -C "$src" rev-parse "$ref^{commit}")
prev="$build/pkgtest-prev/$sha"
if [ ! -f "$prev/debs.done" ]; then
  rm -rf "$prev" && mkdir -p "$prev/src"
  git -C "$src" archive "$sha" | tar -x -C "$prev/src"
  [ -f /root/.ccache-env ] && . /root/.ccache-env
  cmake -S "$prev/src" -B "$prev/src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBC_BUILD_TESTS=OFF \
    -DBC_BUILD_BENCH=OFF -DBC_PACKAGE_VERSION=0.0~prev1 >"$work/logs/prev-build.log" 2>&1 || fail "configure N"
  "$prev/src/scripts/build-debs.sh" "$prev/src/build" "$prev/debs" >>"$work/logs/prev-build.log" 2>&1 ||
    fail "build N's packages"
  rm -rf "$prev/src" && touch "$prev/debs.done"
fi
"$src/scripts/build-debs.sh" "$build" "$work/debs" >"$work/logs/build-debs.log" 2>&1 || fail "build-debs"
new_version=$(dpkg-deb -f "$work"/debs/branchcast-tracker_*.deb Version)
echo "   N = ${sha:0:12} as 0.0~prev1, N+1 = this tree as $new_version"

step "N in a clean root: a fleet rolls out base@1"
make_root
install_debs "$prev/debs"
start_tracker
publish 1
enroll_fleet
start_nodes
rollout 1
unit_stop_all
fingerprint() {  # what must survive the upgrade
  sha256sum "$root/var/lib/branchcast/tracker/tracker.key" "$root/var/lib/branchcast/tracker/data/pki/ca.pem" \
    "$root/var/lib/branchcast/tracker/admin.token" "$root/var/lib/branchcast/reflector/identity.key" \
    "$work/ep1/state/node.key" "$work/ep2/state/node.key" | awk '{ print $1 }'
  grep -h '^node_id' "$work/ep1/state/endpoint.toml" "$work/ep2/state/endpoint.toml"
}
before=$(fingerprint)

step "apt-get install N+1 over N"
install_debs "$work/debs"
[ "$(in_root dpkg-query -W -f '${Version}' branchcast-tracker)" = "$new_version" ] || fail "not upgraded"
[ "$(fingerprint)" = "$before" ] || fail "keys, CA or node identities changed in the upgrade"
grep -q '^port_file = "/var/lib/branchcast/tracker/port"' "$root/etc/branchcast/tracker.toml" ||
  fail "the upgrade lost the administrator's edit of tracker.toml"

step "N+1 runs on N's state: the applied stack is kept, base@2 rolls out"
start_tracker
start_nodes
for i in 1 2; do
  ENDPOINT_MACHINE="$work/ep$i" unit_machine bc-endpoint status --json | jq -e '.applied == ["base@1"]' >/dev/null ||
    fail "endpoint $i lost its applied stack"
done
[ "$(api GET /api/v1/tracker | jq -r .public_key)" = "$PK" ] || fail "the tracker's public key changed"
publish 2
rollout 2
step "packaging upgrade test: passed"
