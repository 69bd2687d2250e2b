#!/usr/bin/env bash
# A branch rollout on this machine, every role its own process, as an operator
# would run it: bc-tracker (with its origin seed) on 127.0.0.1, and two
# branches, east (127.1.0.0/16) and west (127.2.0.0/16), each with one
# bc-reflector and three bc-endpoints bound to their own loopback addresses.
# Nodes find each other only through the tracker. It publishes a base and an
# app layer, assigns them to both branches, shows progress, then prints per
# branch the bytes that came from the origin (the WAN) against the layer bytes;
# then a base@2 with ~5% of its bytes changed, and the same figures against
# the bytes of the pieces that differ.
# The web console (docs/console.md) is at the URL printed after the tracker
# starts; with --keep (or BC_DEMO_KEEP=1) the tracker keeps running after the
# demo so a person can look at it.
# Usage: scripts/rollout-demo.sh BIN_DIR WORK_DIR [--keep]   (scripts/demo.sh calls it)
set -euo pipefail
source "$(dirname "$0")/lib/local_tracker.sh"
BIN="$1"
work="$2"
KEEP="${BC_DEMO_KEEP:-0}"
[ "${3:-}" = "--keep" ] && KEEP=1
BASE_MIB="${BC_DEMO_BASE_MIB:-48}"
mkdir -p "$work"
cd "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
say() { printf '\n== %s\n' "$*"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }

say "rollout demo in $work"
rm -rf tracker east-* west-* src-* *.layer
bc_start_tracker "$BIN" tracker demo-origin-announce-key-0001 $'[announce]\nreflector_live_s = 30' ||
  { echo "demo: the tracker did not start" >&2; exit 1; }
pids+=("$TRACKER_PID")
echo "tracker at $URL (HTTPS; CA $TRACKER_CA, pinned by every node), key $TRACKER_PK"
console_help() {
  local ca; ca="$(realpath "$TRACKER_CA")"
  echo "web console: $URL/console/ — sign in with the admin token in $work/tracker/admin.token"
  echo "  (a read-only one: bcctl token create admin --role viewer, or: curl --cacert $ca -X POST $URL/api/v1/tokens"
  echo "   -H \"Authorization: Bearer \$(cat $work/tracker/admin.token)\" -H 'Content-Type: application/json' -d '{\"role\": \"viewer\"}');"
  echo "  the browser does not know the tracker's own CA: import $ca, or accept the warning for this address"
}
console_help

say "capture and publish base@1 (${BASE_MIB} MiB, image files + small files) and office@1 (8 MiB)"
mkdir -p src-base1/etc src-base1/usr/bin src-base1/var/lib/images src-base1/usr/share/doc src-office1/opt/office
echo "branchcast base v1" > src-base1/etc/motd
head -c 300K /dev/urandom > src-base1/usr/bin/tool && chmod 755 src-base1/usr/bin/tool
ln -s tool src-base1/usr/bin/tool-link
head -c $((BASE_MIB * 1024 * 1024 * 6 / 10)) /dev/urandom > src-base1/var/lib/images/disk0.img
head -c $((BASE_MIB * 1024 * 1024 * 3 / 10)) /dev/urandom > src-base1/var/lib/images/disk1.img
for i in $(seq 1 200); do head -c $((4096 + i * 97)) /dev/urandom > "src-base1/usr/share/doc/page$i.txt"; done
head -c 8M /dev/urandom > src-office1/opt/office/office.bin
echo "office 1" > src-office1/opt/office/VERSION
"$BIN/layers/tool/bc-layer" build src-base1 --name base --version 1 --kind base --out base@1.layer | tail -1
"$BIN/layers/tool/bc-layer" build src-office1 --name office --version 1 --kind app --out office@1.layer | tail -1
api POST /api/v1/layers/import "{\"dir\": \"$work/base@1.layer\"}" >/dev/null
api POST /api/v1/layers/import "{\"dir\": \"$work/office@1.layer\"}" >/dev/null
STACK1=$(find src-base1 src-office1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "stack base@1 + office@1: $(mib "$STACK1") of files"

say "branches, a reflector and three endpoints in each"
EP_TOKEN=$(api POST /api/v1/enrollment-tokens '{"role": "endpoint", "reusable": true}' | jq -r .token)
k=0
for b in east west; do
  k=$((k + 1))
  api PUT "/api/v1/branches/$b" "{\"subnets\": [\"127.$k.0.0/16\"]}" >/dev/null
  rtok=$(api POST /api/v1/enrollment-tokens "{\"role\": \"reflector\", \"branch\": \"$b\"}" | jq -r .token)
  "$BIN/reflector/bc-reflector" init --config "$b-r1.toml" --tracker-url "$URL" --tracker-ca "$TRACKER_CA" \
    --tracker-public-key "$TRACKER_PK" \
    --key "$b-r1.key" --token "$rtok" --branch "$b" --address "127.$k.0.1" --cache-dir "$b-r1" \
    --quota-bytes $((4 << 30)) --listen "127.$k.0.1:0" >/dev/null
  sed -i 's/^heartbeat_interval_ms = .*/heartbeat_interval_ms = 1000/; s/^poll_interval_ms = .*/poll_interval_ms = 500/' "$b-r1.toml"
  "$BIN/reflector/bc-reflector" run --config "$b-r1.toml" > "$b-r1.log" 2>&1 &
  pids+=($!)
  for i in 1 2 3; do
    mkdir -p "$b-e$i-root/home/user" && echo "notes of $b-e$i" > "$b-e$i-root/home/user/notes.txt"
    "$BIN/endpoint/bc-endpoint" enroll --tracker "$URL" --tracker-ca "$TRACKER_CA" --token "$EP_TOKEN" \
      --dir "$b-e$i" --root "$b-e$i-root" \
      --branch "$b" --listen "127.$k.0.1$i:0" --poll-interval-ms 1000 | sed "s/^/  $b-e$i: /"
    "$BIN/endpoint/bc-endpoint" run --dir "$b-e$i" > "$b-e$i.log" 2>&1 &
    pids+=($!)
  done
done

# Per branch: endpoints applied, and bytes by source from the nodes' reports.
show() {
  local want="$1" sum
  sum=$(api GET /api/v1/status/branches)
  for b in east west; do
    local applied=0
    for i in 1 2 3; do
      "$BIN/endpoint/bc-endpoint" status --json --dir "$b-e$i" | jq -e --argjson w "$want" '.applied == $w' >/dev/null && applied=$((applied + 1))
    done
    echo "$sum" | jq -r --arg b "$b" --arg a "$applied" \
      '.[$b].bytes_by_source as $s | "  \($b): \($a)/3 endpoints applied; bytes from origin \($s.origin / 1048576 * 100 | floor / 100) MiB, reflector \($s.reflector / 1048576 * 100 | floor / 100) MiB, branch peers \($s.peer / 1048576 * 100 | floor / 100) MiB"' 2>/dev/null || echo "  $b: no reports yet"
  done
}
wait_applied() {
  local want="$1" deadline=$((SECONDS + 300))
  while [ $SECONDS -lt $deadline ]; do
    show "$want"
    local n=0
    for b in east west; do for i in 1 2 3; do
      "$BIN/endpoint/bc-endpoint" status --json --dir "$b-e$i" | jq -e --argjson w "$want" '.applied == $w' >/dev/null && n=$((n + 1))
    done; done
    [ "$n" = 6 ] && { sleep 2.5; return 0; }  # let the last reports reach the tracker
    sleep 2
  done
  echo "demo: not every endpoint applied $want within 300 s" >&2
  tail -n 5 ./*.log >&2
  exit 1
}
origin_of() { api GET /api/v1/status/branches | jq -r --arg b "$1" '.[$b].bytes_by_source.origin'; }

say "assign base@1 + office@1 to both branches"
api PUT /api/v1/assignments/branch/east '{"stack": ["base@1", "office@1"]}' >/dev/null
api PUT /api/v1/assignments/branch/west '{"stack": ["base@1", "office@1"]}' >/dev/null
wait_applied '["base@1","office@1"]'
show '["base@1","office@1"]'
echo "east-e1's tree: $(find east-e1-root -path '*/.branchcast' -prune -o -type f -print | wc -l) files; its user file: $(cat east-e1-root/home/user/notes.txt)"
say "WAN (origin) bytes per branch against the layer bytes"
declare -A o1
for b in east west; do
  o1[$b]=$(origin_of "$b")
  awk -v b="$b" -v o="${o1[$b]}" -v l="$STACK1" 'BEGIN { printf "  %s: %.2f MiB from the origin for %.2f MiB of layers = %.3fx\n", b, o/1048576, l/1048576, o/l }'
done

say "base@2: 5% of its bytes changed (rewrites inside the images, new and replaced small files)"
rm -rf src-base2 && cp -a src-base1 src-base2
img_pieces=$(( $(stat -c %s src-base2/var/lib/images/disk0.img) / 65536 ))
for n in $(seq 1 $((BASE_MIB * 16 * 4 / 100))); do
  head -c 65536 /dev/urandom | dd of=src-base2/var/lib/images/disk0.img bs=65536 seek=$(( (n * 7919) % img_pieces )) conv=notrunc 2>/dev/null
done
for i in $(seq 1 10); do head -c 9000 /dev/urandom > "src-base2/usr/share/doc/page$i.txt"; done
head -c 256K /dev/urandom > src-base2/usr/share/doc/new-in-v2.txt
echo "branchcast base v2" > src-base2/etc/motd
"$BIN/layers/tool/bc-layer" build src-base2 --name base --version 2 --kind base --parent base@1 --out base@2.layer | tail -1
DIFF=$("$BIN/layers/tool/bc-layer" diff base@1.layer base@2.layer --json | jq .bytes_to_move)
echo "pieces that differ from base@1: $(mib "$DIFF")"
api POST /api/v1/layers/import "{\"dir\": \"$work/base@2.layer\"}" >/dev/null
api PUT /api/v1/assignments/branch/east '{"stack": ["base@2", "office@1"]}' >/dev/null
api PUT /api/v1/assignments/branch/west '{"stack": ["base@2", "office@1"]}' >/dev/null
wait_applied '["base@2","office@1"]'
show '["base@2","office@1"]'
echo "east-e1's motd is now: $(cat east-e1-root/etc/motd)"
say "WAN (origin) bytes per branch for base@2 against the bytes of the pieces that differ"
for b in east west; do
  o2=$(origin_of "$b")
  awk -v b="$b" -v o="$((o2 - o1[$b]))" -v d="$DIFF" 'BEGIN { printf "  %s: %.2f MiB from the origin for %.2f MiB of changed pieces = %.3fx\n", b, o/1048576, d/1048576, o/d }'
done
echo
echo "rollout demo: done; logs and state are in $work"
if [ "$KEEP" = 1 ]; then
  # The exit trap kills what is in pids: leave the tracker out of it.
  kept=()
  for p in "${pids[@]}"; do [ "$p" = "$TRACKER_PID" ] || kept+=("$p"); done
  pids=("${kept[@]}")
  echo "rollout demo: the tracker keeps running (pid $TRACKER_PID; the nodes stop); stop it with: kill $TRACKER_PID"
  console_help
fi
