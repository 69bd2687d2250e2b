#!/usr/bin/env bash
# The whole test suite: set up and build, then every ctest suite, then a short
# libFuzzer run of each fuzz target (BC_FUZZ_SECONDS each, default 20; 0 skips).
# Usage: scripts/test.sh [extra ctest arguments, e.g. -L unit]
# A test that cannot run here (not root: netsim namespaces, the e2e full-disk
# case) prints the skip marker of tests/support/skip.hpp and ctest lists it
# under "did not run ... (Skipped)": run as root for the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'rc=$?; [ $rc = 0 ] || echo "test: FAILED (exit $rc)" >&2' EXIT
scripts/setup.sh build
(cd build && ctest --output-on-failure --timeout 900 -j "${BC_TEST_JOBS:-2}" "$@")
fuzz_s="${BC_FUZZ_SECONDS:-20}"
fuzz_note="fuzz skipped (BC_FUZZ_SECONDS=0)"
if [ "$fuzz_s" != 0 ]; then
  scripts/fuzz.sh "$fuzz_s" || { echo "test: the short fuzz run failed (see the fuzz: lines above)" >&2; exit 1; }
  fuzz_note="fuzz ${fuzz_s}s per target"
fi
echo "test: passed (ctest; $fuzz_note)"
