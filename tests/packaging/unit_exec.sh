# Sourced by install_test.sh: start a service of the root "the way its unit
# would": the ExecStart line, User=/Group= and UMask= read from the installed
# unit file, a clean environment, stdout/stderr to a log (journald's place).
# Needs $root, $work; ENDPOINT_MACHINE=DIR runs in a mount namespace of its
# own with DIR/state and DIR/root bound over the endpoint's packaged state
# directory and target root (a second machine in the same root).
unit_pids=()

unit_key() {  # unit_key UNIT KEY -> the value of KEY= in the installed unit
  sed -n "s/^$2=//p" "$root/lib/systemd/system/$1" | tail -1
}

# unit_machine CMD...: CMD inside the root (and the endpoint machine, if set).
unit_machine() {
  if [ -n "${ENDPOINT_MACHINE:-}" ]; then
    mkdir -p "$root/srv/branchcast/root"
    unshare --mount --propagation private sh -c '
      m="$1"; r="$2"; shift 2
      mount --bind "$m/state" "$r/var/lib/branchcast/endpoint" &&
      mount --bind "$m/root" "$r/srv/branchcast/root" &&
      exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"' sh "$ENDPOINT_MACHINE" "$root" "$@"
  else
    chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"
  fi
}

# unit_start UNIT LOGNAME: in the background; its pid joins unit_pids.
unit_start() {
  local unit="$1" log="$work/logs/$2.log" exec user group umask_ userspec=()
  exec=$(unit_key "$unit" ExecStart)
  [ -n "$exec" ] || { echo "unit_start: no ExecStart in $unit" >&2; return 1; }
  user=$(unit_key "$unit" User)
  group=$(unit_key "$unit" Group)
  umask_=$(unit_key "$unit" UMask)
  if [ -n "$user" ]; then userspec=(chroot "--userspec=$user:${group:-$user}" /); fi
  echo "   $unit: ${user:-root}: $exec" >>"$work/logs/units.txt"
  # shellcheck disable=SC2086  # ExecStart is split into words as systemd does (no quotes in ours)
  ( umask "${umask_:-0022}" && exec setsid -w bash -c 'source "$1"; shift; unit_machine "$@"' bash \
      "$src/tests/packaging/unit_exec.sh" "${userspec[@]}" $exec ) >"$log" 2>&1 &
  unit_pids+=($!)
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
