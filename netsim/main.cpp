#include "netsim/cli.hpp"

int main(int argc, char** argv) { return bc::netsim::run_cli(argc, argv); }
