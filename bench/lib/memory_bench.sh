# Shared by bench/node_memory_bench.sh and bench/reflector_memory_bench.sh
# (sourced, after WORK is set): the child processes and the work directory
# are cleaned up on exit, and the layer's small files are generated alike.

# Child pids to kill on exit; each bench appends what it starts.
pids=()
bench_cleanup() {
  # By pid, and waited for, so the shell does not report the kills.
  for p in "${pids[@]}"; do { kill -9 "$p" && wait "$p"; } 2>/dev/null || true; done
  [ "${BC_BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap bench_cleanup EXIT

# A fresh $WORK (with tracker/ in it) as the current directory.
bench_enter_work() {
  rm -rf "$WORK"
  mkdir -p "$WORK/tracker"
  cd "$WORK"
}

# bench_small_files TOTAL_BYTES DIR: random files of 1..256 KiB (mean ~128 KiB),
# 256 per subdirectory of DIR, TOTAL_BYTES in all. Sets n_small to their count.
bench_small_files() {
  local total="$1" dir="$2" done_bytes=0 size d
  n_small=0
  while [ "$done_bytes" -lt "$total" ]; do
    size=$(( 1024 + (n_small * 7919 % 262144) ))
    [ $((done_bytes + size)) -gt "$total" ] && size=$((total - done_bytes))
    d="$dir/d$((n_small / 256))"
    [ $((n_small % 256)) = 0 ] && mkdir -p "$d"
    head -c "$size" /dev/urandom > "$d/f$n_small.dat"
    done_bytes=$((done_bytes + size)) n_small=$((n_small + 1))
  done
}
