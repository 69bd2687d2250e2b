#!/usr/bin/env bash
# The whole test suite: set up and build, then every ctest suite.
# Usage: scripts/test.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
cd build
ctest --output-on-failure --timeout 900 -j "${BC_TEST_JOBS:-2}" "$@"
