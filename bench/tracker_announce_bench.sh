#!/usr/bin/env bash
# Announces per second and p99 latency of bc-tracker at 10,000 enrolled
# endpoints across 100 branches vs opentracker on plain announces, both with
# wrk, same duration / threads / connections, in one run; prints the ratios.
# bc-tracker runs twice on the same data: over HTTPS (its default: the
# certificate of its own CA, wrk's keep-alive connections each pay one
# handshake) and over plain HTTP (--insecure-plain-http), so the cost of TLS
# is measured beside the opentracker ratio. BC_BENCH_TRACKER_TLS=tls or plain
# runs one of the two only. docs/benchmarks.md, "Tracker announces vs opentracker".
#
#   bench/tracker_announce_bench.sh [BUILD_DIR=build] [DURATION_S=10] [THREADS=2] [CONNECTIONS=32]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
duration=${2:-10}
threads=${3:-2}
conns=${4:-32}
endpoints=${BC_BENCH_ENDPOINTS:-10000}
branches=${BC_BENCH_BRANCHES:-100}
token="bench-admin-token-0123456789abcdef"

work=$(mktemp -d /tmp/bc-announce-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

t0=$(date +%s.%N)
"$build/tracker/bench_tracker_seed" "$work" "$endpoints" "$branches"
t1=$(date +%s.%N)
echo "seeding: $(echo "$t1 - $t0" | bc) s"
chmod 700 "$work/data"  # bc-tracker refuses a data dir others can enter

echo "$token" > "$work/admin.token"
cat > "$work/tracker.toml" <<TOML
[server]
listen = "127.0.0.1"
port = 0
port_file = "port"
[storage]
data_dir = "data"
[auth]
signing_key = "tracker.key"
admin_token_file = "admin.token"
[log]
level = "warn"
TOML
modes=${BC_BENCH_TRACKER_TLS:-both}
case "$modes" in both) modes="tls plain" ;; tls|plain) ;; *) echo "BC_BENCH_TRACKER_TLS: both|tls|plain" >&2; exit 2 ;; esac
# start_tracker MODE: sets tracker_pid, port, scheme (the tracker's data persists between modes).
start_tracker() {
  rm -f "$work/port"
  local flag=""
  scheme=https
  if [[ $1 == plain ]]; then flag="--insecure-plain-http"; scheme=http; fi
  "$build/tracker/bc-tracker" serve --config "$work/tracker.toml" $flag >> "$work/tracker.log" 2>&1 &
  tracker_pid=$!
  pids+=("$tracker_pid")
  for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
  [[ -s "$work/port" ]] || { echo "bc-tracker did not start:" >&2; tail -5 "$work/tracker.log" >&2; exit 1; }
  port=$(cat "$work/port")
}
stop_tracker() { kill "$tracker_pid"; wait "$tracker_pid" 2>/dev/null || true; }
tcurl() { curl --cacert "$work/data/pki/ca.pem" "$@"; }
start_tracker "${modes%% *}"
tcurl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"dir\": \"$work/layer\"}" "$scheme://127.0.0.1:$port/api/v1/layers/import" > /dev/null

hex=$(cut -c1-40 "$work/info_hash.hex")
info_hash=$(echo "$hex" | sed 's/../%&/g')

# opentracker: Debian's build is whitelist-only, so whitelist the one hash.
mkdir -p "$work/ot"
echo "$hex" > "$work/ot/whitelist"
otport=$(( 20000 + RANDOM % 20000 ))
opentracker -i 127.0.0.1 -p "$otport" -P "$otport" -d "$work/ot" -w whitelist > "$work/ot.log" 2>&1 &
pids+=($!)
sleep 0.5

# CPU seconds (user + system) the process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
run() {  # NAME URL KEYS PID
  local c0 c1 rps p99 reqs
  c0=$(cpu_s "$4")
  BC_INFO_HASH="$info_hash" BC_KEYS="$3" wrk -t"$threads" -c"$conns" -d"${duration}s" --latency \
    -s "$here/tracker_announce.lua" "$2" > "$work/$1.wrk"
  c1=$(cpu_s "$4")
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$1.wrk")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$1.wrk")
  reqs=$(awk '/requests in/ {print $1}' "$work/$1.wrk")
  # CPU per announce is what a saturated, shared machine still measures fairly.
  local us=$(echo "scale=1; ($c1 - $c0) * 1000000 / $reqs" | bc)
  echo "$1: $rps announces/s, p99 $p99, ${us} us CPU/announce" >&2
  echo "$rps $p99 $us"
}
# A sanity check: one announce each, showing the answers are real.
key=$(head -1 "$work/keys.txt")
q="info_hash=$info_hash&peer_id=%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14&port=6881&uploaded=0&downloaded=0&left=0&compact=1"
echo "bc-tracker answer:  $(tcurl -s "$scheme://127.0.0.1:$port/announce?$q&bckey=$key" | head -c 120 | tr -c '[:print:]' '.')"
echo "opentracker answer: $(curl -s "http://127.0.0.1:$otport/announce?$q" | head -c 120 | tr -c '[:print:]' '.')"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A rps p99 us
for m in $modes; do
  if [[ $scheme == https && $m == plain || $scheme == http && $m == tls ]]; then stop_tracker; start_tracker "$m"; fi
  read -r "rps[$m]" "p99[$m]" "us[$m]" < <(run "bc-tracker-$m" "$scheme://127.0.0.1:$port" "$work/keys.txt" "$tracker_pid")
done
read -r ot_rps ot_p99 ot_us < <(run opentracker "http://127.0.0.1:$otport" "" "${pids[1]}")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$threads -c$conns -d${duration}s; $endpoints endpoints in $branches branches"
for m in $modes; do
  echo "bc-tracker ($m):  ${rps[$m]} announces/s, p99 ${p99[$m]}, ${us[$m]} us CPU/announce"
done
echo "opentracker: ${ot_rps} announces/s, p99 ${ot_p99}, ${ot_us} us CPU/announce"
for m in $modes; do
  echo "ratio bc-tracker ($m)/opentracker (announces/s): $(echo "scale=3; ${rps[$m]} / $ot_rps" | bc)"
done
if [[ -n ${rps[tls]:-} && -n ${rps[plain]:-} ]]; then
  echo "ratio bc-tracker tls/plain (announces/s): $(echo "scale=3; ${rps[tls]} / ${rps[plain]}" | bc)"
fi
