#include <CLI/CLI.hpp>
#include <cstdio>

#include "endpoint/role.hpp"

int main(int argc, char** argv) {
  CLI::App app{bc::endpoint::role_summary()};
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "%s: no commands yet\n", bc::endpoint::role_summary());
  return 2;
}
