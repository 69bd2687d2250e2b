#include <CLI/CLI.hpp>
#include <cstdio>

#include "tracker/role.hpp"

int main(int argc, char** argv) {
  CLI::App app{bc::tracker::role_summary()};
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "%s: no commands yet\n", bc::tracker::role_summary());
  return 2;
}
