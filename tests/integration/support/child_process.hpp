// A program run as a child process for integration tests: started with an
// argv, its stdout+stderr appended to a log file, killed with SIGKILL when the
// test is done with it (or ends). Used for bc-reflector and bc-endpoint.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace bc::test {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs a running child
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (a path) with the arguments. Throws std::runtime_error if
  // fork fails. REQUIRES: not running.
  void start(const std::vector<std::string>& argv, const std::string& log_path);
  void kill9();                 // SIGKILL and reap
  int terminate();              // SIGTERM, reap; the wait status
  // True while the child runs; reaps it (and records the status) once it exited.
  bool running();
  int exit_status() const { return status_; }  // waitpid status once reaped
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_; }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  std::string log_;
};

}  // namespace bc::test
