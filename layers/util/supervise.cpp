#include "layers/util/supervise.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <thread>

namespace bc {

namespace {

std::atomic<pid_t> g_child{-1};
std::atomic<bool> g_stop{false};

void forward(int sig) {
  g_stop.store(true);
  pid_t c = g_child.load();
  if (c > 0) ::kill(c, sig);
}

void forward_hangup(int) {
  pid_t c = g_child.load();
  if (c > 0) ::kill(c, SIGHUP);
}

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Forks and runs the worker; the child's pid, or -1.
pid_t spawn(const std::function<int()>& worker, bool hangup_forwarded) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::signal(SIGINT, SIG_DFL);
  ::signal(SIGTERM, SIG_DFL);
  // Until the worker installs its reload handler.
  if (hangup_forwarded) ::signal(SIGHUP, SIG_IGN);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) ::_exit(1);  // the supervisor died before the prctl
  int code = worker();
  std::fflush(nullptr);
  ::_exit(code);
}

}  // namespace

int run_supervised(const SuperviseOptions& o, const std::function<int()>& worker) {
  struct sigaction sa {};
  sa.sa_handler = forward;
  ::sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  if (o.forward_hangup) {
    struct sigaction hup {};
    hup.sa_handler = forward_hangup;
    ::sigemptyset(&hup.sa_mask);
    ::sigaction(SIGHUP, &hup, nullptr);
  }
  std::deque<int64_t> restarts;  // when, within the window
  int backoff_ms = o.first_backoff_ms;
  for (;;) {
    pid_t pid = spawn(worker, o.forward_hangup);
    if (pid < 0) {
      std::fprintf(stderr, "%s: cannot fork the worker: %s\n", o.name.c_str(), std::strerror(errno));
      return 1;
    }
    g_child.store(pid);
    if (g_stop.load()) ::kill(pid, SIGTERM);  // a stop that came before the pid was known
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    g_child.store(-1);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    const int sig = WTERMSIG(status);
    if (g_stop.load()) return 128 + sig;  // asked to stop: not a crash
    const int64_t t = now_s();
    while (!restarts.empty() && t - restarts.front() >= o.window_s) restarts.pop_front();
    if (int(restarts.size()) >= o.max_restarts) {
      std::fprintf(stderr, "%s: the worker died from signal %d (%s) %d times in %lld s; giving up\n", o.name.c_str(),
                   sig, strsignal(sig), int(restarts.size()) + 1, (long long)o.window_s);
      return 1;
    }
    restarts.push_back(t);
    std::fprintf(stderr, "%s: the worker died from signal %d (%s); restarting in %d ms (restart %zu of %d in %lld s)\n",
                 o.name.c_str(), sig, strsignal(sig), backoff_ms, restarts.size(), o.max_restarts,
                 (long long)o.window_s);
    for (int waited = 0; waited < backoff_ms && !g_stop.load(); waited += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (g_stop.load()) return 128 + SIGTERM;
    backoff_ms = std::min(backoff_ms * 2, o.max_backoff_ms);
  }
}

}  // namespace bc
