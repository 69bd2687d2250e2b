#!/usr/bin/env bash
# Builds the four Debian packages (branchcast-tracker, -reflector, -endpoint,
# -tools; cmake/Packaging.cmake) from a Release build.
# Usage: scripts/build-debs.sh [BUILD_DIR] [OUT_DIR]
#   BUILD_DIR  default build-deb (configured here as Release if it is not yet)
#   OUT_DIR    where the .debs go (default BUILD_DIR/debs); prints their paths
# Needs dpkg-dev (dpkg-shlibdeps computes the dependencies) and help2man
# (man pages; without it the packages carry none).
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build-deb}"
out="${2:-$build/debs}"
for tool in dpkg-shlibdeps dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "build-debs: $tool missing (apt-get install dpkg-dev)" >&2; exit 1; }
done
[ -f /root/.ccache-env ] && . /root/.ccache-env
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# The packaged programs (bcctl once ctl/ installs it) and their man pages.
targets=(bc-tracker bc-reflector bc-endpoint bc-layer bc-netsim bc-probe)
if cmake --build "$build" --target help 2>/dev/null | grep -q '^bcctl-man:'; then targets+=(bcctl); fi
if grep -q '^BC_HELP2MAN:FILEPATH=/' "$build/CMakeCache.txt"; then
  for t in "${targets[@]}"; do targets+=("$t-man"); done
fi
cmake --build "$build" -j "${BC_JOBS:-2}" --target "${targets[@]}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/branchcast-*.deb
# cpack runs the install rules only; the targets above are everything the packages hold.
(cd "$build" && cpack -G DEB -B "$out/.cpack" >/dev/null)
mv "$out"/.cpack/branchcast-*.deb "$out"/
rm -rf "$out/.cpack"
ls "$out"/branchcast-*.deb
