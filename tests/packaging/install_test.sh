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
# Needs root and deb.debian.org (dependencies; cached after the first run).
set -euo pipefail
src="$1"
build="$2"
source "$src/tests/packaging/unit_exec.sh"
source "$src/tests/packaging/lib.sh"
pkgtest_begin "$@"

step "build the packages"
"$src/scripts/build-debs.sh" "$build" "$work/debs" >"$work/logs/build-debs.log" 2>&1 || fail "build-debs"
[ "$(ls "$work"/debs/*.deb | wc -l)" = 4 ] || fail "expected 4 .debs, got: $(ls "$work"/debs)"

step "the clean bookworm root"
make_root
in_root dpkg-query -W -f '${Package}\n' | sort >"$work/before.txt"

step "apt-get install ./*.deb in the root"
install_debs "$work/debs"
in_root dpkg-query -W -f '${Package}\n' | sort >"$work/after.txt"
added=$(comm -13 "$work/before.txt" "$work/after.txt")
echo "   $(echo "$added" | wc -l) packages added: $(echo "$added" | tr '\n' ' ')"
! echo "$added" | grep -q -- '-dev$' || fail "a -dev package came in: $added"
for p in bc-tracker bc-reflector bc-endpoint bc-layer bc-netsim bc-probe bcctl; do
  v=$(in_root "$p" --version) || fail "$p --version does not run in the root (a missing library?)"
  [[ "$v" == "$p "* ]] || fail "$p --version printed '$v'"
  [ -f "$root/usr/share/man/man1/$p.1.gz" ] || fail "no man page for $p"
done

step "systemd-analyze verify (inside the root, with its systemd); users, modes"
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
[ "$(in_root stat -c '%a %U' /var/lib/branchcast/tracker/tracker.key)" = "600 branchcast-tracker" ] ||
  fail "tracker.key: $(in_root stat -c '%a %U' /var/lib/branchcast/tracker/tracker.key)"

step "the units' sandboxes bite: read-only system, writable state (and target root), bounded capabilities"
probe='for p in /etc /usr/bin "$@"; do if touch "$p/.bc-probe" 2>/dev/null; then echo "rw $p"; rm "$p/.bc-probe"; else echo "ro $p"; fi; done
  id -un; sed -n "s/^CapBnd:\t//p; s/^NoNewPrivs:\t/nnp /p" /proc/self/status'
mkdir -p "$root/srv/branchcast/root"
got=$(unit_probe branchcast-endpoint.service sh -c "$probe" sh /var/lib/branchcast/endpoint /srv/branchcast/root | tr '\n' ' ')
[ "$got" = "ro /etc ro /usr/bin rw /var/lib/branchcast/endpoint rw /srv/branchcast/root root 000000000000001a nnp 1 " ] ||
  fail "endpoint sandbox: $got"
got=$(unit_probe branchcast-tracker.service sh -c "$probe" sh /var/lib/branchcast/tracker /var/lib/branchcast/reflector /tmp | tr '\n' ' ')
[ "$got" = "ro /etc ro /usr/bin rw /var/lib/branchcast/tracker ro /var/lib/branchcast/reflector rw /tmp branchcast-tracker 0000000000000000 nnp 1 " ] ||
  fail "tracker sandbox: $got"
got=$(unit_probe branchcast-reflector.service sh -c "$probe" sh /var/lib/branchcast/reflector /var/lib/branchcast/tracker | tr '\n' ' ')
[ "$got" = "ro /etc ro /usr/bin rw /var/lib/branchcast/reflector ro /var/lib/branchcast/tracker branchcast-reflector 0000000000000000 nnp 1 " ] ||
  fail "reflector sandbox: $got"

step "tracker, reflector and two endpoints as their units run them; rollout of base@1"
start_tracker
publish 1
enroll_fleet
start_nodes
rollout 1
cat "$work/logs/units.txt"

step "systemctl reload of the reflector, as its ExecReload does it: the new quota applied"
reload=$(unit_key branchcast-reflector.service ExecReload)
[ "$reload" = "/bin/sh -c 'kill -HUP \"\$\$MAINPID\"'" ] || fail "the reflector's ExecReload is '$reload'"
sed -i 's/^quota_bytes = .*/quota_bytes = 500000000/' "$root/var/lib/branchcast/reflector/reflector.toml"
in_root chown branchcast-reflector:branchcast-reflector /var/lib/branchcast/reflector/reflector.toml
# systemd's MAINPID: the oldest bc-reflector running in this root (the supervisor).
mainpid=""
for d in /proc/[0-9]*; do
  [ "$(cat "$d/comm" 2>/dev/null)" = bc-reflector ] || continue
  [ "$(readlink "$d/root" 2>/dev/null)" = "$(readlink -f "$root")" ] || continue
  ppid=$(awk '/^PPid:/ {print $2}' "$d/status" 2>/dev/null)
  [ "$(cat "/proc/$ppid/comm" 2>/dev/null)" = bc-reflector ] && continue  # the agent, the supervisor's child
  # This test may run in a PID namespace of its own under the host's /proc:
  # the pid to signal is the process's pid there (the last NSpid field).
  mainpid=$(awk '/^NSpid:/ {print $NF}' "$d/status")
done
[ -n "$mainpid" ] || fail "no bc-reflector main process in the root"
export MAINPID="$mainpid"  # as systemd runs ExecReload: MAINPID in the environment, $$ -> $
eval "${reload//\$\$/\$}"
unset MAINPID
for _ in $(seq 100); do grep -q "reload: cache quota 1000000000 -> 500000000 bytes" "$work/logs/reflector.log" && break; sleep 0.1; done
grep -q "reload: cache quota 1000000000 -> 500000000 bytes" "$work/logs/reflector.log" ||
  fail "the reflector did not apply the new quota: $(tail -5 "$work/logs/reflector.log")"
kill -0 "$mainpid" || fail "the reflector stopped on SIGHUP"
echo "   reload applied: $(grep -o 'reload: cache quota.*' "$work/logs/reflector.log" | tail -1)"
unit_stop_all

step "apt-get purge; only what docs/operations.md says purge keeps is left"
apt_in_root purge branchcast-tracker branchcast-reflector branchcast-endpoint branchcast-tools \
  >>"$work/logs/apt.log" 2>&1 || fail "apt-get purge"
left=$(cd "$root" && find etc/branchcast lib/systemd/system/branchcast-* usr/bin/bc-* usr/share/man/man1/bc-* \
  var/lib/branchcast/reflector var/lib/branchcast/endpoint etc/systemd -name '*branchcast*' 2>/dev/null || true)
[ -z "$left" ] || fail "left after purge: $left"
! in_root getent passwd branchcast-tracker >/dev/null || fail "the tracker's user survived purge"
! in_root getent passwd branchcast-reflector >/dev/null || fail "the reflector's user survived purge"
[ "$(in_root stat -c %U /var/lib/branchcast/tracker)" = root ] || fail "the tracker's kept state is not root's"
[ -s "$root/var/lib/branchcast/tracker/tracker.key" ] || fail "purge lost the tracker's signing key"
[ -f "$work/ep1/root/etc/motd" ] || fail "purge touched an endpoint's target root"

step "reinstall the tracker over its kept state, then purge it with BRANCHCAST_PURGE_TRACKER_DATA=yes"
apt_in_root install --no-install-recommends $(root_debs branchcast-tracker branchcast-tools) \
  >>"$work/logs/apt.log" 2>&1 || fail "reinstall"
[ "$(in_root stat -c %U /var/lib/branchcast/tracker/tracker.key)" = branchcast-tracker ] ||
  fail "the kept state was not given back to the new user"
[ "$(cat "$root/var/lib/branchcast/tracker/admin.token")" = "$TOKEN" ] || fail "reinstall replaced the admin token"
APT_ENV=BRANCHCAST_PURGE_TRACKER_DATA=yes apt_in_root purge branchcast-tracker branchcast-tools >>"$work/logs/apt.log" 2>&1 ||
  fail "purge with data"
[ ! -e "$root/var/lib/branchcast" ] || fail "left: $(find "$root/var/lib/branchcast")"
[ ! -e "$root/etc/branchcast" ] || fail "left: $(find "$root/etc/branchcast")"
step "packaging install test: passed"
