#!/usr/bin/env bash
# Private (anonymous) memory of a real bc-endpoint downloading and applying a
# large layer (issue #4: <= 64 MiB for 4 GiB). Runs, as processes on loopback,
# the real bc-tracker with its origin seed and one bc-endpoint in a branch
# without a reflector, so the endpoint fetches everything from the origin
# (WAN fallback). The layer is a realistic mix: three image files (7/8 of the
# bytes) and some thousands of small files (1/8, 1-256 KiB each).
#
# Samples the endpoint's /proc/PID/status every ~200 ms from just after its
# start until it has applied the layer: RssAnon (private memory: what the
# budget is about), RssFile (mapped file pages: libtorrent memory-maps the
# payload, so RSS alone misleads) and VmHWM (peak RSS, kernel-kept). The
# window includes the apply step, which copies the layer into the target tree
# (staging under ROOT/.branchcast/txn/stage): peaks are printed for the
# download and the apply separately.
#
# Usage: bench/node_memory_bench.sh BUILD_DIR [SIZE_GIB=4] [WORK_DIR=${TMPDIR:-/tmp}/bc-node-mem-PID]
# Needs ~4.5x SIZE_GIB of free disk under WORK_DIR (source tree, origin copy,
# endpoint payload, target tree); everything is deleted on exit unless
# BC_BENCH_KEEP=1. docs/benchmarks.md ("Endpoint and reflector memory") has results.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/local_tracker.sh"
BUILD="$(cd "$1" && pwd)"
SIZE_GIB="${2:-4}"
WORK="${3:-${TMPDIR:-/tmp}/bc-node-mem-$$}"
BUDGET_KIB=$((64 * 1024))
SAMPLE_S=0.2
TIMEOUT_S="${BC_BENCH_TIMEOUT_S:-1800}"  # the whole download + apply; bounded

LAYER_TOOL="$BUILD/layers/tool/bc-layer"
source "$(dirname "$0")/lib/memory_bench.sh"
die() { echo "node_memory_bench: $*" >&2; exit 1; }
# "RssAnon RssFile VmHWM VmRSS" in KiB of a live process, or nothing.
mem_of() { awk '/^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} /^VmHWM:/ {h=$2} /^VmRSS:/ {r=$2} END {if (a != "") print a, f, h, r}' "/proc/$1/status" 2>/dev/null || true; }

bench_enter_work

# --- the layer: images + small files, SIZE_GIB in all --------------------------
total=$((SIZE_GIB << 30))
small_total=$((total / 8))
echo "generating a ${SIZE_GIB} GiB tree in $WORK/src ..."
mkdir -p src/var/lib/images src/usr/share/doc src/etc
echo "branchcast memory bench" > src/etc/motd
head -c $((total / 2)) /dev/urandom > src/var/lib/images/disk0.img
head -c $((total / 4)) /dev/urandom > src/var/lib/images/disk1.img
head -c $((total - total / 2 - total / 4 - small_total)) /dev/urandom > src/var/lib/images/disk2.img
# Small files: sizes spread 1..256 KiB (mean ~128 KiB), 256 per directory.
bench_small_files "$small_total" src/usr/share/doc
n_files=$(find src -type f | wc -l)
payload=$(find src -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }')
echo "tree: $n_files files, $payload bytes (3 images + $n_small small files)"

# --- tracker with its origin seed (as scripts/rollout-demo.sh) ---------------
bc_start_tracker "$BUILD" tracker membench-origin-announce-key-01 || die "the tracker did not start within 10 s"
pids+=("$TRACKER_PID")

t0=$SECONDS
# BC_BENCH_PIECE_KIB: the layer's piece size (bc-layer build --piece-kib);
# default: bc-layer's own (64 KiB).
"$LAYER_TOOL" build src --name big --version 1 --kind base ${BC_BENCH_PIECE_KIB:+--piece-kib "$BC_BENCH_PIECE_KIB"} \
  --out big@1.layer | tail -1
api POST /api/v1/layers/import "{\"dir\": \"$WORK/big@1.layer\"}" >/dev/null
echo "built and imported big@1 in $((SECONDS - t0)) s"

# --- one endpoint in a branch without a reflector ------------------------------
api PUT /api/v1/branches/mem '{"subnets": ["127.9.0.0/16"]}' >/dev/null
EP_TOKEN=$(api POST /api/v1/enrollment-tokens '{"role": "endpoint", "reusable": true}' | jq -r .token)
mkdir -p ep-root
"$BUILD/endpoint/bc-endpoint" enroll --tracker "$URL" --tracker-ca "$TRACKER_CA" --token "$EP_TOKEN" --dir ep --root ep-root \
  --branch mem --listen "127.9.0.11:0" --poll-interval-ms 500 >/dev/null
# BC_BENCH_ENDPOINT_WRAP: a command the endpoint runs under (e.g. "heaptrack
# -o FILE"), for a profile of the same run; the sampled process is then the
# wrapper's bc-endpoint child. Default none.
${BC_BENCH_ENDPOINT_WRAP:-} "$BUILD/endpoint/bc-endpoint" run --dir ep > ep.log 2>&1 &
pids+=($!)
EP_PID=$!
if [ -n "${BC_BENCH_ENDPOINT_WRAP:-}" ]; then
  for _ in $(seq 100); do c=$(pgrep -n -f "^$BUILD/endpoint/bc-endpoint run --dir ep\$" || true); [ -n "$c" ] && break; sleep 0.1; done
  [ -n "$c" ] || die "no bc-endpoint under the wrapper"
  EP_PID=$c
  pids+=("$c")  # killing the wrapper does not stop its child
fi
# bc-endpoint run is a supervisor (layers/util/supervise.hpp): the agent is
# its child. Sample the child.
for _ in $(seq 100); do w=$(pgrep -n -P "$EP_PID" || true); [ -n "$w" ] && break; sleep 0.1; done
[ -n "$w" ] || die "no agent process under the bc-endpoint supervisor"
EP_PID=$w
# Reference: the endpoint's RssAnon once its session is up and it has polled
# the tracker (nothing assigned yet), i.e. what the idle agent costs.
for _ in $(seq 50); do grep -qs 'desired stack' ep.log && break; sleep 0.1; done
sleep 1
read -r ref_anon ref_file _ _ < <(mem_of "$EP_PID") || die "the endpoint is not running: $(tail -5 ep.log)"
echo "endpoint pid $EP_PID, reference RssAnon $ref_anon KiB, RssFile $ref_file KiB"

# BC_BENCH_PRE_ASSIGN_S: extra seconds before the assignment, to attach a
# profiler to the idle endpoint (e.g. heaptrack -p PID). Default 0.
sleep "${BC_BENCH_PRE_ASSIGN_S:-0}"
echo "load before the run: $(uptime)"
api PUT /api/v1/assignments/branch/mem '{"stack": ["big@1"]}' >/dev/null
start_ns=$(date +%s%N)
peak_anon=0 peak_file=0 hwm=0 apply_ns=0 dl_peak_anon=0 ap_peak_anon=0 n=0 done=0
trk_peak_anon=0
deadline=$((SECONDS + TIMEOUT_S))
while [ $SECONDS -lt $deadline ]; do
  m=$(mem_of "$EP_PID")
  [ -n "$m" ] || die "the endpoint exited: $(tail -5 ep.log)"
  read -r anon file h _ <<<"$m"
  n=$((n + 1))
  [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
  [ "$file" -gt "$peak_file" ] && peak_file=$file
  hwm=$h
  # The apply phase starts when the applier stages its first file.
  if [ "$apply_ns" = 0 ] && [ -n "$(ls -A ep-root/.branchcast/txn/stage 2>/dev/null)" ]; then apply_ns=$(date +%s%N); fi
  if [ "$apply_ns" = 0 ]; then [ "$anon" -gt "$dl_peak_anon" ] && dl_peak_anon=$anon
  else [ "$anon" -gt "$ap_peak_anon" ] && ap_peak_anon=$anon; fi
  read -r t_anon _ < <(mem_of "$TRACKER_PID") && [ "$t_anon" -gt "$trk_peak_anon" ] && trk_peak_anon=$t_anon
  grep -q 'applied generation' ep.log && { done=1; break; }
  grep -q 'bc-endpoint: error' ep.log && die "the endpoint failed: $(grep 'bc-endpoint: error' ep.log | head -3)"
  sleep "$SAMPLE_S"
done
end_ns=$(date +%s%N)
[ "$done" = 1 ] || die "not applied within ${TIMEOUT_S} s: $(tail -5 ep.log)"
echo "load after the run:  $(uptime)"
applied=$("$BUILD/endpoint/bc-endpoint" status --json --dir ep | jq -c .applied)
[ "$applied" = '["big@1"]' ] || die "status says applied $applied"
copied=$(find ep-root -path ep-root/.branchcast -prune -o -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }')
[ "$copied" = "$payload" ] || die "the target tree holds $copied bytes, the layer $payload"

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
[ "$apply_ns" = 0 ] && apply_ns=$end_ns
echo
echo "== endpoint memory, ${SIZE_GIB} GiB layer ($n_files files, $payload bytes, $(jq .piece_size big@1.layer/manifest.json) B pieces) from the origin over loopback"
printf 'payload                      %d bytes (%.2f GiB)\n' "$payload" "$(awk -v p="$payload" 'BEGIN { print p / 2^30 }')"
printf 'window                       %s s: download %s s + apply %s s (%d samples every %s s)\n' \
  "$(secs "$start_ns" "$end_ns")" "$(secs "$start_ns" "$apply_ns")" "$(secs "$apply_ns" "$end_ns")" "$n" "$SAMPLE_S"
printf 'RssAnon reference (idle)     %6d KiB\n' "$ref_anon"
printf 'RssAnon peak, download       %6d KiB\n' "$dl_peak_anon"
printf 'RssAnon peak, apply          %6d KiB\n' "$ap_peak_anon"
printf 'RssAnon peak, whole window   %6d KiB = %.2fx the reference; %.3f of the 64 MiB budget (%s)\n' "$peak_anon" \
  "$(awk -v a="$peak_anon" -v r="$ref_anon" 'BEGIN { print a / r }')" \
  "$(awk -v a="$peak_anon" -v b="$BUDGET_KIB" 'BEGIN { print a / b }')" \
  "$([ "$peak_anon" -le "$BUDGET_KIB" ] && echo within || echo EXCEEDED)"
printf 'RssFile peak                 %6d KiB (mapped payload pages: page cache, not private)\n' "$peak_file"
printf 'VmHWM (peak RSS)             %6d KiB = %.1fx the RssAnon peak\n' "$hwm" \
  "$(awk -v h="$hwm" -v a="$peak_anon" 'BEGIN { print h / a }')"
printf 'tracker+origin RssAnon peak  %6d KiB (for orientation)\n' "$trk_peak_anon"
