#!/usr/bin/env bash
# Builds the libFuzzer targets into build-fuzz/ (clang, ASan+UBSan; only the
# fuzzers and the libraries they link: no tests, no benchmarks) and runs each
# for N seconds (default 60) from its seed corpus in fuzz/corpus/<name>/.
# New inputs go to build-fuzz/corpus/<name>/; crashes to build-fuzz/artifacts/<name>/;
# each run's full output to build-fuzz/<name>.log. Exits non-zero, naming the
# fuzzer and its crash inputs, when any run fails.
# Usage: scripts/fuzz.sh [seconds] [fuzzer names...]
# Short run: scripts/test.sh (CI) runs this for BC_FUZZ_SECONDS (default 20).
# Long run (documented in docs/benchmarks.md, "Fuzzing"): scripts/fuzz.sh 3600
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=(announce_query_fuzz json_request_fuzz)
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DBC_FUZZ=ON -DBC_BUILD_TESTS=OFF \
  -DBC_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "${BC_JOBS:-2}" --target "${fuzzers[@]}"
failed=()
for f in "${fuzzers[@]}"; do
  mkdir -p "build-fuzz/corpus/$f" "build-fuzz/artifacts/$f"
  touch "build-fuzz/$f.start"
  echo "fuzz: $f for ${secs}s"
  if (cd build-fuzz && "fuzz/$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="artifacts/$f/" "corpus/$f" "../fuzz/corpus/$f") >"build-fuzz/$f.log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done ' "build-fuzz/$f.log" | sed "s/^/fuzz: $f: /" || true
  else
    tail -n 40 "build-fuzz/$f.log" >&2
    echo "fuzz: FAILED: $f found a crash, leak, sanitizer report or timeout (log build-fuzz/$f.log;" \
      "reproduce with build-fuzz/fuzz/$f <input>); inputs:" \
      $(find "build-fuzz/artifacts/$f" -type f -newer "build-fuzz/$f.start") >&2
    failed+=("$f")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: passed: ${fuzzers[*]} (${secs}s each)"
