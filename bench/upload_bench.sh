#!/usr/bin/env bash
# Layer upload (docs/benchmarks.md, "Layer upload"), against a real bc-tracker
# over HTTPS on loopback, in one run:
#  (a) v2 of a SIZE_MIB layer with 5% changed (4 MiB extents at random
#      4 KiB-aligned offsets, as a VM disk image changes): bytes sent ÷ bytes
#      changed;
#  (b) a first push's throughput against curl uploading the same bytes to the
#      same server: curl PUTs the layer's 16 MiB chunks to the chunk route of
#      an upload started for another name (the server verifies and fsyncs
#      both alike), in one curl run over one keep-alive connection;
#  (c) the tracker's Private_Dirty (/proc/PID/smaps_rollup) peak above idle
#      during the curl upload and during the push.
# Content is random (it does not compress and shares nothing).
#   usage: bench/upload_bench.sh [SIZE_MIB=1024] [BUILD_DIR=build]
set -euo pipefail
size_mib="${1:-1024}"
build="$(cd "${2:-build}" && pwd)"
work="$(mktemp -d /var/tmp/bc-upload-bench.XXXXXX)"
tracker_pid=""; sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$tracker_pid" ] && kill "$tracker_pid" 2>/dev/null && wait "$tracker_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the tracker -----------------------------------------------------------
mkdir -p "$work/t" "$work/src"
"$build/layers/tool/bc-layer" keygen --out "$work/t/tracker.key" >/dev/null
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/t/admin.token"
cat > "$work/t/tracker.toml" <<TOML
[server]
port_file = "port"
[storage]
data_dir = "data"
[auth]
signing_key = "tracker.key"
admin_token_file = "admin.token"
[log]
level = "warn"
TOML
"$build/tracker/bc-tracker" serve --config "$work/t/tracker.toml" > "$work/t/log" 2>&1 &
tracker_pid=$!
for _ in $(seq 200); do [ -s "$work/t/port" ] && break; sleep 0.1; done
port="$(cat "$work/t/port")"; ca="$work/t/data/pki/ca.pem"; token="$(cat "$work/t/admin.token")"
url="https://127.0.0.1:$port/api/v1"
auth=(-sS --cacert "$ca" -H "Authorization: Bearer $token")

# Private_Dirty of the tracker, KiB; the sampler keeps the peak in $work/peak.
private_kib() { awk '/^Private_Dirty/ {print $2}' "/proc/$tracker_pid/smaps_rollup"; }
start_sampler() {
  echo 0 > "$work/peak"
  ( peak=0; while true; do v="$(private_kib)"; if [ "$v" -gt "$peak" ]; then peak=$v; echo "$peak" > "$work/peak"; fi
      sleep 0.05; done ) &
  sampler_pid=$!
}
stop_sampler() { kill "$sampler_pid"; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""; cat "$work/peak"; }

echo "writing $size_mib MiB of random content"
head -c "$((size_mib << 20))" /dev/urandom > "$work/src/disk.img"
sync
idle_kib="$(private_kib)"

# --- (b) curl: the same bytes, the same server, the chunk route ------------
"$build/layers/tool/bc-layer" build "$work/src" --name curlref --version 1 --out "$work/curl.layer" >/dev/null
python3 - "$work/curl.layer" > "$work/start.json" <<'PY'
import json, sys
d = sys.argv[1]
m = open(d + "/manifest.json", "rb").read().decode()
t = open(d + "/layer.torrent", "rb").read().hex()
print(json.dumps({"content_bytes": sum(e.get("size", 0) for e in json.loads(m)["entries"]), "manifest": m, "torrent": t}))
PY
id="$(curl "${auth[@]}" -H 'Content-Type: application/json' --data-binary "@$work/start.json" "$url/uploads" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
mkdir "$work/chunks"
split -b 16M -a 5 -d "$work/src/disk.img" "$work/chunks/c"
names=()
for f in "$work/chunks"/c*; do n=$((10#${f##*/c} * 256)); mv "$f" "$work/chunks/$n"; names+=("$n"); done
sync
glob="$(IFS=,; echo "${names[*]}")"
start_sampler
t0=$(date +%s.%N)
curl "${auth[@]}" -o /dev/null -w '' -H 'Content-Type: application/octet-stream' \
     -T "$work/chunks/{$glob}" "$url/uploads/$id/files/0/pieces/"
t1=$(date +%s.%N)
curl_peak_kib="$(stop_sampler)"
curl "${auth[@]}" -o /dev/null -X DELETE "$url/uploads/$id"
rm -rf "$work/chunks"
curl_s="$(echo "$t1 - $t0" | bc -l)"

# --- the first push --------------------------------------------------------
push() {  # NAME VERSION PARENT
  "$build/bench/bc-upload-push" "$port" "$ca" "$work/t/admin.token" "$work/src" "$1" "$2" "$3" "$work/cache"
}
start_sampler
first="$(push base 1 -)"
push_peak_kib="$(stop_sampler)"

# --- (a) v2 with 5% changed ------------------------------------------------
changed="$(python3 - "$work/src/disk.img" <<'PY'
import os, random, sys
path = sys.argv[1]; size = os.path.getsize(path); extent = 4 << 20
rng = random.Random(7); changed = set()
target = size // 20
with open(path, "r+b") as f:
    while len(changed) * 4096 < target:
        off = rng.randrange(0, (size - extent) // 4096) * 4096
        f.seek(off); f.write(os.urandom(extent))
        changed.update(range(off // 4096, (off + extent) // 4096))
print(len(changed) * 4096)
PY
)"
sync
second="$(push base 2 base@1)"

python3 - "$size_mib" "$curl_s" "$first" "$second" "$changed" "$idle_kib" "$curl_peak_kib" "$push_peak_kib" <<'PY'
import json, sys
size_mib, curl_s = int(sys.argv[1]), float(sys.argv[2])
first, second = json.loads(sys.argv[3]), json.loads(sys.argv[4])
changed, idle, curl_peak, push_peak = (int(x) for x in sys.argv[5:9])
mib = lambda b: b / (1 << 20)
up = first["phases"].get("uploading", 0.0)
print(f"layer: {size_mib} MiB of random bytes (one file), 64 KiB pieces, 16 MiB chunks, HTTPS on loopback")
print(f"(a) v2 with {mib(changed):.1f} MiB changed ({100*changed/(size_mib<<20):.1f}%): sent {mib(second['sent_bytes']):.1f} MiB"
      f" = {second['sent_bytes']/changed:.3f}x the changed bytes (goal <= 1.05x); v2 push took {second['seconds']:.1f} s"
      f" (phases {json.dumps({k: round(v, 1) for k, v in second['phases'].items()})})")
print(f"(b) curl PUT of the same {size_mib} MiB to the chunk route: {curl_s:.1f} s = {size_mib/curl_s:.0f} MiB/s")
print(f"    first push, upload phase: {up:.1f} s = {size_mib/up:.0f} MiB/s = {curl_s/up:.2f}x curl (goal >= 0.5x)")
print(f"    first push, whole (capture + upload + verify/publish): {first['seconds']:.1f} s = "
      f"{size_mib/first['seconds']:.0f} MiB/s = {curl_s/first['seconds']:.2f}x curl"
      f" (phases {json.dumps({k: round(v, 1) for k, v in first['phases'].items()})})")
print(f"(c) tracker Private_Dirty: idle {idle/1024:.1f} MiB; peak above idle during curl {(curl_peak-idle)/1024:.1f} MiB,"
      f" during the first push {(push_peak-idle)/1024:.1f} MiB (goal <= 64 MiB)")
PY
