// bc-netsim simulate as a process: the report files, and a failed invariant
// printing the seed and the command that replays it (exit 4).
#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
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

std::string scenario(int duration_s) {
  std::ifstream in(std::string(BC_NETSIM_SCENARIOS_DIR) + "/default.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  const std::string key = "duration_s = 2400";
  REQUIRE(t.find(key) != std::string::npos);
  return t.replace(t.find(key), key.size(), "duration_s = " + std::to_string(duration_s));
}

TEST_CASE("bc-netsim simulate writes its report and a run cut short fails with the seed and the replay command") {
  test::TmpDir dir;
  const std::string full = dir.path() + "/full.toml", cut = dir.path() + "/cut.toml";
  std::ofstream(full) << scenario(2400);
  std::ofstream(cut) << scenario(1205);  // base v2 (at 1200 s) cannot finish in 5 s
  auto [ok_rc, ok_out] = run(std::string(BC_NETSIM_BIN) + " simulate " + full + " --seed 9 --out " + dir.path() + "/out");
  CHECK_MESSAGE(ok_rc == 0, ok_out);
  for (const char* f : {"report.json", "report.txt", "origin_upload.csv"})
    CHECK(std::filesystem::file_size(dir.path() + "/out/" + f) > 0);
  auto [rc, out] = run(std::string(BC_NETSIM_BIN) + " simulate " + cut + " --seed 9");
  CHECK(rc == 4);
  CHECK(out.find("invariant failed") != std::string::npos);
  CHECK(out.find("seed 9; replay: bc-netsim simulate " + cut + " --seed 9") != std::string::npos);
}

}  // namespace
}  // namespace bc::netsim::sim
