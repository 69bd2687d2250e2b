#include "tests/ctl/bcctl_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/poll.hpp"

namespace bc::test {

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

pid_t Bcctl::start(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const std::string& out, const std::string& err) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);  // no terminal anywhere: bcctl takes its non-tty paths
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::setenv("BCCTL_CONFIG", config().c_str(), 1);
    ::setenv("HOME", dir_.c_str(), 1);
    ::unsetenv("BCCTL_TOKEN");
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = BC_BCCTL_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int Bcctl::wait_exit(pid_t pid, int timeout_ms) {
  int status = 0;
  bool done = eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout_ms, 10);
  if (!done) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

BcctlRun Bcctl::run(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                    int timeout_ms) {
  const std::string out = dir_ + "/run-" + std::to_string(++seq_) + ".out", err = out + ".err";
  pid_t pid = start(args, env, out, err);
  BcctlRun r;
  r.exit = wait_exit(pid, timeout_ms);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

pid_t Bcctl::spawn(const std::vector<std::string>& args, const std::string& tag) {
  return start(args, {}, dir_ + "/" + tag + ".out", dir_ + "/" + tag + ".err");
}

std::string Bcctl::output_of(const std::string& tag) const { return slurp(dir_ + "/" + tag + ".out"); }

}  // namespace bc::test
