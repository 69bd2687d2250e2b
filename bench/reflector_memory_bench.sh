#!/usr/bin/env bash
# Private (anonymous) memory of a real bc-reflector serving a layer to many
# peers at once (issue #4: <= 256 MiB with 50 peers). Runs on loopback, as
# processes: bc-tracker with its origin seed, and one bc-reflector in branch
# "refl" (127.1.0.0/16) that prefetches the assigned layer from the origin.
# Once the reflector reports the layer complete, the tracker-signed manifest,
# its signature and the torrent are fetched over the admin API, and
# bc-bench-reflector-peers verifies them with the tracker's public key and
# runs PEERS downloaders (SwarmNodes in one process, at 127.1.1.1..) that all
# dial the reflector at once, sampling the reflector's /proc/PID/status every
# 200 ms (bench/reflector_peers_bench.cpp says what it prints).
#
# Usage: bench/reflector_memory_bench.sh BUILD_DIR [SIZE_MIB=256] [PEERS=50] [WORK_DIR]
# Disk: ~(PEERS + 3) x SIZE_MIB under WORK_DIR (default ${TMPDIR:-/tmp}/bc-refl-mem-PID),
# deleted on exit unless BC_BENCH_KEEP=1. docs/benchmarks.md has results.
set -euo pipefail
source "$(dirname "$0")/../scripts/lib/local_tracker.sh"
BUILD="$(cd "$1" && pwd)"
SIZE_MIB="${2:-256}"
PEERS="${3:-50}"
WORK="${4:-${TMPDIR:-/tmp}/bc-refl-mem-$$}"
TIMEOUT_S="${BC_BENCH_TIMEOUT_S:-900}"
LAYER_TOOL="$BUILD/layers/tool/bc-layer"
source "$(dirname "$0")/lib/memory_bench.sh"
die() { echo "reflector_memory_bench: $*" >&2; exit 1; }

bench_enter_work

# The layer: two image files (7/8 of the bytes) and small files of 1-256 KiB.
total=$((SIZE_MIB << 20))
small_total=$((total / 8))
mkdir -p src/var/lib/images src/usr/share/doc
head -c $((total / 2)) /dev/urandom > src/var/lib/images/disk0.img
head -c $((total - total / 2 - small_total)) /dev/urandom > src/var/lib/images/disk1.img
bench_small_files "$small_total" src/usr/share/doc
echo "tree: $(find src -type f | wc -l) files, $total bytes"

# Tracker with its origin seed (as scripts/rollout-demo.sh).
bc_start_tracker "$BUILD" tracker membench-origin-announce-key-02 $'[announce]\nreflector_live_s = 30' ||
  die "the tracker did not start within 10 s"
pids+=("$TRACKER_PID")
"$LAYER_TOOL" build src --name refl --version 1 --kind base --out refl@1.layer | tail -1
api POST /api/v1/layers/import "{\"dir\": \"$WORK/refl@1.layer\"}" >/dev/null

# One reflector on a fixed port, so the downloaders can dial it.
RIP=127.1.0.1
RPORT=$(python3 -c "import socket; s = socket.socket(); s.bind(('$RIP', 0)); print(s.getsockname()[1])")
api PUT /api/v1/branches/refl '{"subnets": ["127.1.0.0/16"]}' >/dev/null
rtok=$(api POST /api/v1/enrollment-tokens '{"role": "reflector", "branch": "refl"}' | jq -r .token)
RID=$("$BUILD/reflector/bc-reflector" init --config r1.toml --tracker-url "$URL" --tracker-ca "$TRACKER_CA" \
  --tracker-public-key "$TRACKER_PK" \
  --key r1.key --token "$rtok" --branch refl --address "$RIP" --cache-dir r1 \
  --quota-bytes $((4 << 30)) --listen "$RIP:$RPORT" | tail -1)
sed -i 's/^heartbeat_interval_ms = .*/heartbeat_interval_ms = 1000/; s/^poll_interval_ms = .*/poll_interval_ms = 500/' r1.toml
"$BUILD/reflector/bc-reflector" run --config r1.toml > r1.log 2>&1 &
pids+=($!)
RPID=$!
# bc-reflector run is a supervisor (layers/util/supervise.hpp): the reflector
# is its child. Sample the child.
for _ in $(seq 100); do w=$(pgrep -n -P "$RPID" || true); [ -n "$w" ] && break; sleep 0.1; done
[ -n "$w" ] || die "no reflector process under the bc-reflector supervisor"
RPID=$w
api PUT /api/v1/assignments/branch/refl '{"stack": ["refl@1"]}' >/dev/null
deadline=$((SECONDS + 300))
until api GET "/api/v1/status/nodes/$RID" 2>/dev/null |
      jq -e '[.. | objects | select(.ref? == "refl@1" and .state? == "complete")] | length > 0' >/dev/null; do
  [ $SECONDS -lt $deadline ] || die "the reflector did not cache refl@1 within 300 s: $(tail -5 r1.log)"
  kill -0 "$RPID" 2>/dev/null || die "the reflector exited: $(tail -5 r1.log)"
  sleep 0.5
done
echo "reflector pid $RPID at $RIP:$RPORT holds refl@1"

# What an endpoint would fetch: the tracker-signed manifest, signature, torrent.
curl -sS --fail --cacert "$TRACKER_CA" -D manifest.headers -o manifest.json -H "Authorization: Bearer $TOKEN" "$URL/api/v1/layers/refl@1/manifest"
tr -d '\r' < manifest.headers | awk -F': ' 'tolower($1) == "x-bc-signature" { print $2 }' > manifest.sig
[ -s manifest.sig ] || die "no X-BC-Signature header"
api GET /api/v1/layers/refl@1/torrent > layer.torrent

sleep 3  # let the reflector settle after the prefetch before the reference sample
echo "load before: $(uptime)"
# BC_BENCH_ROUNDS: run the peers this many times against the same reflector
# (fresh peers each round), to see whether its memory returns or accumulates
# with the bytes it has served. Default 1.
for round in $(seq "${BC_BENCH_ROUNDS:-1}"); do
  [ "$round" = 1 ] || echo "-- round $round"
  "$BUILD/bench/bc-bench-reflector-peers" --manifest manifest.json --signature manifest.sig --torrent layer.torrent \
    --tracker-key "$TRACKER_PK" --reflector "$RIP:$RPORT" --reflector-pid "$RPID" --peers "$PEERS" \
    --work "$WORK/peers" --timeout-s "$TIMEOUT_S"
done
echo "load after:  $(uptime)"
