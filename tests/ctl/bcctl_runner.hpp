// Runs the real bcctl binary as a child process for the tests: its own
// config file (BCCTL_CONFIG), stdout and stderr captured to files, a bounded
// wait for its exit. spawn() leaves it running (for --watch).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace bc::test {

struct BcctlRun {
  int exit = -1;  // exit code; -1 when it did not exit by itself (killed, timed out)
  std::string out, err;
};

class Bcctl {
 public:
  // `dir` holds the config (dir/bcctl.toml) and the captured output files.
  explicit Bcctl(std::string dir) : dir_(std::move(dir)) {}
  std::string config() const { return dir_ + "/bcctl.toml"; }

  // Runs bcctl with `args` and waits up to timeout_ms. `env` is added to
  // the environment (BCCTL_TOKEN is removed unless given there).
  BcctlRun run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
               int timeout_ms = 60'000);

  // Starts bcctl and returns at once; read its output with output_of().
  pid_t spawn(const std::vector<std::string>& args, const std::string& tag);
  std::string output_of(const std::string& tag) const;
  // Waits (bounded) for a spawned child; its exit code or -1.
  static int wait_exit(pid_t pid, int timeout_ms);

 private:
  pid_t start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              const std::string& out, const std::string& err);
  std::string dir_;
  int seq_ = 0;
};

}  // namespace bc::test
