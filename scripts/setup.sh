#!/usr/bin/env bash
# Installs every Debian package branchcast needs (idempotent), then configures
# and builds with CMake. Usage: scripts/setup.sh [--sanitize] [BUILD_DIR]
# Environment: BC_BUILD_TYPE (default Release), BC_JOBS (default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."

# libclang-rt-14-dev holds libFuzzer's runtime; clang only recommends it (scripts/fuzz.sh).
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libtorrent-rasterbar-dev libboost-dev libssl-dev openssl
  libsodium-dev liblmdb-dev lmdb-utils libspdlog-dev libfmt-dev
  doctest-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libbenchmark-dev
  clang libclang-rt-14-dev iproute2 procps psmisc opentracker wrk gnuplot-nox curl jq graphviz python3 tcpdump libzstd-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "setup: installing packages needs root" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

sanitize=OFF
if [ "${1:-}" = "--sanitize" ]; then sanitize=ON; shift; fi
build_dir="${1:-build}"
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BC_BUILD_TYPE:-Release}" -DBC_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j "${BC_JOBS:-$(nproc)}"
echo "setup: built into $build_dir"
