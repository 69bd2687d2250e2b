# Sourced by the packaging tests: start a service of the root "the way its
# unit would", with no systemd running: the ExecStart line, and the unit's
# sandbox as far as it concerns what the program may do, read from the
# installed unit file and applied with the kernel's own tools:
#   User=/Group=, NoNewPrivileges=, CapabilityBoundingSet=  -> setpriv
#   ProtectSystem=strict (the root read-only), StateDirectory= and
#   ReadWritePaths= (writable again), PrivateTmp=, ProtectHome=  -> a mount namespace
#   UMask=, a clean environment, stdout/stderr to a log (journald's place).
# So a unit whose program needs more than the unit grants fails here.
# Needs $root, $work; ENDPOINT_MACHINE=DIR adds DIR/state and DIR/root bound
# over the endpoint's packaged state directory and target root (a second
# machine in the same root).
unit_pids=()

unit_key() {  # unit_key UNIT KEY -> the value of KEY= in the installed unit
  sed -n "s/^$2=//p" "$root/lib/systemd/system/$1" | tail -1
}

# machine_binds: (in a mount namespace) the endpoint machine's directories.
machine_binds() {
  [ -n "${ENDPOINT_MACHINE:-}" ] || return 0
  mount --bind "$ENDPOINT_MACHINE/state" "$root/var/lib/branchcast/endpoint"
  mount --bind "$ENDPOINT_MACHINE/root" "$root/srv/branchcast/root"
}

# unit_machine CMD...: CMD inside the root (and the endpoint machine, if set),
# as the administrator runs it (no sandbox).
unit_machine() {
  mkdir -p "$root/srv/branchcast/root"
  unshare --mount --propagation private bash -c 'source "$1"; shift; machine_binds &&
    exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"' \
    bash "$src/tests/packaging/unit_exec.sh" "$@"
}

writable() {  # writable PATH: a read-write bind of PATH (inside the read-only root)
  mount --bind "$1" "$1" && mount -o remount,bind,rw "$1"
}

# unit_sandbox UNIT CMD...: (in a fresh mount namespace) the unit's sandbox,
# then CMD in the root under setpriv.
unit_sandbox() {
  local unit="$1" w p priv=() caps
  shift
  if [ "$(unit_key "$unit" ProtectSystem)" = strict ]; then
    mount --rbind "$root" "$root" && mount -o remount,bind,ro "$root"
  fi
  machine_binds
  for w in $(unit_key "$unit" StateDirectory); do mkdir -p "$root/var/lib/$w" && writable "$root/var/lib/$w"; done
  for w in $(unit_key "$unit" ReadWritePaths); do
    p="$root${w#-}"
    if [ -e "$p" ]; then writable "$p"; elif [ "${w:0:1}" != - ]; then echo "ReadWritePaths: no $w" >&2; return 1; fi
  done
  if [ "$(unit_key "$unit" PrivateTmp)" = yes ]; then mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"; mount -t tmpfs -o mode=1777 tmpfs "$root/var/tmp"; fi
  case "$(unit_key "$unit" ProtectHome)" in
    yes) for p in /home /root; do mount -t tmpfs -o ro,mode=0 tmpfs "$root$p"; done ;;
    read-only) for p in /home /root; do mount --bind "$root$p" "$root$p" && mount -o remount,bind,ro "$root$p"; done ;;
  esac
  [ "$(unit_key "$unit" NoNewPrivileges)" = yes ] && priv+=(--no-new-privs)
  if grep -q '^CapabilityBoundingSet=' "$root/lib/systemd/system/$unit"; then
    caps=$(unit_key "$unit" CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
    priv+=("--bounding-set=-all${caps:+,$caps}")
  fi
  local user group
  user=$(unit_key "$unit" User)
  group=$(unit_key "$unit" Group)
  [ -n "$user" ] && priv+=("--reuid=$user" "--regid=${group:-$user}" --init-groups)
  [ -n "$user" ] || priv+=(--inh-caps=-all)
  exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ setpriv "${priv[@]}" -- "$@"
}

# unit_start UNIT LOGNAME: in the background; its pid joins unit_pids.
unit_start() {
  local unit="$1" log="$work/logs/$2.log" exec umask_
  exec=$(unit_key "$unit" ExecStart)
  [ -n "$exec" ] || { echo "unit_start: no ExecStart in $unit" >&2; return 1; }
  umask_=$(unit_key "$unit" UMask)
  echo "   $unit: $(unit_key "$unit" User | grep . || echo root): $exec" >>"$work/logs/units.txt"
  # shellcheck disable=SC2086  # ExecStart is split into words as systemd does (no quotes in ours)
  ( umask "${umask_:-0022}" && exec setsid unshare --mount --propagation private bash -c \
      'source "$1"; shift; unit_sandbox "$@"' bash "$src/tests/packaging/unit_exec.sh" "$unit" $exec ) >"$log" 2>&1 &
  unit_pids+=($!)
}

# unit_probe UNIT CMD...: CMD (not ExecStart) in UNIT's sandbox, in the foreground.
unit_probe() {
  unshare --mount --propagation private bash -c 'source "$1"; shift; unit_sandbox "$@"' bash \
    "$src/tests/packaging/unit_exec.sh" "$@"
}

# unit_stop_all: as systemd stops a unit (KillMode=control-group): SIGTERM to
# every process of the service (its process group: the supervisor and its
# agent), wait until none is left (TimeoutStopSec, 60 s), then SIGKILL.
unit_stop_all() {
  local p end=$((SECONDS + 60))
  for p in "${unit_pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${unit_pids[@]}"; do
    while kill -0 -- "-$p" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.2; done
    kill -KILL -- "-$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  unit_pids=()
}
