// A test that cannot run here (not root, a tool missing) says so with a fixed
// marker and returns. ctest turns the marker into "Skipped" rather than
// "Passed": every discovery in tests/ sets SKIP_REGULAR_EXPRESSION to
// ${BC_TEST_SKIP_REGEX} (tests/CMakeLists.txt), which matches this text.
#pragma once

#include <unistd.h>

#include <cstdio>

#define BC_SKIP_MARKER "BC-TEST-SKIPPED: "

// Returns from the test case, reported to ctest as skipped, with `why`.
#define BC_SKIP_TEST(why)                                  \
  do {                                                     \
    std::printf("%s%s\n", BC_SKIP_MARKER, (why));          \
    std::fflush(stdout);                                   \
    return;                                                \
  } while (0)

// Skips the test case unless the process runs as root; `why` says what for.
#define BC_REQUIRE_ROOT(why)                               \
  do {                                                     \
    if (::geteuid() != 0) BC_SKIP_TEST("needs root " why); \
  } while (0)
