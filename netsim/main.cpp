#include <CLI/CLI.hpp>
#include <cstdio>

#include "netsim/role.hpp"

int main(int argc, char** argv) {
  CLI::App app{bc::netsim::role_summary()};
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "%s: no commands yet\n", bc::netsim::role_summary());
  return 2;
}
