// bc-netsim simulate as a process: the report files, and a failed invariant
// printing the seed and the command that replays it (exit 4).
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/tmp_dir.hpp"

namespace bc::netsim::sim {
namespace {

// Runs a command; returns (exit status, stdout + stderr).
std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Its own scenario (not a shipped one, which other work changes): one
// branch, a 64 MiB layer and its 5% v2 at 100 s.
std::string scenario(int duration_s) {
  return "name = \"cli\"\nseed = 3\nduration_s = " + std::to_string(duration_s) +
         "\n[[branches]]\nname = \"a\"\nreflectors = 1\nendpoints = 3\n[branches.wan]\ndown_mbit = 20\n"
         "up_mbit = 20\nrtt_ms = 40\n[[layers]]\nname = \"base\"\nsize_mib = 64\nv2_change_ratio = 0.05\n"
         "[[assignments]]\nat_s = 1\nlayer = \"base\"\n[[assignments]]\nat_s = 100\nlayer = \"base\"\nversion = 2\n";
}

TEST_CASE("bc-netsim simulate writes its report and a run cut short fails with the seed and the replay command") {
  test::TmpDir dir;
  const std::string full = dir.path() + "/full.toml", cut = dir.path() + "/cut.toml";
  std::ofstream(full) << scenario(600);
  std::ofstream(cut) << scenario(101);  // base v2 (at 100 s) cannot finish in 1 s
  auto [ok_rc, ok_out] = run(std::string(BC_NETSIM_BIN) + " simulate " + full + " --seed 9 --out " + dir.path() + "/out");
  CHECK_MESSAGE(ok_rc == 0, ok_out);
  for (const char* f : {"report.json", "report.txt", "origin_upload.csv"})
    CHECK(std::filesystem::file_size(dir.path() + "/out/" + f) > 0);
  // --layer models a layer at another size (how realistic layers get one).
  auto [l_rc, l_out] = run(std::string(BC_NETSIM_BIN) + " simulate " + full + " --layer base=8:0.5");
  CHECK_MESSAGE(l_rc == 0, l_out);
  CHECK(l_out.find("WAN 12.0 MiB") != std::string::npos);  // 8 MiB + its 4 MiB v2
  auto [bad_rc, bad_out] = run(std::string(BC_NETSIM_BIN) + " simulate " + full + " --layer nope=8");
  CHECK(bad_rc == 1);
  CHECK(bad_out.find("--layer nope=8: no layer \"nope\"") != std::string::npos);
  auto [rc, out] = run(std::string(BC_NETSIM_BIN) + " simulate " + cut + " --seed 9");
  CHECK(rc == 4);
  CHECK(out.find("invariant failed") != std::string::npos);
  CHECK(out.find("seed 9; replay: bc-netsim simulate " + cut + " --seed 9") != std::string::npos);
}

}  // namespace
}  // namespace bc::netsim::sim
