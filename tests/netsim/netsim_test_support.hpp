// Shared bits of the root-only netsim tests.
#pragma once

#include <unistd.h>

#include <cstdio>

// Returns from the test case (passing, reported as skipped by ctest) when not root.
#define BC_REQUIRE_ROOT()                                                                        \
  do {                                                                                           \
    if (::geteuid() != 0) {                                                                      \
      std::printf("SKIPPED: needs root (network namespaces, veth, TUN devices)\n");              \
      return;                                                                                    \
    }                                                                                            \
  } while (0)
