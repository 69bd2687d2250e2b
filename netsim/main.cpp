#include <cstdio>
#include <cstring>

#include "netsim/cli.hpp"

int main(int argc, char** argv) {
  // Answered before the CLI (netsim/cli.cpp) parses: man pages (help2man) ask for it.
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("bc-netsim %s\n", BC_VERSION);
    return 0;
  }
  return bc::netsim::run_cli(argc, argv);
}
