#include "netsim/emulate/child_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

namespace bc::netsim {

namespace {
int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}
}  // namespace

Result<int> wait_child(pid_t pid, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return exit_code(status);
    if (r < 0) return Status::not_found("process " + std::to_string(pid) + " is not our child");
    if (std::chrono::steady_clock::now() >= deadline)
      return Status::unavailable("process " + std::to_string(pid) + " still running after " +
                                 std::to_string(timeout_ms) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // bounded poll of the exit
  }
}

bool child_exited(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) != 0;
}

void stop_child(pid_t pid, int sig, int grace_ms) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  if (wait_child(pid, grace_ms).ok()) return;
  ::kill(pid, SIGKILL);
  (void)wait_child(pid, 5000);
}

}  // namespace bc::netsim
