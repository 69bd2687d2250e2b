#!/usr/bin/env bash
# The main job, on one machine. Part 1, the layer format: build a base and an
# app layer from generated trees, sign and verify them, inspect them, apply the
# stack to a target tree with a user file, update it, and roll back twice.
# Part 2, a branch rollout (scripts/rollout-demo.sh): the tracker, two branches
# of a reflector and three endpoints each, as separate processes on loopback
# addresses, with per-branch WAN (origin) bytes against the layer bytes.
# Part 3, the default netsim scenario on an emulated multi-branch WAN
# (bc-netsim emulate, scaled to 1/16), with its report and plots.
# Usage: scripts/demo.sh [--keep] [WORK_DIR]   (default: a fresh temporary directory)
# --keep (or BC_DEMO_KEEP=1): the rollout's tracker keeps running at the end,
# its web console at the URL part 2 prints (docs/console.md).
set -euo pipefail
if [ "${1:-}" = "--keep" ]; then export BC_DEMO_KEEP=1; shift; fi
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
BIN="$PWD/build"
REPO="$PWD"
work="${1:-$(mktemp -d /tmp/branchcast-demo.XXXXXX)}"
mkdir -p "$work"
cd "$work"
say() { printf '\n== %s\n' "$*"; }

say "generating reference trees in $work"
rm -rf base-src app-src target
mkdir -p base-src/etc base-src/usr/bin base-src/var/lib app-src/opt/office target/home/alice
echo "branchcast base v1" > base-src/etc/motd
head -c 8M /dev/urandom > base-src/var/lib/disk.img
head -c 300K /dev/urandom > base-src/usr/bin/tool && chmod 755 base-src/usr/bin/tool
ln -s tool base-src/usr/bin/tool-link
echo "office 5" > app-src/opt/office/VERSION
echo "app overrides motd" > app-src/etc-motd-note
echo "alice's own notes" > target/home/alice/notes.txt

say "keys"
"$BIN/layers/tool/bc-layer" keygen --out tracker.key

say "capture and sign"
"$BIN/layers/tool/bc-layer" build base-src --name base --version 1 --kind base --out base@1.layer --sign tracker.key
"$BIN/layers/tool/bc-layer" build app-src --name office --version 5 --kind app --out office@5.layer --sign tracker.key

say "verify (signature, then every byte)"
"$BIN/layers/tool/bc-layer" verify base@1.layer --pubkey tracker.key.pub
"$BIN/layers/tool/bc-layer" verify office@5.layer --pubkey tracker.key.pub

say "inspect"
"$BIN/layers/tool/bc-layer" inspect base@1.layer

say "a tampered byte is caught"
cp -r base-src tampered-src && printf 'X' | dd of=tampered-src/var/lib/disk.img bs=1 seek=4096 conv=notrunc 2>/dev/null
rm base@1.layer/payload && ln -s "$work/tampered-src" base@1.layer/payload
if "$BIN/layers/tool/bc-layer" verify base@1.layer --pubkey tracker.key.pub; then
  echo "demo: tampering went unnoticed" >&2; exit 1
fi
rm base@1.layer/payload && ln -s "$work/base-src" base@1.layer/payload

# A fingerprint of the target tree (paths, types, modes, symlink targets and
# file bytes), leaving out the apply state in .branchcast.
fingerprint() {
  (cd target && { find . -path ./.branchcast -prune -o -printf '%p %y %m %l\n' | sort
                  find . -path ./.branchcast -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum; } |
   sha256sum | cut -c1-16)
}
show_tree() { (cd target && find . -mindepth 1 -path ./.branchcast -prune -o -printf '  %M %-28P %l\n' | sort -k2); }

say "apply base@1 + office@5 to target/ (which holds alice's notes)"
fp_original=$(fingerprint)
"$BIN/layers/tool/bc-layer" apply --root target --pubkey tracker.key.pub base@1.layer office@5.layer
show_tree
echo "alice's file survived: $(cat target/home/alice/notes.txt)"
fp_gen1=$(fingerprint)

say "base@2: a new motd, 64 KiB of disk.img changed in place, the tool symlink dropped, a new file"
rm -rf base2-src && cp -a base-src base2-src
echo "branchcast base v2" > base2-src/etc/motd
head -c 65536 /dev/urandom | dd of=base2-src/var/lib/disk.img bs=65536 seek=40 conv=notrunc 2>/dev/null
rm base2-src/usr/bin/tool-link
echo "new in v2" > base2-src/etc/issue
"$BIN/layers/tool/bc-layer" build base2-src --name base --version 2 --kind base --parent base@1 --out base@2.layer --sign tracker.key
"$BIN/layers/tool/bc-layer" diff base@1.layer base@2.layer

say "apply base@2 + office@5"
"$BIN/layers/tool/bc-layer" apply --root target --pubkey tracker.key.pub base@2.layer office@5.layer
echo "motd is now: $(cat target/etc/motd)"
"$BIN/layers/tool/bc-layer" status --root target

say "rollback: back to base@1 + office@5"
"$BIN/layers/tool/bc-layer" rollback --root target
[ "$(fingerprint)" = "$fp_gen1" ] || { echo "demo: rollback did not restore base@1 + office@5" >&2; exit 1; }
echo "tree fingerprint $(fingerprint) = the one after the first apply; motd: $(cat target/etc/motd)"

say "rollback again: back to the original tree"
"$BIN/layers/tool/bc-layer" rollback --root target
[ "$(fingerprint)" = "$fp_original" ] || { echo "demo: rollback did not restore the original tree" >&2; exit 1; }
show_tree
echo "tree fingerprint $(fingerprint) = the original; alice's notes: $(cat target/home/alice/notes.txt)"
echo "layer format: done"

bash "$REPO/scripts/rollout-demo.sh" "$BIN" "$work/rollout"

say "the default scenario on an emulated WAN (bc-netsim emulate, 1/16 scale; docs/netsim.md)"
# Three branches behind userspace WAN links (20 Mbit/s 40 ms; 10 Mbit/s 120 ms
# 0.5% loss; 50 Mbit/s 20 ms without a reflector), the real programs in network
# namespaces. Needs root. Drop --scale for the full 30-minute run. The base
# layer is a real Debian root and its v2 an upgraded one (made with mmdebstrap
# once and cached; about 2 minutes each the first time).
bash "$REPO/scripts/realistic-roots.sh" >/dev/null
"$BIN/netsim/bc-netsim" emulate "$REPO/netsim/scenarios/default.toml" --out "$work/netsim" --scale 0.0625
echo "plots: $work/netsim/wan_rate.png $work/netsim/queue_delay.png $work/netsim/completion_cdf.png"
echo "demo: done; everything is in $work"
