#!/usr/bin/env bash
# Portable bundles measured (docs/benchmarks.md "Portable bundles"): the size
# of a bundle of v2 exported against v1 over the bytes `bc-layer diff` says a
# holder of v1 must move, and `bc-layer import` (rebuild from the bundle plus
# v1, verify every byte) against a plain `cp -a` of the same layer in the
# same run, each followed by a sync of the target filesystem.
#
# Usage: bench/bundle_bench.sh BUILD_DIR WORK_DIR [V1_DIR V2_DIR]
#   Without V1/V2 a random pair is made in WORK_DIR (seeded: the same bytes
#   every run). Realistic pair: scripts/realistic-roots.sh, then pass copies of
#   /var/cache/branchcast/roots/{v1,v2} without dev/ and names holding a
#   backslash (capture refuses device nodes and such names).
# Run timing under the shared lock: flock /tmp/bc-measure.lock bench/bundle_bench.sh ...
set -euo pipefail
build=$(realpath "$1"); work=$2
L=$build/layers/tool/bc-layer
mkdir -p "$work"; work=$(realpath "$work")
rm -rf "$work"/{k,k.pub,v1.layer,v2.layer,v2.bcb,imported,copied}
if [ $# -ge 4 ]; then
  v1=$(realpath "$3"); v2=$(realpath "$4")
else
  v1=$work/rand-v1; v2=$work/rand-v2
  [ -d "$v2" ] || python3 - "$v1" "$v2" <<'PY'
import os, random, sys
v1, v2 = sys.argv[1], sys.argv[2]
r = random.Random(18)
def put(root, path, data):
    p = os.path.join(root, path); os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'wb').write(data)
files = {}
for i in range(400): files[f"small/d{i%20}/f{i}"] = r.randbytes(r.randint(100, 15000))
for i in range(40): files[f"medium/m{i}.bin"] = r.randbytes(r.randint(20000, 1000000))
for i in range(8): files[f"large/l{i}.img"] = r.randbytes(r.randint(4, 12) << 20)
for p, d in files.items(): put(v1, p, d)
new = dict(files)
for p in r.sample(sorted(k for k in files if k.startswith("small")), 40): new[p] = r.randbytes(r.randint(100, 15000))
for p in r.sample(sorted(k for k in files if k.startswith("medium")), 4): new[p] = r.randbytes(len(files[p]))
for i in range(20): new[f"added/a{i}.bin"] = r.randbytes(r.randint(1000, 400000))
for p in r.sample(sorted(k for k in files if k.startswith("large")), 3):
    b = bytearray(files[p])
    for _ in range(len(b) // 65536 // 50 + 1):
        o = r.randrange(len(b) - 100); b[o:o + 100] = r.randbytes(100)
    new[p] = bytes(b)
for p in r.sample(sorted(files), 5): del new[p]
for p, d in new.items(): put(v2, p, d)
PY
fi
$L keygen --out "$work/k" >/dev/null
$L build "$v1" --name bench --version 1 --out "$work/v1.layer" --sign "$work/k" >/dev/null 2>&1
$L build "$v2" --name bench --version 2 --out "$work/v2.layer" --pack-against "$work/v1.layer" --sign "$work/k" >/dev/null 2>&1
$L export "$work/v2.layer" --against "$work/v1.layer" -o "$work/v2.bcb" 2>/dev/null
diff_bytes=$($L diff "$work/v1.layer" "$work/v2.layer" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_to_move"])')
layer_bytes=$($L diff "$work/v1.layer" "$work/v2.layer" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["b_file_bytes"])')
bundle_bytes=$(stat -c %s "$work/v2.bcb")
meta_bytes=$(( $(stat -c %s "$work/v2.layer/manifest.json") + $(stat -c %s "$work/v2.layer/layer.torrent") ))
t0=$(date +%s.%N)
$L import "$work/v2.bcb" --parent "$work/v1.layer" --pubkey "$work/k.pub" -o "$work/imported" 2>/dev/null
sync -f "$work"
t1=$(date +%s.%N)
cp -a "$(realpath "$work/v2.layer/payload")" "$work/copied"
cp -a "$work/v2.layer/pack" "$work/copied/.bc-pack" 2>/dev/null || true
sync -f "$work"
t2=$(date +%s.%N)
python3 - "$layer_bytes" "$diff_bytes" "$bundle_bytes" "$meta_bytes" "$t0" "$t1" "$t2" <<'PY'
import sys
layer, diff, bundle, meta = map(int, sys.argv[1:5]); t0, t1, t2 = map(float, sys.argv[5:8])
imp, cp = t1 - t0, t2 - t1
print(f"layer {layer} B, diff (bytes_to_move) {diff} B, bundle {bundle} B (manifest+torrent {meta} B)")
print(f"bundle / diff = {bundle / diff:.4f}; (bundle - manifest - torrent) / diff = {(bundle - meta) / diff:.4f}")
print(f"import {imp:.2f} s ({layer / imp / 2**20:.0f} MiB/s), cp -a {cp:.2f} s ({layer / cp / 2**20:.0f} MiB/s), import / cp = {imp / cp:.2f}")
PY
