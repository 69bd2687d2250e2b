#include <CLI/CLI.hpp>
#include <cstdio>

#include "reflector/role.hpp"

int main(int argc, char** argv) {
  CLI::App app{bc::reflector::role_summary()};
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "%s: no commands yet\n", bc::reflector::role_summary());
  return 2;
}
