#!/usr/bin/env bash
# The main job, on one machine: build a base and an app layer from generated
# trees, sign and verify them, then inspect and check what was built.
# Usage: scripts/demo.sh [WORK_DIR]   (default: a fresh temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >/dev/null
BIN="$PWD/build"
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
echo "demo: done; everything is in $work"
