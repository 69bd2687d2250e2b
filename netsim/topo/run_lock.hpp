// A run's liveness token: /run/bcns/<run>.lock held with flock(LOCK_EX) for
// the life of the process that owns the run's namespaces. The kernel releases
// the lock when that process dies however it dies, so a namespace whose run
// lock can be taken belongs to a crashed run and may be removed.
#pragma once

#include <string>

#include "layers/util/status.hpp"

namespace bc::netsim {

inline constexpr const char* kRunLockDir = "/run/bcns";

class RunLock {
 public:
  // Takes the lock of `run_id`; already_exists when a live process holds it.
  static Result<RunLock> acquire(const std::string& run_id);
  RunLock() = default;
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  ~RunLock();  // removes the lock file and releases the lock
  bool held() const { return fd_ >= 0; }

 private:
  void release();
  int fd_ = -1;
  std::string path_;
};

}  // namespace bc::netsim
