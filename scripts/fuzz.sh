#!/usr/bin/env bash
# Builds the libFuzzer targets into build-fuzz/ (clang, ASan+UBSan) and runs
# each for N seconds (default 60) from its seed corpus in fuzz/corpus/<name>/.
# New inputs go to build-fuzz/corpus/<name>/; crashes to build-fuzz/crash-*.
# Usage: scripts/fuzz.sh [seconds] [fuzzer names...]
# Long run (documented in docs/benchmarks.md): scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=(announce_query_fuzz json_request_fuzz)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DBC_FUZZ=ON -DBC_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j2 --target "${fuzzers[@]}"
for f in "${fuzzers[@]}"; do
  mkdir -p "build-fuzz/corpus/$f"
  echo "== $f for ${secs}s"
  (cd build-fuzz && "fuzz/$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    "corpus/$f" "../fuzz/corpus/$f")
done
