#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "layers/util/supervise.hpp"
#include "tests/support/tmp_dir.hpp"

using namespace bc;

namespace {

// Counts runs in a file (each run appends a byte): the state a crashed child
// leaves for its successor, as a node's disk would.
int runs(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec) ? int(test::read_file(path).size()) : 0;
}

void count_run(const std::string& path) { test::write_file(path, std::string(size_t(runs(path) + 1), 'x')); }

SuperviseOptions fast(int max_restarts) {
  SuperviseOptions o;
  o.name = "test";
  o.max_restarts = max_restarts;
  o.first_backoff_ms = 10;
  o.max_backoff_ms = 20;
  return o;
}

}  // namespace

TEST_CASE("a worker that crashes is restarted and its normal exit code is returned") {
  test::TmpDir tmp;
  std::string counter = tmp / "runs";
  int code = run_supervised(fast(3), [&] {
    count_run(counter);
    if (runs(counter) < 3) ::raise(SIGSEGV);  // the first two runs crash
    return 7;
  });
  CHECK(code == 7);
  CHECK(runs(counter) == 3);
}

TEST_CASE("a worker that keeps crashing is given up after max_restarts with exit 1") {
  test::TmpDir tmp;
  std::string counter = tmp / "runs";
  int code = run_supervised(fast(2), [&] {
    count_run(counter);
    ::raise(SIGABRT);
    return 0;
  });
  CHECK(code == 1);
  CHECK(runs(counter) == 3);  // the first run and two restarts
}

TEST_CASE("a worker that exits normally, with any code, is not restarted") {
  test::TmpDir tmp;
  std::string counter = tmp / "runs";
  CHECK(run_supervised(fast(3), [&] { count_run(counter); return 0; }) == 0);
  CHECK(run_supervised(fast(3), [&] { count_run(counter); return 4; }) == 4);
  CHECK(runs(counter) == 2);
}

namespace {
std::atomic<bool> g_hangup{false};
void on_hangup(int) { g_hangup.store(true); }
}  // namespace

TEST_CASE("with forward_hangup a SIGHUP to the supervisor reaches the worker, which goes on (a reload)") {
  test::TmpDir tmp;
  const std::string ready = tmp / "ready";
  SuperviseOptions o = fast(3);
  o.forward_hangup = true;
  std::thread sender([&] {
    for (int i = 0; i < 500 && !std::filesystem::exists(ready); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(::getpid(), SIGHUP);  // to the supervisor: this process
  });
  const int rc = run_supervised(o, [&] {
    ::signal(SIGHUP, on_hangup);
    test::write_file(ready, "1");
    for (int i = 0; i < 500 && !g_hangup.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return g_hangup.load() ? 7 : 3;
  });
  sender.join();
  CHECK(rc == 7);  // the worker saw the signal and exited normally: not restarted, not killed
}
